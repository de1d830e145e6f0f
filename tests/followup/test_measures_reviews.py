"""When the PSFS is asked again (issue #18): at the end of a phase, and once per review of
each kind (a new PLAN-EXPIRY after a renewal asks again)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from followup import services
from followup.models import Alert, FunctionReview
from programs.models import Plan
from tests.followup.conftest import check_in
from tests.followup.test_measures_journey import high_risk_plan, private_media  # noqa: F401
from tests.followup.test_services import move_to

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def test_the_end_of_a_phase_asks_for_a_re_rating(patient_a1, physio_a, catalogue):
    plan = high_risk_plan(patient_a1).plan
    started = timezone.localtime().date() - 4 * DAY
    Plan.objects.filter(pk=plan.pk).update(start_date=started)
    move_to(plan, "P1", entry_pain=6, started=started)
    check_in(patient_a1, pain=3)

    services.approve_progression(alert=Alert.objects.get(rule_id="PROGRESS"), by=physio_a.user)

    assert list(FunctionReview.objects.values_list("rule_id", "once_key")) == [("PROGRESS", "P1")]


def test_each_plan_expiry_asks_once(patient_a1, catalogue):
    plan = high_risk_plan(patient_a1).plan
    expired = timezone.now() + 43 * DAY

    services.run_daily_rules(now=expired)
    services.run_daily_rules(now=expired + DAY)

    reasons = sorted(FunctionReview.objects.filter(plan=plan).values_list("rule_id", "once_key"))
    published = plan.revisions.get().published_at
    assert reasons == sorted(
        [
            ("CHK-2W", "plan"),
            ("ESC-REVIEW-4W", "plan"),
            ("ESC-REFER-6W", "plan"),
            ("PLAN-EXPIRY", f"published-{timezone.localdate(published).isoformat()}"),
        ]
    )
