"""Health endpoint: is each part this service depends on reachable?"""

import logging
import uuid

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.celery import app as celery_app

logger = logging.getLogger(__name__)


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_broker() -> None:
    with celery_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=2)


def _check_cache() -> None:
    # The API throttle's counts: without it requests are let through (core.api), not refused.
    cache.set("health-check", "ok", timeout=5)


def _check_storage() -> None:
    name = default_storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)


CHECKS = {
    "database": _check_database,
    "broker": _check_broker,
    "cache": _check_cache,
    "storage": _check_storage,
}
HEALTH = inline_serializer(
    "Health",
    {
        "status": serializers.CharField(),
        "checks": serializers.DictField(child=serializers.CharField()),
    },
)


class HealthView(APIView):
    """Status of the database, the broker, the cache and private storage: 503 when any is
    down, naming it. The rest of the service keeps answering (the outbox keeps background
    work until the broker is back; the throttle lets requests through without the cache)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: HEALTH, 503: HEALTH})
    def get(self, request):
        results = {}
        for name, check in CHECKS.items():
            try:
                check()
                results[name] = "ok"
            except Exception as error:  # a health check reports every failure, never raises
                logger.warning("health check %s failed: %r", name, error)
                results[name] = "error"
        healthy = all(value == "ok" for value in results.values())
        return Response(
            {"status": "ok" if healthy else "error", "checks": results},
            status=200 if healthy else 503,
        )
