"""Issue #14 items 4 and 5: a swapped or added item carries the new exercise's facts, every
physio dosage change records its reason, and publishing asks to confirm open warnings.

The draft comes from the base intake (lumbar, bending forward aggravates): the planner puts
Pelvic tilt (F01) in Settle with its "Loads flexion…" warning and the catalogue's note "Small,
comfortable movement"; its progression is Tummy drawing-in (C01).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from clinical.rules import RULES
from documents.models import ProgramDocument
from documents.services import program_html
from exercises.models import Exercise
from programs import selectors, services
from programs.intake_form import AssessmentForm
from programs.models import Plan, PlanPhase, PlanRevision, Prescription
from tests.clock import suite_today
from tests.programs.intake_data import intake_form_data

pytestmark = pytest.mark.django_db

TODAY = suite_today()
F01_NOTE = "Small, comfortable movement"
F01_WARNING = (
    "Loads flexion; bending forward aggravates the pain: check it suits the patient before "
    "approving (5.2)."
)


@pytest.fixture
def draft(patient_a1, catalogue) -> Plan:
    form = AssessmentForm(intake_form_data(), date_of_birth=patient_a1.date_of_birth, today=TODAY)
    assert form.is_valid(), form.errors
    physio = patient_a1.physiotherapist
    assessment = services.record_assessment(
        patient=patient_a1, by=physio.user, answers=form.answers, today=TODAY
    )
    return services.generate_plan(assessment=assessment, by=physio.user, today=TODAY)


def item_of(plan: Plan, code: str, key: str) -> Prescription:
    return Prescription.objects.get(phase__plan=plan, phase__code=code, exercise__key=key)


def api_url(plan: Plan, rest: str = "") -> str:
    return f"/api/v1/plans/{plan.pk}/{rest}"


def without_warnings(plan: Plan) -> None:
    Plan.objects.filter(pk=plan.pk).update(warnings=[])
    PlanPhase.objects.filter(plan=plan).update(warnings=[])
    Prescription.objects.filter(phase__plan=plan).update(warnings=[])


# --- item 4: swaps and additions carry the new exercise's facts ---------------------------


def test_the_draft_has_pelvic_tilt_with_its_warning_and_note(draft):
    pelvic_tilt = item_of(draft, "P1", "F01")

    # The catalogue's tip travels with the exercise (item 6); the item's notes are the physio's.
    assert (pelvic_tilt.notes, pelvic_tilt.exercise.patient_notes) == ("", F01_NOTE)
    assert [(w["rule_id"], w["message"]) for w in pelvic_tilt.warnings] == [
        ("COMP-AGGRAVATING", F01_WARNING)
    ]
    assert pelvic_tilt.exercise.progression.key == "C01"


def test_swapping_through_the_api_gives_the_item_the_progressions_facts(api, draft):
    pelvic_tilt = item_of(draft, "P1", "F01")
    drawing_in = Exercise.objects.get(key="C01", clinic=None)
    api.as_user(draft.physiotherapist.user)

    response = api.post(
        api_url(draft, f"items/{pelvic_tilt.pk}/swap/"), {"to": "progression"}, format="json"
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["exercise"]["key"] == "C01"
    assert (body["notes"], drawing_in.patient_notes) == ("", "")  # F01's tip does not follow
    assert body["warnings"] == []
    assert body["reason"] == (
        "Swapped by the physiotherapist to the harder version of Pelvic tilt lying down."
    )
    assert body["rule_ids"] == ["PHYSIO-CHANGE", "DOSE-DEFAULT"]
    assert body["change_reason"] == ""


def test_swapping_to_a_flexion_item_recomputes_its_warning(api, draft):
    """Drawing-in (C01) in Restore has no warning; its regression, Pelvic tilt (F01), loads
    flexion and gets the planner's COMP-AGGRAVATING warning for Restore."""
    drawing_in = item_of(draft, "P2", "C01")
    api.as_user(draft.physiotherapist.user)

    response = api.post(
        api_url(draft, f"items/{drawing_in.pk}/swap/"), {"to": "regression"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert drawing_in.warnings == []
    assert response.json()["warnings"] == [
        {
            "rule_id": "COMP-AGGRAVATING",
            "message": F01_WARNING,
            "phase": "P2",
            "exercise_key": "F01",
        }
    ]
    assert response.json()["notes"] == ""  # F01's own tip comes with F01 (item 6)


def test_a_note_the_physio_wrote_is_kept_through_a_swap(physio_a, draft):
    pelvic_tilt = item_of(draft, "P1", "F01")
    services.update_prescription(prescription=pelvic_tilt, by=physio_a.user, notes="Very slowly.")

    swapped = services.swap_prescription(
        prescription=item_of(draft, "P1", "F01"), by=physio_a.user, to="progression"
    )

    swapped.refresh_from_db()
    assert (swapped.exercise.key, swapped.notes, swapped.warnings) == ("C01", "Very slowly.", [])


def test_an_added_item_gets_the_exercises_note_and_warnings(api, draft):
    """Cat and camel (F04, mixed direction) added to Settle: the catalogue's note and the
    planner's mixed-direction warning, as it has in Restore."""
    cat_camel = Exercise.objects.get(key="F04", clinic=None)
    api.as_user(draft.physiotherapist.user)

    response = api.post(api_url(draft, "items/"), {"phase": "P1", "exercise": "F04"}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["notes"], cat_camel.patient_notes) == ("", "")  # no physio note written
    assert body["warnings"] == [
        {
            "rule_id": "COMP-AGGRAVATING",
            "message": "Mixed-direction item; bending forward aggravates the pain: check it "
            "suits the patient before approving (5.2).",
            "phase": "P1",
            "exercise_key": "F04",
        }
    ]
    assert body["rule_ids"][0] == "PHYSIO-CHANGE"
    assert set(body["rule_ids"][1:]) <= {r for r in RULES if r.startswith("DOSE-")}
    assert body["reason"].startswith("Added by the physiotherapist.")


def test_an_added_item_keeps_the_physios_own_note(api, draft):
    api.as_user(draft.physiotherapist.user)

    response = api.post(
        api_url(draft, "items/"),
        {"phase": "P1", "exercise": "F04", "notes": "Only a small range."},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["notes"] == "Only a small range."


def test_a_swap_on_the_page_reaches_the_patient_pages_and_the_pdf(client, draft, patient_a1):
    drawing_in = Exercise.objects.get(key="C01", clinic=None)
    pelvic_tilt = item_of(draft, "P1", "F01")
    client.force_login(draft.physiotherapist.user)

    swapped = client.post(
        reverse("item-swap", args=[draft.pk, pelvic_tilt.pk]),
        {"to": "progression"},
        HTTP_HX_REQUEST="true",
    )
    published = client.post(reverse("plan-publish", args=[draft.pk]), {"confirm_warnings": "true"})
    revision = PlanRevision.objects.get(plan=draft)
    pdf = program_html(ProgramDocument.objects.get(revision=revision, is_large_print=False))
    client.force_login(patient_a1.user)
    my_plan = client.get(reverse("my-plan")).content.decode()

    assert swapped.status_code == 200
    assert "Tummy drawing-in" in swapped.content.decode()
    assert published.status_code == 302
    settle = revision.phase("P1")
    assert settle is not None
    item = next(i for i in settle["items"] if i["exercise_key"] == "C01")
    assert (item["notes"], item["patient_notes"]) == ("", drawing_in.patient_notes)
    for shown in (my_plan, pdf):
        assert F01_NOTE not in shown
        assert drawing_in.physio_notes not in shown  # never the catalogue's note for physios


# --- item 5: every physio change records its reason ---------------------------------------


def test_the_physio_change_rule_is_registered_with_its_source():
    assert RULES["PHYSIO-CHANGE"].source == "4.1 item 4"
    assert RULES["PHYSIO-OVERRIDE"].source == "4.1 item 4, 6.2"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"sets": 4}, "change_reason"),
        ({"sets": 4, "change_reason": "other"}, "change_note"),
        ({"sets": 4, "change_reason": "because"}, "change_reason"),
    ],
)
def test_a_dosage_change_without_a_reason_is_refused(api, draft, payload, field):
    item = item_of(draft, "P1", "F02")
    before = Prescription.objects.filter(pk=item.pk).values().get()
    api.as_user(draft.physiotherapist.user)

    response = api.patch(api_url(draft, f"items/{item.pk}/"), payload, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert Prescription.objects.filter(pk=item.pk).values().get() == before


def test_a_notes_change_needs_no_reason(api, draft):
    item = item_of(draft, "P1", "F02")
    api.as_user(draft.physiotherapist.user)

    response = api.patch(api_url(draft, f"items/{item.pk}/"), {"notes": "Slowly."}, format="json")

    assert response.status_code == 200
    assert (response.json()["rule_ids"], response.json()["change_reason"]) == (
        item.rule_ids,
        "",
    )


@pytest.mark.parametrize(
    ("reason", "note", "stored"),
    [
        ("easing_off", "", "Easing off: too hard or too sore"),
        (
            "easing_off",
            "Sore next morning.",
            "Easing off: too hard or too sore: Sore next morning.",
        ),
        ("other", "Travelling this week.", "Travelling this week."),
        ("", "Travelling this week.", "Travelling this week."),
    ],
)
def test_a_dosage_change_stores_its_reason_and_replaces_the_dosage_rules(
    api, draft, reason, note, stored
):
    knee_to_chest = item_of(draft, "P1", "F03")
    assert knee_to_chest.rule_ids == ["COMP-REGION", "DOSE-DEFAULT", "DOSE-P1-GENTLE"]
    api.as_user(draft.physiotherapist.user)

    response = api.patch(
        api_url(draft, f"items/{knee_to_chest.pk}/"),
        {"hold_seconds": 10, "change_reason": reason, "change_note": note},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["rule_ids"] == ["COMP-REGION", "PHYSIO-CHANGE"]
    assert response.json()["change_reason"] == stored
    assert Prescription.objects.get(pk=knee_to_chest.pk).change_reason == stored


def test_the_editor_asks_for_a_reason_with_no_reason_chosen(client, draft):
    client.force_login(draft.physiotherapist.user)

    html = client.get(reverse("plan-edit", args=[draft.pk])).content.decode()

    select = html.split('<select name="change_reason">', 1)[1].split("</select>", 1)[0]
    assert select.count("<option") == 7
    assert select.count(" selected") == 1
    assert '<option value="" selected>Choose a reason</option>' in select


def test_a_dosage_change_on_the_page_needs_a_reason_and_shows_it_in_what_changed(client, draft):
    item = item_of(draft, "P1", "F02")
    url = reverse("item-update", args=[draft.pk, item.pk])
    client.force_login(draft.physiotherapist.user)
    client.post(reverse("plan-publish", args=[draft.pk]), {"confirm_warnings": "true"})
    form = {"sets": "1", "reps": "6", "per_day": "2", "notes": item.notes}

    refused = client.post(url, form, HTTP_HX_REQUEST="true")
    unchanged = Prescription.objects.get(pk=item.pk)
    saved = client.post(
        url,
        {**form, "change_reason": "symptom_response", "change_note": "Amber twice."},
        HTTP_HX_REQUEST="true",
    )
    client.post(reverse("plan-publish", args=[draft.pk]), {"confirm_warnings": "true"})
    changes = client.get(reverse("revision-changes", args=[draft.pk, 2])).content.decode()

    assert "Say why the dosage changed: choose a reason or write one." in refused.content.decode()
    assert (unchanged.sets, unchanged.reps) == (item.sets, item.reps)
    reason = "Symptom response at recent sessions (4.4): Amber twice."
    assert f"Dosage changed by the physio: {reason}" in saved.content.decode()
    assert f"Reason: {reason}" in changes


# --- item 5: publishing with open warnings asks for confirmation --------------------------


def test_open_warnings_are_the_plans_phases_and_items(draft):
    warnings = selectors.open_warnings(draft)

    items = [w for p in Prescription.objects.filter(phase__plan=draft) for w in p.warnings]
    assert len(warnings) == len(draft.warnings) + len(items)
    assert warnings[0] == draft.warnings[0]
    assert {"rule_id": "COMP-AGGRAVATING", "message": F01_WARNING, "phase": "P1"}.items() <= (
        warnings[1].items()
    )


def test_the_api_refuses_to_publish_open_warnings_unconfirmed(api, draft):
    api.as_user(draft.physiotherapist.user)

    refused = api.post(api_url(draft, "publish/"), {}, format="json")
    confirmed = api.post(api_url(draft, "publish/"), {"confirm_warnings": True}, format="json")

    assert refused.status_code == 409
    assert refused.json()["code"] == "warnings_not_confirmed"
    assert refused.json()["warnings"] == selectors.open_warnings(draft)
    assert confirmed.status_code == 201
    assert PlanRevision.objects.filter(plan=draft).count() == 1
    rule_ids = ", ".join(dict.fromkeys(w["rule_id"] for w in selectors.open_warnings(draft)))
    assert AuditEvent.objects.order_by("-id").values_list("detail", flat=True).first() == (
        f"plan {draft.pk} published as revision 1, {len(selectors.open_warnings(draft))} "
        f"warning(s) confirmed as checked ({rule_ids})"
    )


def test_a_plan_without_warnings_publishes_without_confirmation(api, draft):
    without_warnings(draft)
    api.as_user(draft.physiotherapist.user)

    response = api.post(api_url(draft, "publish/"), {}, format="json")

    assert response.status_code == 201
    assert response.json()["number"] == 1


def test_the_page_shows_a_confirm_step_before_publishing(client, draft):
    client.force_login(draft.physiotherapist.user)

    step = client.post(reverse("plan-publish", args=[draft.pk]))
    nothing_yet = PlanRevision.objects.filter(plan=draft).count()
    confirmed = client.post(reverse("plan-publish", args=[draft.pk]), {"confirm_warnings": "true"})

    html = step.content.decode()
    assert step.status_code == 200
    assert "Check before publishing" in html
    assert F01_WARNING in html
    assert 'name="confirm_warnings" value="true"' in html
    assert nothing_yet == 0
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("revision-changes", args=[draft.pk, 1])
    assert PlanRevision.objects.filter(plan=draft).count() == 1
