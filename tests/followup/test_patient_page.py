"""The physio's patient page is built by one selector (`followup.patient_page`): its queries
do not grow with the patient's plans, check-ins or trail."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.followup.conftest import check_in, publish_plan_for

pytestmark = pytest.mark.django_db


def queries_for_page(client, patient) -> int:
    client.force_login(patient.physiotherapist.user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("patient-detail", args=[patient.pk]))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("plans", [1, 3])
def test_the_patient_page_costs_the_same_queries_for_1_and_3_plans(
    client, patient_a1, catalogue, plans
):
    for _ in range(plans):
        publish_plan_for(patient_a1)
        check_in(patient_a1)

    assert queries_for_page(client, patient_a1) == PAGE_QUERIES
    body = client.get(reverse("patient-detail", args=[patient_a1.pk])).content.decode()
    assert body.count("Plan of ") == plans  # every plan is listed


# Session, user, the physio's role, the patient, the trail and the visit's audit row,
# invitation, assessments, plans, the current revision, check-ins, open and resolved alerts,
# the chart's check-ins, the reminder schedule and deliveries, the open safety concern;
# the outcome measures (issue #18): the latest plan, its check-ins, PSFS reviews and phases;
# the signed-in user's language (issue #17: a physio is not a patient, one query says so).
PAGE_QUERIES = 22
