"""PSFS over the episode, end to end (issue #18): the baseline at the assessment, CHK-2W asks
for a re-rating, a real Celery worker emails the link over real SMTP, the patient answers
through it, the physio's chart marks the MCID crossing and the dashboard shows the change;
then the worker renders the progress report PDF, read back with pypdf."""

from __future__ import annotations

import datetime
import re
import time
from urllib.parse import urlsplit

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from followup import outcomes, progress_report, services
from followup.models import FunctionReview, ProgressReport
from programs.intake_form import AssessmentForm
from programs.services import generate_plan, publish_plan, record_assessment
from tests.documents.pdf_text import pages_text
from tests.followup.conftest import TODAY, check_in, publish_plan_for
from tests.programs.intake_data import intake_form_data

HIGH_RISK_FORM = {
    **{
        f"start_back_item_{n}": value
        for n, value in enumerate(
            ["agree", "disagree", "disagree", "disagree", "agree", "agree", "agree", "disagree"],
            start=1,
        )
    },
    "start_back_item_9": "very_much",
}
PSFS_FORM = {
    "psfs_activity_1": "Putting on socks",
    "psfs_rating_1": "3",
    "psfs_activity_2": "Lifting my toddler",
    "psfs_rating_2": "2",
}
REVIEW_SUBJECT = services.FUNCTION_REVIEW_SUBJECT


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    location = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location, "base_url": None},
        },
    }
    return location


def high_risk_plan(patient):
    """Assessment with the nine STarT Back items (high risk) and two PSFS activities →
    published plan, through the page's form and the real services."""
    patient.clinic.is_start_back_enabled = True
    patient.clinic.save()
    data = intake_form_data(
        assessment_date=TODAY.isoformat(),
        onset_date=(TODAY - datetime.timedelta(days=1)).isoformat(),
        **HIGH_RISK_FORM,
        **PSFS_FORM,
    )
    form = AssessmentForm(
        data, date_of_birth=patient.date_of_birth, today=TODAY, start_back_enabled=True
    )
    assert form.is_valid(), form.errors
    by = patient.physiotherapist.user
    assessment = record_assessment(patient=patient, by=by, answers=form.answers, today=TODAY)
    plan = generate_plan(assessment=assessment, by=by, today=TODAY)
    return publish_plan(plan=plan, by=by)


def messages_with(smtp_server, subject: str, count: int, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in smtp_server.messages if m["Subject"] == subject]
        if len(found) >= count:
            return found
        time.sleep(0.1)
    pytest.fail(f"{count} email(s) '{subject}' not received in {timeout} s")


def wait_for_report(report_id: int, timeout: float = 90.0) -> ProgressReport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = ProgressReport.objects.get(pk=report_id)
        if report.status in ("ready", "failed"):
            return report
        time.sleep(0.2)
    pytest.fail(f"progress report {report_id} not ready in {timeout} s")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_psfs_review_through_the_email_link_to_the_chart_and_the_report(
    celery_worker, smtp_server, client, physio_a, patient_a1, catalogue
):
    revision = high_risk_plan(patient_a1)
    plan = revision.plan
    assert plan.assessment.rule_ids == ["AMB-HIGHRISK"]

    # Day 14: pain unchanged, so CHK-2W fires, and asks for a PSFS re-rating.
    check_in(patient_a1, pain=6, feeling="same")
    day_14 = timezone.now() + datetime.timedelta(days=14)
    raised = services.run_daily_rules(now=day_14)
    assert sorted(alert.rule_id for alert in raised) == ["AMB-HIGHRISK", "CHK-2W"]
    [review] = FunctionReview.objects.filter(plan=plan)
    assert review.rule_id == "CHK-2W"

    # The worker emails the link (no health detail in the subject).
    [email] = messages_with(smtp_server, REVIEW_SUBJECT, 1)
    assert email["To"] == patient_a1.email
    text = email.get_body(("plain",)).get_content()
    assert "Putting on socks" in text
    link = re.search(r"https?://\S+/activities/\S+/", text).group(0)

    page = client.get(urlsplit(link).path)
    assert page.status_code == 200
    assert "Lifting my toddler" in page.content.decode()
    answered = client.post(urlsplit(link).path, {"rating_1": "5", "rating_2": "5"})
    assert answered.status_code == 200
    assert "Thank you" in answered.content.decode()
    assert "_auth_user_id" not in client.session
    review.refresh_from_db()
    assert (review.ratings, review.source) == ([5, 5], "email_link")
    assert client.get(urlsplit(link).path).status_code == 410  # once only

    # The physio's chart and table: PSFS 2.5 → 5 (+2.5, meaningful), the MCID marked.
    client.force_login(physio_a.user)
    detail = client.get(f"/patients/{patient_a1.pk}/").content.decode()
    assert 'class="mcid-mark"' in detail
    assert "PSFS MCID" in detail
    assert "+2.5" in detail and "meaningful (MCID 2)" in detail
    assert "STarT Back: <strong>high risk</strong>" in detail
    changes = outcomes.change_since_baseline([patient_a1.pk])
    assert (changes[patient_a1.pk].psfs.improvement, changes[patient_a1.pk].pain.improvement) == (
        2.5,
        0,
    )

    # The progress report, rendered by the worker and read back.
    response = client.post(
        f"/plans/{plan.pk}/progress-report/", {"summary": "Improving <b>function</b>."}
    )
    assert response.status_code == 302
    report = wait_for_report(ProgressReport.objects.get(plan=plan).pk)
    assert report.status == "ready", report.error
    with default_storage.open(report.file.name, "rb") as stored:
        text = " ".join(pages_text(stored.read()))
    assert patient_a1.full_name in text
    assert "High risk (total 5/9, distress subscale 4/5)" in text
    assert "PSFS (mean of 2 activities, 0-10) 2.5 5.0 +2.5" in text
    assert "Pain (NPRS 0-10) 6 6 no change" in text
    assert "AMB-HIGHRISK" in text and "CHK-2W" in text
    assert "Improving <b>function</b>." in text  # escaped, printed as typed
    assert "Keele University" in text and "Arthritis Research UK" in text
    assert "Overall, how bothersome has your back pain been in the last 2 weeks? Very much" in text
    download = client.get(f"/progress-reports/{report.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_a_review_is_asked_once_and_only_with_a_psfs_baseline(
    patient_a1, patient_a2, catalogue, django_capture_on_commit_callbacks
):
    with_baseline = high_risk_plan(patient_a1).plan
    without = publish_plan_for(patient_a2).plan
    day_14 = timezone.now() + datetime.timedelta(days=14)

    services.run_daily_rules(now=day_14)
    services.run_daily_rules(now=day_14 + datetime.timedelta(days=1))

    assert list(FunctionReview.objects.values_list("plan_id", "rule_id")) == [
        (with_baseline.pk, "CHK-2W")
    ]
    assert not FunctionReview.objects.filter(plan=without).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ratings", "message"),
    [([5], "each of the activities"), ([5, 11], "0 (unable)")],
)
def test_bad_ratings_are_refused_and_nothing_is_stored(patient_a1, catalogue, ratings, message):
    plan = high_risk_plan(patient_a1).plan
    review = services.request_function_review(plan=plan, rule_id="CHK-2W", once_key="plan")

    with pytest.raises(Exception, match=re.escape(message)):
        services.answer_function_review(
            review=review, ratings=ratings, source="portal", actor=patient_a1.user
        )

    review.refresh_from_db()
    assert (review.ratings, review.answered_at) == (None, None)


@pytest.mark.django_db
def test_the_report_page_refuses_another_clinic(client, physio_b, patient_a1, catalogue):
    plan = high_risk_plan(patient_a1).plan
    client.force_login(physio_b.user)

    response = client.post(f"/plans/{plan.pk}/progress-report/", {"summary": "x"})

    assert response.status_code == 404
    assert not ProgressReport.objects.exists()


@pytest.mark.django_db
def test_the_report_html_escapes_the_summary(patient_a1, physio_a, catalogue):
    plan = high_risk_plan(patient_a1).plan
    report = progress_report.request_progress_report(
        plan=plan, summary="<img src='http://example.com/x.png'>", by=physio_a.user
    )

    html = progress_report.progress_report_html(report)

    assert "<img src='http://example.com" not in html
    assert "&lt;img src=" in html
