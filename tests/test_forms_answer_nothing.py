"""No form answers a question on anyone's behalf (issue #14 item 2).

Every form a physio or patient fills is rendered as they first see it, and every radio button
and select option that arrives chosen is collected. Only answers with a safe default may be
chosen: the assessment date is a date input (not collected), and the reminder settings show
the patient's own stored schedule. Nothing else: no red flag, warning sign, region, onset,
irritability, limb symptom, pregnancy or work answer.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from followup.services import check_in_token
from reminders.models import ReminderSchedule
from tests.followup.conftest import publish_plan_for

pytestmark = pytest.mark.django_db


class _ChosenAnswers(HTMLParser):
    """(name, value) of each checked radio and each selected option, in page order."""

    def __init__(self):
        super().__init__()
        self.chosen: list[tuple[str, str]] = []
        self.radios: list[str] = []
        self.selects: list[str] = []
        self._select = ""
        self._options: list[str] = []
        self._selected: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "radio":
            self.radios.append(attributes["name"])
            if "checked" in attributes:
                self.chosen.append((attributes["name"], attributes["value"]))
        elif tag == "select":
            self._select, self._options, self._selected = attributes["name"], [], []
            self.selects.append(self._select)
        elif tag == "option":
            self._options.append(attributes.get("value") or "")
            if "selected" in attributes:
                self._selected.append(self._options[-1])

    def handle_endtag(self, tag):
        if tag == "select":
            # A browser shows a select without a selected option on its first option.
            shown = self._selected or self._options[:1]
            self.chosen += [(self._select, value) for value in shown if value]
            self._select = ""


def chosen_on(response) -> _ChosenAnswers:
    assert response.status_code == 200
    parser = _ChosenAnswers()
    parser.feed(response.content.decode())
    return parser


def test_the_assessment_form_arrives_with_nothing_chosen(client, physio_a, patient_a1):
    client.force_login(physio_a.user)

    page = chosen_on(client.get(reverse("assessment-create", args=[patient_a1.pk])))

    assert page.chosen == []
    # What the test looked at: every single choice and every red-flag question.
    assert {"pregnancy_status", "primary_region", "onset_type", "irritability"} <= set(page.selects)
    assert {"radiating_pain", "weakness", "work_status", "previous_episodes"} <= set(page.selects)
    assert {"rf_ces_incontinence", "rf_visceral_cardiac"} <= set(page.radios)


def _check_in_pages(client, patient):
    client.force_login(patient.user)
    portal = client.get(reverse("check-in"))
    client.logout()
    link = client.get(reverse("check-in-link", args=[check_in_token(patient)]))
    return {"portal": portal, "email link": link}


def test_both_check_in_pages_arrive_with_nothing_chosen(client, patient_a1, catalogue):
    publish_plan_for(patient_a1)

    for where, response in _check_in_pages(client, patient_a1).items():
        page = chosen_on(response)

        assert (where, page.chosen) == (where, [])
        warning_signs = [name for name in page.radios if name.startswith("warning_")]
        assert (where, len(set(warning_signs))) == (where, 11)
        assert {"has_new_symptoms", "can_manage_daily_tasks", "pain", "feeling"} <= set(page.radios)


def test_reminder_settings_show_only_the_patients_own_stored_choice(client, patient_a1, catalogue):
    publish_plan_for(patient_a1)  # publishing makes the schedule
    schedule = ReminderSchedule.objects.get(patient=patient_a1)
    client.force_login(patient_a1.user)

    page = chosen_on(client.get(reverse("reminder-settings")))

    assert page.chosen == [("timezone", schedule.timezone)]
