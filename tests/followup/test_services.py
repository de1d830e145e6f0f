"""Recording check-ins and acting on the rules; the daily rules; approving a progression."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AuditEvent
from followup import services
from followup.models import Alert, CheckIn
from programs.models import Plan, PlanRevision
from reminders.models import ReminderSchedule
from tests.followup.conftest import check_in, publish_plan_for

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def items_of(revision) -> list[str]:
    return revision.tickable_keys(timezone.localtime().date())


def state(patient) -> tuple:
    schedule = ReminderSchedule.objects.get(patient=patient)
    return (
        CheckIn.objects.count(),
        Alert.objects.count(),
        schedule.paused_reason,
        AuditEvent.objects.filter(detail__startswith="check-in").count(),
    )


def test_a_calm_check_in_is_stored_with_the_followed_phase(revision_a1, patient_a1):
    done = items_of(revision_a1)[:2]

    stored, outcome = check_in(patient_a1, items_done=done, zone="green", pain=3)

    assert stored.items_done == done
    assert (stored.phase, stored.revision_number, stored.advice_level) == ("P1", 1, "ok")
    assert stored.rule_ids == []
    assert Alert.objects.count() == 0
    assert outcome.zone_advice == "Carry on with your exercises as planned."
    assert not ReminderSchedule.objects.get(patient=patient_a1).paused_reason


def test_a_warning_sign_pauses_reminders_and_alerts_the_physio_in_one_go(
    revision_a1, patient_a1, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        stored, _ = check_in(patient_a1, warning_signs=["ces_saddle_numbness"], pain=5)

    assert stored.rule_ids == ["RF-EMERG-CES", "ESC-WORSE"]
    assert stored.advice_level == "emergency"
    schedule = ReminderSchedule.objects.get(patient=patient_a1)
    assert schedule.paused_reason.startswith("RF-EMERG-CES at the check-in of")
    assert schedule.next_slot_at is None
    alerts = {a.rule_id: a for a in Alert.objects.filter(patient=patient_a1)}
    assert set(alerts) == {"RF-EMERG-CES", "ESC-WORSE"}
    assert alerts["RF-EMERG-CES"].severity == "emergency"
    assert alerts["RF-EMERG-CES"].check_in == stored
    # The physio is emailed about each urgent alert; no health detail in the subject.
    assert len(mail.outbox) == 2
    assert {m.subject for m in mail.outbox} == {"A patient needs your attention"}
    assert mail.outbox[0].to == [patient_a1.physiotherapist.user.email]
    assert "RF-EMERG-CES" in mail.outbox[0].body or "RF-EMERG-CES" in mail.outbox[1].body
    assert Alert.objects.filter(emailed_at__isnull=False).count() == 2


def test_an_alert_email_left_by_a_dead_worker_is_sent_once_its_lease_ends(
    revision_a1, patient_a1, clock, settings
):
    """A worker that died while sending leaves a lease, not a "sent" mark: within the lease
    another run leaves the row alone; once it ended the next run sends it, and then never
    again (core.leases.send_once)."""
    check_in(patient_a1, warning_signs=["ces_saddle_numbness"], pain=5)  # not committed: no email
    alert = Alert.objects.get(patient=patient_a1, rule_id="RF-EMERG-CES")
    lease = datetime.timedelta(seconds=settings.CLAIM_LEASE_SECONDS)
    Alert.objects.filter(pk=alert.pk).update(email_lease_until=clock.now + lease)

    within = services.send_alert_email(alert_id=alert.pk)
    clock.advance(seconds=settings.CLAIM_LEASE_SECONDS + 1)
    after = services.send_alert_email(alert_id=alert.pk)
    again = services.send_alert_email(alert_id=alert.pk)

    assert (within, after, again) == (False, True, False)
    assert len(mail.outbox) == 1
    alert.refresh_from_db()
    assert (alert.emailed_at, alert.email_lease_until) == (clock.now, None)


def test_a_failed_alert_email_frees_its_lease_and_marks_nothing_sent(revision_a1, patient_a1):
    check_in(patient_a1, warning_signs=["ces_saddle_numbness"], pain=5)
    alert = Alert.objects.get(patient=patient_a1, rule_id="RF-EMERG-CES")

    with (
        mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("down")),
        pytest.raises(OSError),
    ):
        services.send_alert_email(alert_id=alert.pk)

    alert.refresh_from_db()
    assert (alert.emailed_at, alert.email_lease_until) == (None, None)
    assert services.send_alert_email(alert_id=alert.pk) is True


def test_if_raising_the_alert_fails_nothing_is_stored_and_reminders_keep_going(
    revision_a1, patient_a1
):
    before = state(patient_a1)

    with (
        mock.patch.object(services, "_raise_alert", side_effect=RuntimeError("database down")),
        pytest.raises(RuntimeError),
    ):
        check_in(patient_a1, warning_signs=["ces_saddle_numbness"])

    assert state(patient_a1) == before


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"pain": 12}, "pain"),
        ({"pain": -1}, "pain"),
        ({"items_done": ["not_in_plan"], "zone": "green"}, "items_done"),
        ({"warning_signs": ["cancer_history"]}, "warning_signs"),
        ({"pain": 9}, "pain_eases_with_position"),
        ({"feeling": "great"}, "feeling"),
        ({"zone": "purple"}, "zone"),
    ],
)
def test_bad_answers_name_the_field_and_store_nothing(revision_a1, patient_a1, answers, field):
    before = state(patient_a1)

    with pytest.raises(ValidationError) as error:
        check_in(patient_a1, **answers)

    assert field in error.value.message_dict
    assert state(patient_a1) == before


def test_items_done_need_a_zone(revision_a1, patient_a1):
    with pytest.raises(ValidationError) as error:
        check_in(patient_a1, items_done=items_of(revision_a1)[:1])

    assert error.value.message_dict == {"zone": ["Tell us how the exercises felt."]}


def test_no_check_in_without_a_published_plan(patient_a1):
    with pytest.raises(services.NoPlanToCheckIn):
        check_in(patient_a1)

    assert CheckIn.objects.count() == 0


def test_esc_worse_over_several_check_ins_pauses_reminders(revision_a1, patient_a1):
    start = timezone.now() - 4 * DAY
    for day, pain in enumerate((3, 5, 6)):
        check_in(patient_a1, at=start + day * DAY, pain=pain)

    stored, _ = check_in(patient_a1, at=start + 3 * DAY + datetime.timedelta(hours=1), pain=5)

    assert stored.rule_ids == ["ESC-WORSE"]
    assert ReminderSchedule.objects.get(patient=patient_a1).paused_reason.startswith("ESC-WORSE")
    assert Alert.objects.get(rule_id="ESC-WORSE").severity == "urgent"


def move_to(plan: Plan, phase: str, *, entry_pain: int, started: datetime.date) -> None:
    Plan.objects.filter(pk=plan.pk).update(
        current_phase=phase, phase_entry_pain=entry_pain, phase_started_on=started
    )


def test_regress_switches_to_the_previous_phase_content_then_ends(revision_a1, patient_a1):
    plan = revision_a1.plan
    start = timezone.now() - 5 * DAY
    move_to(plan, "P2", entry_pain=3, started=timezone.localtime().date() - 10 * DAY)
    check_in(patient_a1, at=start, pain=3)
    check_in(patient_a1, at=start + DAY, pain=5)
    check_in(patient_a1, at=start + 2 * DAY, pain=5)

    stored, _ = check_in(patient_a1, at=start + 3 * DAY + datetime.timedelta(hours=1), pain=5)

    assert stored.rule_ids == ["ESC-WORSE", "REGRESS"]
    plan.refresh_from_db()
    assert plan.regressed_to == "P1"
    assert plan.followed_phase == "P1"
    assert PlanRevision.objects.get(pk=revision_a1.pk).followed_phase()["code"] == "P1"
    assert Alert.objects.get(rule_id="REGRESS").severity == "review"

    # Three days later a calm check-in ends it; the physio is told.
    later = timezone.now() + 3 * DAY
    ended, _ = check_in(patient_a1, at=later, pain=3)
    plan.refresh_from_db()
    assert plan.regressed_to == "" and plan.followed_phase == "P2"
    assert ended.phase == "P1"  # the content followed when the patient checked in
    assert Alert.objects.filter(rule_id="REGRESS", severity="info").count() == 1


def test_progress_is_suggested_once_while_open_and_approval_publishes_revision_2(
    revision_a1, patient_a1, physio_a
):
    plan = revision_a1.plan
    Plan.objects.filter(pk=plan.pk).update(start_date=timezone.localtime().date() - 4 * DAY)
    move_to(plan, "P1", entry_pain=6, started=timezone.localtime().date() - 4 * DAY)

    first, _ = check_in(patient_a1, pain=4)
    second, _ = check_in(patient_a1, pain=3)

    assert (first.rule_ids, second.rule_ids) == (["PROGRESS"], ["PROGRESS"])
    suggestion = Alert.objects.get(rule_id="PROGRESS")
    assert (suggestion.progress_to, suggestion.action) == ("P2", "suggestion")

    revision = services.approve_progression(alert=suggestion, by=physio_a.user)

    plan.refresh_from_db()
    assert (revision.number, revision.snapshot["current_phase"]) == (2, "P2")
    assert (plan.current_phase, plan.phase_started_on) == ("P2", timezone.localtime().date())
    assert plan.phase_entry_pain == 3
    suggestion.refresh_from_db()
    assert (suggestion.resolution, suggestion.resolved_by) == ("approved", physio_a.user)
    with pytest.raises(ValidationError, match="dealt with already"):
        services.approve_progression(alert=suggestion, by=physio_a.user)


def suggestion_from_p3(plan: Plan, *, needs_sign_off: bool) -> Alert:
    Plan.objects.filter(pk=plan.pk).update(
        current_phase="P3", is_return_to_sport_sign_off_required=needs_sign_off
    )
    return Alert.objects.create(
        patient=plan.patient,
        plan=plan,
        rule_id="PROGRESS",
        severity="info",
        action="suggestion",
        physio_message="PROGRESS: P3 exit criteria met.",
        progress_to="P4",
        needs_rts_sign_off=needs_sign_off,
    )


def test_gate_rts_refuses_to_leave_strengthen_without_sign_off(revision_a1, physio_a):
    alert = suggestion_from_p3(revision_a1.plan, needs_sign_off=True)

    with pytest.raises(ValidationError) as error:
        services.approve_progression(alert=alert, by=physio_a.user)

    assert "GATE-RTS" in error.value.message_dict["rts_sign_off"][0]
    plan = Plan.objects.get(pk=revision_a1.plan_id)
    assert (plan.current_phase, plan.revisions.count()) == ("P3", 1)
    assert plan.return_to_sport_signed_off_at is None
    assert Alert.objects.get(pk=alert.pk).is_open


def test_gate_rts_sign_off_is_recorded_with_the_move(revision_a1, physio_a):
    alert = suggestion_from_p3(revision_a1.plan, needs_sign_off=True)

    services.approve_progression(alert=alert, by=physio_a.user, rts_sign_off=True)

    plan = Plan.objects.get(pk=revision_a1.plan_id)
    assert plan.current_phase == "P4"
    assert plan.return_to_sport_signed_off_by == physio_a.user
    assert plan.return_to_sport_signed_off_at is not None


def test_gate_rts_not_needed_when_no_heavy_work_or_sport_is_planned(revision_a1, physio_a):
    alert = suggestion_from_p3(revision_a1.plan, needs_sign_off=False)

    services.approve_progression(alert=alert, by=physio_a.user)

    plan = Plan.objects.get(pk=revision_a1.plan_id)
    assert (plan.current_phase, plan.return_to_sport_signed_off_at) == ("P4", None)


def test_acknowledge_resolves_once(revision_a1, patient_a1, physio_a):
    check_in(patient_a1, has_new_symptoms=True)
    alert = Alert.objects.get(rule_id="ESC-WORSE")

    services.acknowledge_alert(alert=alert, by=physio_a.user)

    alert.refresh_from_db()
    assert (alert.resolution, alert.is_open) == ("acknowledged", False)
    with pytest.raises(ValidationError):
        services.acknowledge_alert(alert=alert, by=physio_a.user)


# --- the daily rules ----------------------------------------------------------------------


def age_plan(revision, days: int) -> None:
    """Pretend the plan started (and was published) `days` ago."""
    start = timezone.localtime().date() - days * DAY
    Plan.objects.filter(pk=revision.plan_id).update(start_date=start, phase_started_on=start)
    PlanRevision.objects.filter(pk=revision.pk).update(published_at=timezone.now() - days * DAY)


def test_daily_rules_raise_each_finding_once(revision_a1, patient_a1):
    age_plan(revision_a1, 15)

    first = services.run_daily_rules()
    second = services.run_daily_rules()

    assert [alert.rule_id for alert in first] == ["CHK-2W"]
    assert second == []
    assert Alert.objects.filter(rule_id="CHK-2W").count() == 1


def test_esc_review_4w_pauses_reminders_until_the_review(revision_a1, patient_a1):
    age_plan(revision_a1, 29)

    raised = {alert.rule_id for alert in services.run_daily_rules()}

    assert {"CHK-2W", "ESC-REVIEW-4W"} <= raised
    schedule = ReminderSchedule.objects.get(patient=patient_a1)
    assert schedule.paused_reason == "ESC-REVIEW-4W: physio review due"
    review = Alert.objects.get(rule_id="ESC-REVIEW-4W")
    assert review.patient_message.startswith("It is time for a review")


def test_plan_expiry_is_raised_once_6_weeks_after_the_last_review(revision_a1, patient_a1):
    age_plan(revision_a1, 43)
    Plan.objects.filter(pk=revision_a1.plan_id).update(current_phase="P3")

    assert "PLAN-EXPIRY" in {a.rule_id for a in services.run_daily_rules()}
    assert "PLAN-EXPIRY" not in {a.rule_id for a in services.run_daily_rules()}


def test_daily_rules_skip_paused_plans(patient_a1, catalogue):
    revision = publish_plan_for(patient_a1)
    age_plan(revision, 15)
    Plan.objects.filter(pk=revision.plan_id).update(status=Plan.Status.PAUSED)

    assert services.run_daily_rules() == []


# --- the check-in link --------------------------------------------------------------------


def test_the_check_in_link_names_its_patient_only(patient_a1, patient_a2):
    token = services.check_in_token(patient_a1)

    assert services.read_check_in_token(token) == patient_a1
    with pytest.raises(services.CheckInLinkInvalid) as tampered:
        services.read_check_in_token(token[:-2] + "xx")
    assert tampered.value.reason == "tampered"


def test_the_check_in_link_expires_after_7_days(clock, patient_a1):
    token = services.check_in_token(patient_a1)

    clock.advance(days=7, minutes=-1)
    assert services.read_check_in_token(token) == patient_a1
    clock.advance(minutes=2)
    with pytest.raises(services.CheckInLinkInvalid) as expired:
        services.read_check_in_token(token)

    assert expired.value.reason == "expired"


def test_a_still_open_esc_worse_is_not_raised_again_but_a_new_red_flag_is(
    revision_a1, patient_a1, clock
):
    # An hour apart: the same answers within REPEAT_WINDOW would be one check-in.
    check_in(patient_a1, has_new_symptoms=True)
    clock.advance(hours=1)
    again, _ = check_in(patient_a1, has_new_symptoms=True)
    clock.advance(hours=1)
    check_in(patient_a1, warning_signs=["infection_unwell"])
    clock.advance(hours=1)
    check_in(patient_a1, warning_signs=["infection_unwell"])

    assert again.rule_ids == ["ESC-WORSE"]
    assert Alert.objects.filter(rule_id="ESC-WORSE").count() == 1
    assert Alert.objects.filter(rule_id="RF-URG-INFECTION").count() == 2


def test_daily_rules_read_plans_in_a_constant_number_of_queries(catalogue, physio_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import PatientFactory

    counts = []
    for _ in range(2):
        patient = PatientFactory(physiotherapist=physio_a)
        revision = publish_plan_for(patient)
        check_in(patient)
        age_plan(revision, 3)  # nothing is due yet: no alert is written
        with CaptureQueriesContext(connection) as queries:
            assert services.run_daily_rules() == []
        # Leave out the per-plan savepoints (the test runs inside a transaction).
        counts.append(sum("SAVEPOINT" not in q["sql"] for q in queries.captured_queries))

    assert counts[0] == counts[1]
