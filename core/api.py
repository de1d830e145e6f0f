"""API conventions shared by every app: pagination and the one error shape.

Every error answers `{"code": ..., "detail": ..., "fields": {...}}` so integrators handle
one format, and a validation error always names the field. `ErrorSerializer` documents it;
`NOT_FOUND`, `INVALID` and `THROTTLED` are the answers views list in their `extend_schema`.
"""

from __future__ import annotations

import logging
import math
import sys
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.db.models import Count, Window
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import page_not_found
from django.views.defaults import server_error as django_server_error
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status, throttling
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class ErrorSerializer(serializers.Serializer):
    """The one error shape: `fields` names every field that was refused, with messages."""

    code = serializers.CharField()
    detail = serializers.CharField()
    # The serializer's metaclass moves declared fields out of the class, so this does not
    # replace `Serializer.fields`, as the stubs think.
    fields = serializers.DictField(child=serializers.JSONField())  # type: ignore[assignment]


NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Not found, or not yours to see.")
INVALID = OpenApiResponse(ErrorSerializer, description="Invalid input; `fields` names each field.")
# A list answers 404 for a page past its end, as DRF's page-number pagination does.
NOT_FOUND_OR_NO_PAGE = OpenApiResponse(
    ErrorSerializer, description="Not yours to see, or no such page."
)
THROTTLED = OpenApiResponse(
    ErrorSerializer,
    description="`throttled` (too many requests) or `locked_out` (too many failed logins).",
)


# DRF's own messages that API answers show most, listed so our catalogue (read before DRF's)
# carries them in the product's wording: DRF's Spanish says "requerido", "en blanco".
DRF_MESSAGES = (
    gettext_noop("This field is required."),
    gettext_noop("This field may not be blank."),
    gettext_noop("This field may not be null."),
    gettext_noop('"{input}" is not a valid choice.'),
    gettext_noop("Authentication credentials were not provided."),
    gettext_noop("You do not have permission to perform this action."),
    gettext_noop("Invalid page."),
    gettext_noop("Not found."),
)


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_rows(self, queryset, request) -> list[dict] | None:
        """The page of `queryset` as value rows (`.values()`), the total counted in the same
        query (`COUNT(*) OVER ()`), so a page costs one query and no model instance. The
        answer is `get_paginated_response`'s, link for link. None: the request asks for the
        page `last`, which needs the count first; use `paginate_queryset` then.
        """
        raw = request.query_params.get(self.page_query_param) or "1"
        if raw in self.last_page_strings:
            return None
        try:
            number = int(raw)
        except ValueError:
            number = 0
        if number < 1:
            raise exceptions.NotFound(self.invalid_page_message)
        size = self.get_page_size(request) or self.page_size
        offset = (number - 1) * size
        rows = list(queryset.annotate(_total=Window(Count("*")))[offset : offset + size])
        if not rows and number > 1:
            raise exceptions.NotFound(self.invalid_page_message)
        self._rows_page = (request, number, size, rows[0]["_total"] if rows else 0)
        for row in rows:
            del row["_total"]
        return rows

    def get_rows_response(self, rows: list[dict]) -> Response:
        request, number, size, count = self._rows_page
        url = request.build_absolute_uri()
        next_link = (
            replace_query_param(url, self.page_query_param, number + 1)
            if number * size < count
            else None
        )
        previous_link = None
        if number == 2:
            previous_link = remove_query_param(url, self.page_query_param)
        elif number > 2:
            previous_link = replace_query_param(url, self.page_query_param, number - 1)
        return Response(
            {"count": count, "next": next_link, "previous": previous_link, "results": rows}
        )


def client_address(request) -> str | None:
    """The client's address, read one way for django-axes (AXES_CLIENT_IP_CALLABLE) and the
    API's throttle. With no proxy in front (PROXY_COUNT=0) X-Forwarded-For is the client's own
    words and ignored. Behind N proxies, each appending the address it saw, the N-th from the
    right is the one our outermost proxy saw; whatever a client wrote left of it is not read."""
    remote = request.META.get("REMOTE_ADDR")
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [address for address in forwarded if address]
    if settings.PROXY_COUNT == 0 or not forwarded:
        return remote
    return forwarded[-min(settings.PROXY_COUNT, len(forwarded))]


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    """DRF's scoped throttle, counting per client as `client_address` reads it (DRF's own
    reading trusts X-Forwarded-For unless NUM_PROXIES is set, a second setting to forget).

    The counts live in the cache (Redis). With the cache down the request is let through and
    the failure logged: login stays limited by django-axes, whose counts are in the database,
    and an outage of Redis must not lock everyone out of the API."""

    def get_ident(self, request) -> str:
        return client_address(request) or ""

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception as error:  # redis-py's errors, whichever the cache backend raises
            logger.warning("throttle %s: cache unavailable, not throttling: %r", self.scope, error)
            return True


class DomainError(exceptions.APIException):
    """An operation refused for a reason of the domain (not a malformed request)."""

    status_code: int = status.HTTP_409_CONFLICT
    default_code = "conflict"
    detail: exceptions.ErrorDetail  # made from the `detail` text __init__ takes

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        fields: dict | None = None,
        extra: dict | None = None,
    ):
        super().__init__(detail=detail, code=code or self.default_code)
        if status_code is not None:
            self.status_code = status_code
        self.fields = fields or {}
        self.extra = extra or {}


def _flatten(detail) -> dict:
    """DRF's nested error lists → {field: [messages]} with plain strings."""
    if isinstance(detail, dict):
        return {key: _messages(value) for key, value in detail.items()}
    return {}


def _messages(value):
    if isinstance(value, dict):
        return {key: _messages(inner) for key, inner in value.items()}
    if isinstance(value, list):
        if all(not isinstance(item, (dict, list)) for item in value):
            return [str(item) for item in value]
        return [_messages(item) for item in value]
    return [str(value)]


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, DATABASE_UNAVAILABLE):
        logger.error("database unavailable: %r", exc)
        return JsonResponse(unavailable_body(), status=status.HTTP_503_SERVICE_UNAVAILABLE)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        if isinstance(exc.detail, list):
            fields = {"non_field_errors": _messages(exc.detail)}
        # The field names are keys, never translated: the detail names them as sent.
        named = ", ".join(sorted(fields))
        body: dict[str, Any] = {
            "code": "invalid",
            "detail": _("Invalid input: %(fields)s.") % {"fields": named}
            if named
            else _("Invalid input."),
            "fields": fields,
        }
    elif isinstance(exc, exceptions.Throttled):
        # DRF's own wording ("Request was throttled. Expected available in …") reads badly
        # once translated; ours says what to do. Retry-After carries the same wait.
        body = {
            "code": exc.default_code,
            "detail": throttled_detail(getattr(exc, "wait", None)),
            "fields": {},
        }
    elif isinstance(exc, DomainError):
        body = {"code": exc.detail.code, "detail": str(exc.detail), "fields": exc.fields}
        body.update(exc.extra)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        body = {"code": code, "detail": str(detail), "fields": {}}
    response.data = body
    return response


def throttled_detail(wait: float | None) -> str:
    if wait is None:
        return _("Too many requests: try again later.")
    seconds = math.ceil(wait)
    return ngettext(
        "Too many requests: try again in %(seconds)d second.",
        "Too many requests: try again in %(seconds)d seconds.",
        seconds,
    ) % {"seconds": seconds}


def not_found(request, exception=None):
    """404 for a URL no route matches (e.g. `/api/v1/plans/abc/`): the one error shape under
    the API, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        detail = str(exceptions.NotFound.default_detail)
        body = {"code": "not_found", "detail": detail, "fields": {}}
        return JsonResponse(body, status=status.HTTP_404_NOT_FOUND)
    return page_not_found(request, exception)


# A connection refused or lost (a restart, a failover): the request may succeed in a moment.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def unavailable_body() -> dict:
    """The 503 answer, in the request's language (LocaleMiddleware chose it from the
    cookie or Accept-Language before the database was needed)."""
    return {
        "code": "unavailable",
        "detail": _("The service is briefly unavailable: try again in a moment."),
        "fields": {},
    }


def server_error(request):
    """500, or 503 when the database cannot be reached (Django calls this inside the `except`
    that caught the error, so it is in sys.exc_info): the one error shape under the API, a
    plain page elsewhere. Nothing here reads the database."""
    error = sys.exc_info()[1]
    if not isinstance(error, DATABASE_UNAVAILABLE):
        if request.path.startswith("/api/"):
            body = {"code": "error", "detail": _("A server error occurred."), "fields": {}}
            return JsonResponse(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
        return django_server_error(request)
    if request.path.startswith("/api/"):
        return JsonResponse(unavailable_body(), status=status.HTTP_503_SERVICE_UNAVAILABLE)
    title, advice = _("Briefly unavailable"), _("Please try again in a moment.")
    return HttpResponse(
        format_html("<!doctype html><title>{}</title><h1>{}</h1><p>{}</p>", title, title, advice),
        status=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": "5"},
    )


def bad_request(request, exception=None):
    """400 for a request Django refuses before any view runs (a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE: 413): the one error shape under the API, Django's page
    elsewhere."""
    if not request.path.startswith("/api/"):
        return django_bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        detail = _("The request body is larger than the limit of %(limit)s bytes.") % {
            "limit": limit
        }
        body = {"code": "too_large", "detail": detail, "fields": {}}
        return JsonResponse(body, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    body = {"code": "bad_request", "detail": _("The request could not be read."), "fields": {}}
    return JsonResponse(body, status=status.HTTP_400_BAD_REQUEST)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer once an account and address are locked out (AXES_LOCKOUT_CALLABLE):
    the one error shape for the API's token endpoint, the lockout page for the login form."""
    status_code = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        body = {
            "code": "locked_out",
            "detail": _("Too many failed attempts: try again in a few minutes."),
            "fields": {},
        }
        return JsonResponse(body, status=status_code)
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=status_code)
