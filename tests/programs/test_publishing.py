"""Publishing (issue #14, item 8): an unchanged plan is not published again (page message, API
409 `nothing_to_publish`), two publishes at once make one revision, and publishing a plan
archives the patient's other plan in use, so the patient follows exactly one."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.urls import reverse

from accounts.models import AuditEvent
from followup import services as followup_services
from programs import services
from programs.intake_form import AssessmentForm
from programs.models import Plan, PlanRevision, Prescription
from programs.selectors import current_revision
from tests.clock import DAY
from tests.followup.conftest import TODAY, publish_plan_for
from tests.programs.intake_data import intake_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def revision_a1(patient_a1, catalogue) -> PlanRevision:
    return publish_plan_for(patient_a1)


def _draft_for(patient) -> Plan:
    """A further plan for the patient, from a new assessment, not yet published."""
    data = intake_form_data(assessment_date=TODAY.isoformat(), onset_date=(TODAY - DAY).isoformat())
    form = AssessmentForm(data, date_of_birth=patient.date_of_birth, today=TODAY)
    assert form.is_valid(), form.errors
    physio = patient.physiotherapist
    assessment = services.record_assessment(
        patient=patient, by=physio.user, answers=form.answers, today=TODAY
    )
    return services.generate_plan(assessment=assessment, by=physio.user, today=TODAY)


def _change_a_dosage(plan: Plan) -> None:
    item = Prescription.objects.filter(phase__plan=plan).order_by("pk")[0]
    Prescription.objects.filter(pk=item.pk).update(sets=(item.sets or 1) + 1)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- nothing to publish -------------------------------------------------------------------


def test_an_unchanged_plan_is_not_published_again(revision_a1, physio_a):
    with pytest.raises(services.NothingToPublish) as refused:
        services.publish_plan(plan=revision_a1.plan, by=physio_a.user)

    assert refused.value.code == "nothing_to_publish"
    assert list(revision_a1.plan.revisions.values_list("number", flat=True)) == [1]


def test_a_changed_plan_is_published_as_the_next_revision(revision_a1, physio_a):
    _change_a_dosage(revision_a1.plan)

    revision = services.publish_plan(plan=revision_a1.plan, by=physio_a.user)

    assert revision.number == 2
    assert revision_a1.plan.revisions.count() == 2


def test_the_api_answers_409_nothing_to_publish_for_an_unchanged_plan(api, revision_a1, physio_a):
    url = f"/api/v1/plans/{revision_a1.plan_id}/publish/"
    client = api.as_user(physio_a.user)
    _change_a_dosage(revision_a1.plan)

    first = client.post(url, {"confirm_warnings": True}, format="json")
    second = client.post(url, {"confirm_warnings": True}, format="json")

    assert first.status_code == 201
    assert first.json()["number"] == 2
    assert second.status_code == 409
    assert second.json() == {
        "code": "nothing_to_publish",
        "detail": "Nothing to publish: the plan is the same as revision 2, which the patient "
        "sees already.",
        "fields": {},
    }
    assert revision_a1.plan.revisions.count() == 2


def test_the_publish_button_on_an_unchanged_plan_says_nothing_to_publish(
    client, revision_a1, physio_a
):
    client.force_login(physio_a.user)

    response = client.post(reverse("plan-publish", args=[revision_a1.plan_id]))

    assert response.status_code == 302
    assert response.url == reverse("plan-edit", args=[revision_a1.plan_id])
    assert _messages(response) == [
        "Nothing to publish: the plan is the same as revision 1, which the patient sees already."
    ]
    assert revision_a1.plan.revisions.count() == 1


# --- one plan followed --------------------------------------------------------------------


def test_publishing_a_second_plan_archives_the_first(revision_a1, patient_a1, physio_a):
    second = _draft_for(patient_a1)

    revision = services.publish_plan(plan=second, by=physio_a.user)

    statuses = dict(Plan.objects.filter(patient=patient_a1).values_list("pk", "status"))
    assert statuses == {revision_a1.plan_id: "archived", second.pk: "active"}
    assert current_revision(patient_a1) == revision
    assert (
        AuditEvent.objects.filter(
            patient=patient_a1,
            detail=f"plan {revision_a1.plan_id} archived: replaced by plan {second.pk}",
        ).count()
        == 1
    )


def test_a_paused_plan_is_archived_too(revision_a1, patient_a1, physio_a):
    Plan.objects.filter(pk=revision_a1.plan_id).update(status=Plan.Status.PAUSED)
    second = _draft_for(patient_a1)

    services.publish_plan(plan=second, by=physio_a.user)

    assert Plan.objects.get(pk=revision_a1.plan_id).status == "archived"


def test_check_ins_go_to_the_one_plan_followed(revision_a1, patient_a1, physio_a):
    second = _draft_for(patient_a1)
    services.publish_plan(plan=second, by=physio_a.user)

    stored, _ = followup_services.record_check_in(
        patient=patient_a1, source="portal", pain=3, feeling="better"
    )

    assert stored.plan_id == second.pk


def test_the_editor_and_the_publish_message_say_which_plan_is_archived(
    client, revision_a1, patient_a1, physio_a
):
    second = _draft_for(patient_a1)
    client.force_login(physio_a.user)
    started = revision_a1.plan.created_at.astimezone().strftime("%-d %b %Y")

    editor = client.get(reverse("plan-edit", args=[second.pk])).content.decode()
    published = client.post(reverse("plan-publish", args=[second.pk]), {"confirm_warnings": "true"})
    page = client.get(reverse("patient-detail", args=[patient_a1.pk])).content.decode()

    assert (
        f"Publishing archives the plan of {started} (active), which {patient_a1.full_name} "
        "follows now: a patient follows one plan."
    ) in editor
    assert _messages(published) == [
        "Published as revision 1. The patient can now see it.",
        f"The plan of {started} is archived: the patient follows this plan only.",
    ]
    assert page.count("Archived (replaced by a newer plan; the patient no longer sees it)") == 1
    assert page.count("· Active") == 1


def test_the_editor_of_the_only_plan_warns_of_nothing(client, revision_a1, physio_a):
    client.force_login(physio_a.user)

    editor = client.get(reverse("plan-edit", args=[revision_a1.plan_id])).content.decode()

    assert "Publishing archives" not in editor


def test_publishing_through_the_api_archives_the_other_plan(api, revision_a1, patient_a1, physio_a):
    second = _draft_for(patient_a1)

    response = api.as_user(physio_a.user).post(
        f"/api/v1/plans/{second.pk}/publish/", {"confirm_warnings": True}, format="json"
    )

    assert response.status_code == 201
    assert Plan.objects.get(pk=revision_a1.plan_id).status == "archived"
    assert list(Plan.objects.filter(patient=patient_a1, status="active")) == [second]


# --- at the same time ---------------------------------------------------------------------


def _publish_at_once(plans: list[Plan], by) -> list[str]:
    """Publish each plan in its own thread and connection, all waiting on the patient's plan
    rows until every one is queued behind this test's lock; each thread's result name."""
    results: list[str] = []

    def run(plan: Plan) -> None:
        try:
            services.publish_plan(plan=plan, by=by)
            results.append("published")
        except services.PlanConflictError as refused:
            results.append(refused.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(plan,)) for plan in plans]
    with transaction.atomic():
        list(Plan.objects.select_for_update().filter(patient_id=plans[0].patient_id))
        for thread in threads:
            thread.start()
        for _ in range(1000):  # 20 s at most (the suite's clock stands still: count the naps)
            if _waiting_on_locks() == len(threads):
                break
            time.sleep(0.02)
        else:
            pytest.fail("the publishes never queued on the lock")
    for thread in threads:
        thread.join()
    return sorted(results)


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        # Inside a transaction PostgreSQL answers from a snapshot of the statistics: drop it.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_publishes_of_one_plan_at_once_make_one_revision(patient_a1, physio_a, catalogue):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    plan = _draft_for(patient_a1)

    results = _publish_at_once([plan, plan], physio_a.user)

    assert results == ["nothing_to_publish", "published"]
    assert list(PlanRevision.objects.filter(plan=plan).values_list("number", flat=True)) == [1]


@pytest.mark.django_db(transaction=True)
def test_two_plans_published_at_once_leave_one_active(patient_a1, physio_a, catalogue):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    plans = [_draft_for(patient_a1), _draft_for(patient_a1)]

    results = _publish_at_once(plans, physio_a.user)

    # One after the other: the later publish archives the plan the earlier one made active
    # (without the lock each could find no other active plan and both stay active).
    assert results == ["published", "published"]
    statuses = sorted(Plan.objects.filter(patient=patient_a1).values_list("status", flat=True))
    assert statuses == ["active", "archived"]
    assert AuditEvent.objects.filter(detail__contains=" archived: replaced by plan ").count() == 1
