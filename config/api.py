"""API conventions shared by every app: pagination and the one error shape.

Every error answers `{"code": ..., "detail": ..., "fields": {...}}` so integrators handle
one format, and a validation error always names the field.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class DomainError(exceptions.APIException):
    """An operation refused for a reason of the domain (not a malformed request)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

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

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        if isinstance(exc.detail, list):
            fields = {"non_field_errors": _messages(exc.detail)}
        named = ", ".join(sorted(fields)) or "request"
        body = {"code": "invalid", "detail": f"Invalid input: {named}.", "fields": fields}
    elif isinstance(exc, DomainError):
        body = {"code": exc.detail.code, "detail": str(exc.detail), "fields": exc.fields}
        body.update(exc.extra)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        body = {"code": code, "detail": str(detail), "fields": {}}
    response.data = body
    return response
