"""The one permission layer for patient data.

A physiotherapist sees the patients of their own clinic; a patient sees only themselves;
staff use the admin. Everything else is *not found*: the scoped querysets below simply do
not contain what a user may not see, so a lookup answers 404 and existence never leaks.
Views and API endpoints get patient data only through these functions.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from rest_framework.permissions import BasePermission

from accounts.models import Patient, User


def clinic_id_of(user: User) -> int | None:
    physio = getattr(user, "physiotherapist", None) if user.is_authenticated else None
    return physio.clinic_id if physio else None


def patients_visible_to(user: User) -> QuerySet[Patient]:
    """Every patient this user may see (an empty queryset for anyone else)."""
    patients = Patient.objects.select_related("clinic", "physiotherapist__user")
    if not user.is_authenticated:
        return patients.none()
    clinic_id = clinic_id_of(user)
    if clinic_id is not None:
        return patients.filter(clinic_id=clinic_id)
    if user.is_patient:
        return patients.filter(user=user)
    return patients.none()


def get_visible_patient(user: User, pk) -> Patient:
    try:
        return patients_visible_to(user).get(pk=pk)
    except (Patient.DoesNotExist, ValueError, TypeError) as error:
        raise Http404("No such patient.") from error


def get_physio_or_404(user: User):
    physio = getattr(user, "physiotherapist", None) if user.is_authenticated else None
    if physio is None:
        raise Http404("This page is for physiotherapists.")
    return physio


def get_own_patient_or_404(user: User) -> Patient:
    patient = getattr(user, "patient", None) if user.is_authenticated else None
    if patient is None:
        raise Http404("This page is for patients.")
    return patient


class IsPhysiotherapist(BasePermission):
    """API access for physiotherapists only. Others get 404, like any hidden object."""

    def has_permission(self, request, view) -> bool:
        if request.user.is_authenticated and not request.user.is_physio:
            raise Http404
        return bool(request.user.is_authenticated)


class IsPatient(BasePermission):
    def has_permission(self, request, view) -> bool:
        if request.user.is_authenticated and not request.user.is_patient:
            raise Http404
        return bool(request.user.is_authenticated)
