"""Property-based fuzzing of the whole REST API against its own OpenAPI schema (schemathesis).

Schemathesis reads the schema the app serves at /api/v1/schema/ and, for every operation,
sends requests to the WSGI app in-process, as a physio and as a patient with API tokens:
the schema's examples, invalid boundary values (the coverage phase), then random valid and
invalid data (the fuzzing phase). Every answer must not be a server error and must carry a
documented status code, a documented content type and a body that matches the documented
schema.

Bounded for CI (about a minute on two cores): a fixed number of random examples per operation,
derandomized so a run is reproducible, no deadline. The coverage phase sends only invalid
values: its valid ones enumerate every member of an enum (the ~600 time zones alone are
thousands of requests), and the fuzzing phase samples valid data anyway.

The database is the real PostgreSQL: the world (two clinics, physio A, patient A1 with a
published plan, A2 with a draft) is committed once for the module and flushed when it ends;
each operation's requests run in one transaction that is rolled back after it, so every
operation starts from the same world.
"""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
import schemathesis
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from knox.models import AuthToken
from rest_framework.throttling import ScopedRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from documents.models import ProgramDocument
from exercises.services import create_clinic_exercise, load_catalogue
from programs.intake_form import AssessmentForm
from programs.models import Prescription
from programs.services import generate_plan, publish_plan, record_assessment
from tests.factories import ClinicFactory, PatientFactory, PhysiotherapistFactory
from tests.programs.intake_data import intake_form_data

MAX_EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_wsgi(
    "/api/v1/schema/?format=json",
    get_wsgi_application(),
    config=schemathesis.Config.from_dict(
        {
            "seed": 20261121,
            "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
            "phases": {"coverage": {"generation": {"mode": "negative"}}},
        }
    ),
)


# Ids of real objects of clinic A, filled in by `world`: path parameters take them half the
# time, so requests reach the objects (and their validation) instead of only 404s.
REAL: dict[str, object] = {}
USERS: dict = {}  # persona -> user, filled with the world
# Operations that end the token they are called with.
ENDS_ITS_TOKEN = ("/auth/logout/", "/auth/logout-all/")
# A path parameter and the object it names; `{id}` names one of the collection before it.
PARAMETERS = {"patient_pk": "patient", "plan_pk": "plan", "plan_id": "plan", "key": "exercise"}


def _object_named(path: str, parameter: str) -> str | None:
    if parameter == "id":
        return path.split("/{id}")[0].rsplit("/", 1)[-1].removesuffix("s")
    if parameter == "number":
        return "revision"
    return PARAMETERS.get(parameter)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    if not path_parameters:
        return st.just(path_parameters)
    real = {
        name: REAL[found]
        for name in path_parameters
        if (found := _object_named(context.operation.path, name)) in REAL
    }
    return st.sampled_from([path_parameters, {**path_parameters, **real}])


def draft_plan(patient):
    """A plan proposed by the real planner from a clear intake (dates as of today)."""
    today = timezone.localtime().date()
    answers = intake_form_data(
        assessment_date=str(today), onset_date=str(today - datetime.timedelta(days=1))
    )
    form = AssessmentForm(answers, date_of_birth=patient.date_of_birth, today=today)
    assert form.is_valid(), form.errors
    physio = patient.physiotherapist
    assessment = record_assessment(patient=patient, by=physio.user, answers=form.answers)
    return generate_plan(assessment=assessment, by=physio.user)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """API tokens of physio A and patient A1, in a committed world."""
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path_factory.mktemp("fuzz-media"), "base_url": None},
        },
    }
    # Publishing enqueues a PDF render once committed; rendering has its own tests.
    no_rendering = mock.patch("documents.tasks.render_program_pdf_task.apply_async_on_commit")
    with override_settings(STORAGES=storages), no_rendering:
        try:
            with django_db_blocker.unblock():
                # From ids 1, 2, …: the small numbers the fuzzer tries first name real objects.
                call_command("flush", interactive=False, verbosity=0)
                physio_a = PhysiotherapistFactory(clinic=ClinicFactory(name="Clinic A"))
                PhysiotherapistFactory(clinic=ClinicFactory(name="Clinic B"))
                patient_a1 = PatientFactory(physiotherapist=physio_a, with_account=True)
                patient_a2 = PatientFactory(physiotherapist=physio_a, with_account=True)
                load_catalogue()
                private = create_clinic_exercise(
                    clinic=physio_a.clinic,
                    by=physio_a.user,
                    key="A-CLINIC-1",
                    name="Stair walking",
                    category="aerobic",
                    regions=["lumbar"],
                    position="standing",
                    direction="neutral",
                    difficulty=2,
                    phases=["P3", "P4"],
                    minutes=10,
                    steps=["Hold the rail.", "Walk up one flight.", "Walk down slowly."],
                )
                plan = draft_plan(patient_a1)
                revision = publish_plan(plan=plan, by=physio_a.user)
                document = ProgramDocument.objects.get(revision=revision)
                ProgramDocument.objects.filter(pk=document.pk).update(
                    status=ProgramDocument.Status.READY,
                    file=default_storage.save("programs/fuzz.pdf", ContentFile(b"%PDF-1.4\n")),
                )
                draft_plan(patient_a2)
                REAL.update(
                    patient=patient_a1.pk,
                    assessment=plan.assessment_id,
                    plan=plan.pk,
                    item=Prescription.objects.filter(phase__plan=plan).first().pk,
                    revision=revision.number,
                    document=document.pk,
                    exercise=private.key,
                )
                USERS.update(physio_a=physio_a.user, patient_a1=patient_a1.user)
                tokens = {
                    persona: AuthToken.objects.create(user=user)[1]
                    for persona, user in USERS.items()
                }
            yield tokens
        finally:
            with django_db_blocker.unblock():
                call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def in_process_requests():
    """Requests share the test's connection and transaction, as with Django's test client: a
    WSGI request must not close the connection when it starts or finishes."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture
def fresh_login_throttle():
    """The token endpoint's throttle counts per address in the cache, which outlives a run:
    each operation starts with a fresh count (werkzeug's test client sends no address)."""
    key = ScopedRateThrottle.cache_format % {"scope": "login", "ident": None}
    cache.delete(key)
    yield
    cache.delete(key)


@pytest.fixture(params=["physio_a", "patient_a1"])
def persona(request):
    return request.param


@pytest.fixture
def token(persona, world, db, in_process_requests, fresh_login_throttle):
    return world[persona]


@pytest.mark.fuzz
@schema.parametrize()
@hypothesis_settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # Function-scoped fixtures are shared by an operation's examples on purpose (one
    # transaction per operation); slow or filtered generation is not a failure here.
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_its_schema_says(case, token, persona):
    if case.path.endswith(ENDS_ITS_TOKEN):  # each example logs in afresh, as a client would
        token = AuthToken.objects.create(user=USERS[persona])[1]
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
