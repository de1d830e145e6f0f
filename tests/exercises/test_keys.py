"""Exercise keys are scoped: unique within a clinic and within the global catalogue, and a
clinic may not reuse a global key. One clinic's private keys never meet another's, so
creating one tells nobody which keys another clinic uses (DESIGN §6: no leak of existence),
and every lookup by key resolves in the catalogue of the clinic asking."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from exercises.models import Exercise
from exercises.services import create_clinic_exercise
from programs.intake_form import AssessmentForm
from programs.models import Plan, Prescription
from programs.services import (
    add_prescription,
    generate_plan,
    generate_plan_from_template,
    publish_plan,
    record_assessment,
    save_plan_as_template,
)
from tests.clock import suite_today
from tests.programs.intake_data import intake_form_data

LIST = "/api/v1/exercises/"
SHARED = "STAIRS"
FIELDS = {
    "category": "aerobic",
    "regions": ["lumbar"],
    "position": "standing",
    "direction": "neutral",
    "difficulty": 2,
    "phases": ["P1", "P2", "P3", "P4"],
    "steps": ["Hold the rail.", "Walk up one flight steadily.", "Walk down slowly."],
}
PAYLOAD = {
    **FIELDS,
    "key": SHARED,
    "name": "Stair walking",
    "dosage": {"minutes": 10, "per_day": 1, "days_per_week": 5},
}


def private(physio, key: str = SHARED, **changes) -> Exercise:
    """Arrange: a private exercise of the physio's clinic, through the service (only added
    by a physio unless told, so the planner never proposes it on its own)."""
    fields = {
        **FIELDS,
        "name": f"{physio.clinic.name} stairs",
        "minutes": 10,
        "physio_select_only": True,
        **changes,
    }
    return create_clinic_exercise(clinic=physio.clinic, by=physio.user, key=key, **fields)


def plan_for(patient, physio) -> Plan:
    form = AssessmentForm(
        intake_form_data(), date_of_birth=patient.date_of_birth, today=suite_today()
    )
    assert form.is_valid(), form.errors
    assessment = record_assessment(patient=patient, by=physio.user, answers=form.answers)
    return generate_plan(assessment=assessment, by=physio.user)


@pytest.fixture
def both_clinics_use_the_key(physio_a, physio_b, catalogue) -> tuple[Exercise, Exercise]:
    return private(physio_a), private(physio_b)


# --- creating -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_another_clinics_private_key_can_be_used_and_says_nothing(
    api, physio_a, physio_b, catalogue
):
    ours = api.as_user(physio_a.user).post(LIST, PAYLOAD, format="json")

    theirs = api.as_user(physio_b.user).post(
        LIST, {**PAYLOAD, "name": "Clinic B stairs"}, format="json"
    )

    assert ours.status_code == 201
    assert theirs.status_code == 201, theirs.json()
    assert theirs.json()["name"] == "Clinic B stairs"
    assert sorted(Exercise.objects.filter(key=SHARED).values_list("clinic", "name")) == sorted(
        [(physio_a.clinic_id, "Stair walking"), (physio_b.clinic_id, "Clinic B stairs")]
    )


@pytest.mark.django_db
def test_each_clinic_sees_only_its_own_exercise_under_the_key(api, both_clinics_use_the_key):
    ours, theirs = both_clinics_use_the_key

    for exercise in (ours, theirs):
        physio = exercise.clinic.physiotherapists.get()
        api.as_user(physio.user)
        listed = api.get(f"{LIST}?category=aerobic&page_size=100").json()["results"]
        detail = api.get(f"{LIST}{SHARED}/")
        changed = api.patch(f"{LIST}{SHARED}/", {"name": "Renamed"}, format="json")

        assert [row["name"] for row in listed if row["key"] == SHARED] == [exercise.name]
        assert detail.status_code == 200
        assert detail.json()["name"] == exercise.name
        assert changed.status_code == 200
        exercise.refresh_from_db()
        assert exercise.name == "Renamed"
        exercise.name = f"{exercise.clinic.name} stairs"
        exercise.save()
    assert set(Exercise.objects.filter(key=SHARED).values_list("name", flat=True)) == {
        "Clinic A stairs",
        "Clinic B stairs",
    }


@pytest.mark.django_db
def test_detail_page_shows_the_clinics_own_exercise(client, both_clinics_use_the_key):
    for exercise in both_clinics_use_the_key:
        client.force_login(exercise.clinic.physiotherapists.get().user)

        response = client.get(reverse("exercise-detail", args=[SHARED]))

        assert response.status_code == 200
        assert response.context["exercise"] == exercise


@pytest.mark.django_db
def test_staff_add_another_clinics_exercise_with_the_key_in_the_admin(
    client, staff_user, physio_a, physio_b, catalogue
):
    private(physio_a)
    client.force_login(staff_user)
    form = {
        **{name: value for name, value in FIELDS.items() if not isinstance(value, list)},
        "key": SHARED,
        "clinic": physio_b.clinic_id,
        "name": "Clinic B stairs",
        "regions": '["lumbar"]',
        "phases": '["P2"]',
        "target_muscles": "[]",
        "equipment": "[]",
        "exclude_if": "[]",
        "steps": '["One.", "Two.", "Three."]',
        "minutes": 5,
    }

    response = client.post(reverse("admin:exercises_exercise_add"), form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Exercise.objects.filter(key=SHARED).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("via", ["api", "service"])
def test_a_key_of_the_global_catalogue_is_refused_naming_key(api, physio_a, catalogue, via):
    if via == "api":
        response = api.as_user(physio_a.user).post(LIST, {**PAYLOAD, "key": "F01"}, format="json")
        assert response.status_code == 400
        errors = response.json()["fields"]
    else:
        with pytest.raises(ValidationError) as raised:
            private(physio_a, key="F01")
        errors = raised.value.message_dict

    assert list(errors) == ["key"]
    assert "global catalogue" in str(errors["key"])
    assert not Exercise.objects.exclude(clinic=None).exists()


@pytest.mark.django_db
def test_a_key_the_clinic_already_uses_is_refused_naming_key(api, physio_a, catalogue):
    private(physio_a)

    response = api.as_user(physio_a.user).post(LIST, PAYLOAD, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["key"]
    assert "Your clinic" in str(response.json()["fields"]["key"])
    assert Exercise.objects.filter(key=SHARED).count() == 1


@pytest.mark.django_db
def test_renaming_to_a_taken_key_is_refused_but_to_another_clinics_is_not(
    api, physio_a, physio_b, catalogue
):
    private(physio_a, key="MINE-2")
    private(physio_b, key="THEIRS")
    ours = private(physio_a)
    api.as_user(physio_a.user)

    taken = api.patch(f"{LIST}{SHARED}/", {"key": "MINE-2"}, format="json")
    free = api.patch(f"{LIST}{SHARED}/", {"key": "THEIRS"}, format="json")

    assert taken.status_code == 400
    assert list(taken.json()["fields"]) == ["key"]
    assert free.status_code == 200
    ours.refresh_from_db()
    assert ours.key == "THEIRS"


@pytest.mark.django_db
def test_a_global_key_clinics_use_is_refused_for_the_catalogue(physio_a, catalogue):
    ours = private(physio_a)
    global_one = Exercise(**{**FIELDS, "key": SHARED, "name": "Global stairs", "minutes": 5})

    with pytest.raises(ValidationError) as raised:
        global_one.full_clean()

    assert list(raised.value.message_dict) == ["key"]
    assert Exercise.objects.filter(key=SHARED).get() == ours


# --- reading by key -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_patient_sees_only_their_clinics_exercise_under_the_key(
    api, physio_a, patient_a1, both_clinics_use_the_key
):
    ours, _ = both_clinics_use_the_key
    plan = plan_for(patient_a1, physio_a)
    add_prescription(phase=plan.phases.get(code="P1"), exercise=ours, by=physio_a.user)
    publish_plan(plan=plan, by=physio_a.user)
    api.as_user(patient_a1.user)

    listed = api.get(f"{LIST}?page_size=100").json()["results"]
    detail = api.get(f"{LIST}{SHARED}/")

    assert [row["name"] for row in listed if row["key"] == SHARED] == ["Clinic A stairs"]
    assert detail.status_code == 200
    assert detail.json()["name"] == "Clinic A stairs"


@pytest.mark.django_db
def test_staff_detail_by_a_key_two_clinics_use_is_404_not_500(
    api, staff_user, physio_a, both_clinics_use_the_key
):
    private(physio_a, key="ONLY-A")
    api.as_user(staff_user)

    ambiguous = api.get(f"{LIST}{SHARED}/")
    listed = api.get(f"{LIST}?category=aerobic&page_size=100").json()["results"]

    assert ambiguous.status_code == 404
    assert [row["key"] for row in listed].count(SHARED) == 2  # staff read the whole catalogue
    assert api.get(f"{LIST}ONLY-A/").json()["name"] == "Clinic A stairs"
    assert api.get(f"{LIST}F01/").json()["name"] == "Pelvic tilt lying down"


# --- plans resolve keys in their clinic ---------------------------------------------------


@pytest.mark.django_db
def test_adding_and_swapping_by_the_key_use_the_plans_clinic(
    api, physio_a, physio_b, patient_a1, catalogue
):
    harder_b = private(physio_b, key="STAIRS-2", difficulty=3)
    private(physio_b, progression=harder_b)
    harder_a = private(physio_a, key="STAIRS-2", difficulty=3)
    ours = private(physio_a, progression=harder_a)
    plan = plan_for(patient_a1, physio_a)
    api.as_user(physio_a.user)

    added = api.post(f"/api/v1/plans/{plan.pk}/items/", {"phase": "P1", "exercise": SHARED})
    swapped = api.post(
        f"/api/v1/plans/{plan.pk}/items/{added.json()['id']}/swap/", {"to": "progression"}
    )

    assert added.status_code == 201, added.json()
    assert swapped.status_code == 200, swapped.json()
    item = Prescription.objects.get(pk=added.json()["id"])
    assert item.exercise == harder_a
    assert (
        Prescription.objects.filter(phase__plan=plan, exercise__clinic=physio_b.clinic).count() == 0
    )
    assert ours.clinic == physio_a.clinic


@pytest.mark.django_db
def test_another_clinics_exercise_cannot_be_added_by_the_service(
    physio_a, physio_b, patient_a1, both_clinics_use_the_key
):
    _, theirs = both_clinics_use_the_key
    plan = plan_for(patient_a1, physio_a)

    with pytest.raises(ValidationError) as raised:
        add_prescription(phase=plan.phases.get(code="P1"), exercise=theirs, by=physio_a.user)

    assert list(raised.value.message_dict) == ["exercise"]


@pytest.mark.django_db
def test_a_template_resolves_its_keys_in_the_clinic(
    physio_a, physio_b, patient_a1, patient_a2, both_clinics_use_the_key
):
    ours, _ = both_clinics_use_the_key
    plan = plan_for(patient_a1, physio_a)
    Prescription.objects.filter(phase__plan=plan).delete()
    add_prescription(phase=plan.phases.get(code="P1"), exercise=ours, by=physio_a.user)
    template = save_plan_as_template(plan=plan, name="Stairs", by=physio_a.user)
    assessment = plan_for(patient_a2, physio_a).assessment

    seeded = generate_plan_from_template(template=template, assessment=assessment, by=physio_a.user)

    assert [item.exercise for item in Prescription.objects.filter(phase__plan=seeded)] == [ours]


@pytest.mark.django_db
def test_a_generated_plan_uses_only_its_clinics_exercises(
    physio_a, physio_b, patient_a1, catalogue
):
    private(physio_a, physio_select_only=False)
    private(physio_b, physio_select_only=False)
    plan = plan_for(patient_a1, physio_a)

    clinics = set(
        Prescription.objects.filter(phase__plan=plan).values_list("exercise__clinic", flat=True)
    )

    assert clinics <= {None, physio_a.clinic_id}
