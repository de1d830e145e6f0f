"""The suite's clock, personas and real-service fixtures shared by the whole suite.

One clock (tests/clock.py): every test starts at the moment `TEST_NOW` names, or at the real
time the run started; the autouse `clock` fixture pins it with time-machine, so
`timezone.now()`, the local date, `time.time()` and auto_now fields all read it.

Personas (as in healthchecks' test base): physio A and their patients A1 and A2, physio B of
another clinic who must see nothing of clinic A, and a staff user.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.utils import translation
from rest_framework.test import APIClient

from tests.clock import Clock, suite_moment
from tests.factories import ClinicFactory, PatientFactory, PhysiotherapistFactory, UserFactory

pytest_plugins = ["tests.services"]


def pytest_configure(config: pytest.Config) -> None:
    suite_moment()  # a malformed TEST_NOW stops the run here, with the reason
    _own_redis_database_per_worker()
    # Hashing is not under test here: PBKDF2 costs ~0.25 s per user the factories create.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Static files come from the finders (DEBUG at load), looked up per request as under
    # `make run`: pytest-django turns DEBUG off, and WhiteNoise would then scan every static
    # file each time a test client is built (~70 ms, a few hundred times a run).
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that mostly wait (for a real Celery worker, SMTP retries, a browser) run first,
    so their waits overlap the other processes' work instead of ending the run alone."""
    waits = ("worker", "browser")
    items.sort(key=lambda item: not any(m.name in waits for m in item.iter_markers()))


def pytest_report_header(config: pytest.Config) -> str:
    return f"TEST_NOW={os.environ['TEST_NOW']} (every test starts at this moment)"


def _own_redis_database_per_worker() -> None:
    """Parallel workers (xdist gw0, gw1, …) each get their own Redis database, so one worker's
    Celery queue, cache, throttles and lockouts are never another's (db N+index)."""
    index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    if not settings.REDIS_URL or index == 0:
        return
    base, _, number = settings.REDIS_URL.rstrip("/").rpartition("/")
    if not number.isdigit():
        base, number = settings.REDIS_URL.rstrip("/"), "0"
    url = f"{base}/{(int(number) + index) % 16}"
    os.environ["REDIS_URL"] = url
    settings.REDIS_URL = url
    if settings.CELERY_BROKER_URL.startswith("redis"):
        settings.CELERY_BROKER_URL = url
        os.environ["CELERY_BROKER_URL"] = url
    for cache in settings.CACHES.values():
        if cache["BACKEND"].endswith("RedisCache"):
            cache["LOCATION"] = url


@pytest.fixture(scope="session", autouse=True)
def _suite_clock() -> Iterator[time_machine.Coordinates]:
    """The clock stands at the suite's moment for the whole run, so session and module
    fixtures (built before any test's own `clock`) are made at that moment too."""
    with time_machine.travel(suite_moment(), tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def clock(_suite_clock: time_machine.Coordinates) -> Iterator[Clock]:
    """Every test starts at the suite's moment; what it travels is undone after it."""
    _suite_clock.move_to(suite_moment())
    yield Clock(_suite_clock)
    _suite_clock.move_to(suite_moment())


@pytest.fixture(autouse=True)
def _language_of_the_test() -> Iterator[None]:
    """Each test starts in the default language: a request through LocaleMiddleware leaves
    its language active in the thread, and the next test must not inherit it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def clinic_a(db):
    return ClinicFactory(name="Clinic A")


@pytest.fixture
def clinic_b(db):
    return ClinicFactory(name="Clinic B")


@pytest.fixture
def physio_a(clinic_a):
    return PhysiotherapistFactory(clinic=clinic_a, user__email="physio.a@example.com")


@pytest.fixture
def physio_b(clinic_b):
    return PhysiotherapistFactory(clinic=clinic_b, user__email="physio.b@example.com")


@pytest.fixture
def patient_a1(physio_a):
    return PatientFactory(physiotherapist=physio_a, email="a1@example.com", with_account=True)


@pytest.fixture
def patient_a2(physio_a):
    return PatientFactory(physiotherapist=physio_a, email="a2@example.com", with_account=True)


@pytest.fixture
def staff_user(db):
    return UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` authenticates it."""

    class Client(APIClient):
        def as_user(self, user):
            self.force_authenticate(user=user)
            return self

    return Client()


@pytest.fixture
def is_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def _catalogue_rows(django_db_setup, django_db_blocker) -> list[dict]:
    """The global catalogue's rows as `load_catalogue` (the command `make run` uses) writes
    them from the catalogue file: loaded once per run, in a transaction that is rolled back."""
    from exercises.models import Exercise
    from exercises.services import load_catalogue

    with django_db_blocker.unblock(), transaction.atomic():
        load_catalogue()
        rows = list(Exercise.objects.filter(clinic=None).order_by("pk").values())
        transaction.set_rollback(True)
    return rows


@pytest.fixture
def catalogue(db, _catalogue_rows):
    """The real global catalogue: the loader's rows, written again in two statements per test
    (reading and validating the file costs ~0.5 s, once per run is enough). New ids, as the
    database gives them, with the progression and regression links mapped onto them."""
    from exercises.models import Exercise

    links = ("progression_id", "regression_id")
    key_of = {row["id"]: row["key"] for row in _catalogue_rows}
    exercises = Exercise.objects.bulk_create(
        Exercise(**{k: v for k, v in row.items() if k != "id" and k not in links})
        for row in _catalogue_rows
    )
    by_key = {exercise.key: exercise for exercise in exercises}
    for row, exercise in zip(_catalogue_rows, exercises, strict=True):
        for link in links:
            setattr(exercise, link, row[link] and by_key[key_of[row[link]]].pk)
    Exercise.objects.bulk_update(exercises, links)
    return Exercise.objects.filter(clinic=None)
