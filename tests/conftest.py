"""Personas and real-service fixtures shared by the whole suite.

Personas (as in healthchecks' test base): physio A and their patients A1 and A2, physio B of
another clinic who must see nothing of clinic A, and a staff user.
"""

from __future__ import annotations

import os

import pytest
from rest_framework.test import APIClient

from tests.factories import ClinicFactory, PatientFactory, PhysiotherapistFactory, UserFactory

pytest_plugins = ["tests.services"]


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


@pytest.fixture
def catalogue(db):
    """The real global catalogue, loaded by the same command `make run` uses."""
    from exercises.models import Exercise
    from exercises.services import load_catalogue

    load_catalogue()
    return Exercise.objects.filter(clinic=None)
