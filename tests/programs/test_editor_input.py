"""The plan editor's pages validate with the API's input serializers: the same limits, the same
messages (led by the field's label on the page), and nothing saved when refused."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from programs.intake_form import AssessmentForm
from programs.models import Plan, PlanPhase, PlanTemplate, Prescription
from programs.services import generate_plan, record_assessment
from tests.clock import suite_today
from tests.programs.intake_data import intake_form_data

TODAY = suite_today()
NOTE_LIMIT = 1000  # PrescriptionUpdateSerializer.notes
DOSAGE_FIELDS = ("sets", "reps", "hold_seconds", "minutes", "per_day", "days_per_week")


def day(offset: int) -> str:
    return (TODAY + datetime.timedelta(days=offset)).isoformat()


@pytest.fixture
def draft(patient_a1, catalogue) -> Plan:
    """A proposed draft plan, built through the real form, screening and planner."""
    form = AssessmentForm(intake_form_data(), date_of_birth=patient_a1.date_of_birth, today=TODAY)
    assert form.is_valid(), form.errors
    physio = patient_a1.physiotherapist
    assessment = record_assessment(
        patient=patient_a1, by=physio.user, answers=form.answers, today=TODAY
    )
    return generate_plan(assessment=assessment, by=physio.user, today=TODAY)


def first_item(plan: Plan, code: str = "P1") -> Prescription:
    return Prescription.objects.filter(phase__plan=plan, phase__code=code).order_by("order").first()


def plan_rows(plan: Plan) -> dict[str, list[dict]]:
    """Every row an editor action could write."""
    return {
        "items": list(Prescription.objects.filter(phase__plan=plan).order_by("pk").values()),
        "phases": list(PlanPhase.objects.filter(plan=plan).order_by("pk").values()),
        "templates": list(PlanTemplate.objects.order_by("pk").values()),
    }


def dosage_form(item: Prescription, **changes) -> dict[str, str]:
    """The item's dosage form as the editor posts it (an unticked box is left out)."""
    data = {
        name: "" if getattr(item, name) is None else str(getattr(item, name))
        for name in DOSAGE_FIELDS
    }
    data["notes"] = item.notes
    if item.per_side:
        data["per_side"] = "on"
    return {**data, **changes}


def shown_messages(response) -> list[tuple[str, str]]:
    """(level, text) of every message the page shows: the htmx phase or the whole editor."""
    found = re.findall(
        r'<li class="message ([a-z]+)"(?: role="alert")?>(.*?)</li>', response.content.decode()
    )
    return [(level, html.unescape(text)) for level, text in found]


@pytest.mark.django_db
@pytest.mark.parametrize("is_htmx", [True, False], ids=["htmx", "no-javascript"])
def test_a_note_over_the_limit_is_refused_with_the_api_message_and_nothing_is_saved(
    client, api, draft, is_htmx
):
    item = first_item(draft)
    too_long = "n" * (NOTE_LIMIT + 1)
    before = plan_rows(draft)
    physio = draft.physiotherapist.user
    api_response = api.as_user(physio).patch(
        f"/api/v1/plans/{draft.pk}/items/{item.pk}/", {"notes": too_long}, format="json"
    )
    client.force_login(physio)
    headers = {"HTTP_HX_REQUEST": "true"} if is_htmx else {}

    page = client.post(
        reverse("item-update", args=[draft.pk, item.pk]),
        dosage_form(item, notes=too_long, sets="3"),
        follow=not is_htmx,
        **headers,
    )

    assert api_response.status_code == 400
    assert api_response.json()["fields"] == {
        "notes": ["Ensure this field has no more than 1000 characters."]
    }
    assert page.status_code == 200
    if is_htmx:
        assert page.templates[0].name == "programs/_phase.html"
    else:
        assert page.redirect_chain == [(f"/plans/{draft.pk}/#phase-P1", 302)]
    assert shown_messages(page) == [
        ("error", "Notes: Ensure this field has no more than 1000 characters.")
    ]
    assert plan_rows(draft) == before


@pytest.mark.django_db
def test_a_valid_dosage_and_a_note_at_the_limit_are_saved(client, draft):
    item = first_item(draft)
    note = "n" * NOTE_LIMIT
    client.force_login(draft.physiotherapist.user)

    page = client.post(
        reverse("item-update", args=[draft.pk, item.pk]),
        {
            "sets": "3",
            "reps": "12",
            "hold_seconds": "",
            "minutes": "",
            "per_day": "2",
            "days_per_week": "5",
            "notes": note,
            "change_reason": "time_available",
        },
        HTTP_HX_REQUEST="true",
    )

    assert page.status_code == 200
    assert shown_messages(page) == [("success", f"{item.exercise.name}: dosage saved.")]
    item.refresh_from_db()
    assert (item.sets, item.reps, item.hold_seconds, item.minutes) == (3, 12, None, None)
    assert (item.per_day, item.days_per_week, item.per_side) == (2, 5, False)
    assert item.notes == note


# Each: the page action and what it posts; the API call that takes the same input; the field
# refused and its label on the page.
REFUSALS = [
    ("item-update", "item", {"sets": "21"}, "patch", "items/{item}/", {"sets": 21}, "sets", "Sets"),
    (
        "item-update",
        "item",
        {"reps": "many"},
        "patch",
        "items/{item}/",
        {"reps": "many"},
        "reps",
        "Reps",
    ),
    (
        "item-update",
        "item",
        {"per_day": "0"},
        "patch",
        "items/{item}/",
        {"per_day": 0},
        "per_day",
        "Per day",
    ),
    (
        "item-add",
        "P2",
        {"exercise": "NO-SUCH-KEY"},
        "post",
        "items/",
        {"phase": "P2", "exercise": "NO-SUCH-KEY"},
        "exercise",
        "Exercise",
    ),
    (
        "item-add",
        "P2",
        {"exercise": "F07", "override_reason": "r" * 1001},
        "post",
        "items/",
        {"phase": "P2", "exercise": "F07", "override_reason": "r" * 1001},
        "override_reason",
        "Override reason",
    ),
    (
        "item-swap",
        "item",
        {"to": "sideways"},
        "post",
        "items/{item}/swap/",
        {"to": "sideways"},
        "to",
        "To",
    ),
    (
        "item-move",
        "item",
        {"direction": "sideways"},
        "post",
        "items/{item}/move/",
        {"offset": "sideways"},
        "offset",
        "Offset",
    ),
    (
        "phase-update",
        "P1",
        {"notes": "p" * 2001},
        "patch",
        "phases/P1/",
        {"notes": "p" * 2001},
        "notes",
        "Notes",
    ),
    (
        "phase-update",
        "P1",
        {"start_date": "soon"},
        "patch",
        "phases/P1/",
        {"start_date": "soon"},
        "start_date",
        "Start date",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "target", "page_data", "method", "api_path", "api_data", "field", "label"),
    REFUSALS,
    ids=[f"{case[0]}-{case[6]}" for case in REFUSALS],
)
def test_every_editor_action_refuses_what_the_api_refuses_in_the_same_words(
    client, api, draft, route, target, page_data, method, api_path, api_data, field, label
):
    item = first_item(draft)
    before = plan_rows(draft)
    physio = draft.physiotherapist.user
    api_url = f"/api/v1/plans/{draft.pk}/{api_path.format(item=item.pk)}"
    api_response = getattr(api.as_user(physio), method)(api_url, api_data, format="json")
    client.force_login(physio)

    page = client.post(
        reverse(route, args=[draft.pk, item.pk if target == "item" else target]),
        page_data,
        HTTP_HX_REQUEST="true",
    )

    assert api_response.status_code == 400
    api_messages = api_response.json()["fields"][field]
    assert list(api_response.json()["fields"]) == [field]
    assert page.status_code == 200
    assert shown_messages(page) == [("error", f"{label}: {message}") for message in api_messages]
    assert plan_rows(draft) == before


@pytest.mark.django_db
def test_a_template_name_over_the_limit_is_refused_as_the_api_refuses_it(client, api, draft):
    name = "t" * 121
    physio = draft.physiotherapist.user
    api_response = api.as_user(physio).post(
        f"/api/v1/plans/{draft.pk}/template/", {"name": name}, format="json"
    )
    client.force_login(physio)

    page = client.post(reverse("plan-save-template", args=[draft.pk]), {"name": name})

    assert api_response.status_code == 400
    assert api_response.json()["fields"] == {
        "name": ["Ensure this field has no more than 120 characters."]
    }
    assert page["Location"] == reverse("plan-edit", args=[draft.pk])
    assert [str(m) for m in get_messages(page.wsgi_request)] == [
        "Name: Ensure this field has no more than 120 characters."
    ]
    assert not PlanTemplate.objects.exists()


@pytest.mark.django_db
def test_phase_dates_notes_and_order_are_saved_from_the_editor(client, draft):
    first, second = Prescription.objects.filter(phase__plan=draft, phase__code="P2").order_by(
        "order"
    )[:2]
    client.force_login(draft.physiotherapist.user)

    saved = client.post(
        reverse("phase-update", args=[draft.pk, "P2"]),
        {"start_date": day(7), "end_date": day(21), "notes": "Review in three weeks."},
        HTTP_HX_REQUEST="true",
    )
    moved = client.post(
        reverse("item-move", args=[draft.pk, first.pk]),
        {"direction": "down"},
        HTTP_HX_REQUEST="true",
    )

    phase = PlanPhase.objects.get(plan=draft, code="P2")
    assert shown_messages(saved) == [("success", f"{phase.name}: saved.")]
    assert (phase.start_date.isoformat(), phase.end_date.isoformat()) == (day(7), day(21))
    assert phase.notes == "Review in three weeks."
    assert shown_messages(moved) == [("success", "Order changed.")]
    order = list(
        Prescription.objects.filter(phase__plan=draft, phase__code="P2")
        .order_by("order")
        .values_list("pk", flat=True)[:2]
    )
    assert order == [second.pk, first.pk]


@pytest.mark.parametrize("template", ["not-a-number", "999999"])
def test_proposing_from_a_template_that_is_not_the_clinics_is_refused(client, draft, template):
    """The assessment page's "propose a plan" post is checked by the API's PlanCreateSerializer:
    a template id that is not a number, or not one of the clinic's, is refused with a message
    (it was a server error or a bare 404), and no plan is made."""
    client.force_login(draft.physiotherapist.user)
    plans = Plan.objects.count()

    response = client.post(
        reverse("plan-generate", args=[draft.assessment_id]), {"template": template}, follow=True
    )

    page_messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert response.redirect_chain[-1][0] == reverse(
        "assessment-detail", args=[draft.assessment_id]
    )
    assert len(page_messages) == 1 and page_messages[0].startswith("Template: ")
    assert Plan.objects.count() == plans
