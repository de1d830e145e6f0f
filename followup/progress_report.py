"""The progress report PDF for a GP or insurer (issue #18): the episode's dates, the screening
outcome and its rule ids, the STarT Back group (with the items, answers and licence statement),
the plan's phases with dates, adherence, PSFS and pain from baseline to now (chart and table),
open alerts and the physio's summary.

Rendered by the worker on the `pdf` queue like the program PDF, with the same restricted URL
fetcher (`documents.pdf.render_pdf`): it reads nothing but our static files. The physio's
summary is escaped like every other text. The row is the outbox (DESIGN §9): created in the
physio's transaction, claimed by one worker, failed with its reason when it cannot be made.
"""

from __future__ import annotations

import datetime
import logging
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import AuditEvent
from accounts.services import record_audit
from clinical.measures import (
    AGREE_ITEMS,
    BOTHERSOME_ITEM,
    START_BACK_INTRODUCTION,
    START_BACK_LICENCE,
    Bothersome,
)
from core import outbox
from documents import pdf
from followup import outcomes, tasks
from followup.models import ProgressReport
from followup.selectors import follow_up_overview
from programs.models import Plan

logger = logging.getLogger(__name__)

# Longer than the render task's hard time limit: a row `rendering` this long has no worker.
RENDERING_TIMEOUT = datetime.timedelta(minutes=5)
SUMMARY_MAX = 4000


class TransientReportError(OSError):
    """Storage failed: the task retries; the row is back in `pending`."""


def record_report_failure(*, report_id: int, error: str) -> None:
    """The last attempt failed: keep the reason where the physio sees it."""
    ProgressReport.objects.filter(pk=report_id).exclude(status=ProgressReport.Status.READY).update(
        status=ProgressReport.Status.FAILED, error=error[:1000], finished_at=timezone.now()
    )


@transaction.atomic
def request_progress_report(*, plan: Plan, summary: str, by) -> ProgressReport:
    """Record the physio's request; the worker renders it after commit."""
    summary = summary.strip()
    if len(summary) > SUMMARY_MAX:
        raise ValidationError(
            {"summary": _("Keep the summary to %(max)s characters.") % {"max": SUMMARY_MAX}}
        )
    if not plan.revisions.exists():
        raise ValidationError({"plan": _("Publish the plan before making a progress report.")})
    report = ProgressReport.objects.create(plan=plan, summary=summary, created_by=by)
    record_audit(
        actor=by,
        patient=plan.patient,
        action=AuditEvent.Action.CREATE,
        detail=f"progress report {report.pk} requested",
    )
    outbox.add(
        tasks.render_progress_report_task, kwargs={"report_id": report.pk}, queue=tasks.PDF_QUEUE
    )
    return report


def _start_back_items(answers: dict) -> list[dict]:
    stored = answers.get("start_back_answers")
    if not stored:
        return []
    rows = [
        {"number": item.number, "text": item.text, "answer": value.capitalize()}
        for item, value in zip(AGREE_ITEMS, stored["items"], strict=True)
    ]
    rows.append(
        {
            "number": BOTHERSOME_ITEM.number,
            "text": BOTHERSOME_ITEM.text,
            "answer": Bothersome(stored["bothersome"]).label,
        }
    )
    return rows


# STarT Back risk groups as the report names them.
RISK_LABELS = {
    "low": gettext_noop("Low"),
    "medium": gettext_noop("Medium"),
    "high": gettext_noop("High"),
}


def report_language(report: ProgressReport) -> str:
    """The requesting physio's language: the report is their clinical record."""
    physio = getattr(report.created_by, "physiotherapist", None) if report.created_by else None
    return physio.language if physio is not None else settings.LANGUAGE_CODE


def progress_report_html(report: ProgressReport) -> str:
    with translation.override(report_language(report)):
        return _progress_report_html(report)


def _progress_report_html(report: ProgressReport) -> str:
    plan = report.plan
    patient = plan.patient
    episode = outcomes.episode_of(plan)
    today = timezone.localdate()
    overview = follow_up_overview(patient, today=today)
    assessment = plan.assessment
    return render_to_string(
        "pdf/progress_report.html",
        {
            "report": report,
            "patient": patient,
            "clinic": patient.clinic,
            "plan": plan,
            "assessment": assessment,
            "episode": episode,
            "chart": outcomes.outcome_chart(episode, today=today),
            "chart_id": f"report-chart-{report.pk}",
            "start_back_items": _start_back_items(assessment.answers),
            "start_back_introduction": START_BACK_INTRODUCTION,
            "start_back_licence": START_BACK_LICENCE,
            "risk_label": _risk_label(episode),
            "short_date": _("j M Y"),
            "adherence_7": overview.adherence_7,
            "adherence_28": overview.adherence_28,
            "open_alerts": overview.open_alerts,
            "today": today,
            "onset_date": assessment.answers.get("onset_date"),
            "stylesheet_url": pdf.static_url(pdf.STYLESHEET),
            "page_size": patient.clinic.paper_size,
        },
    )


def _risk_label(episode) -> str:
    if not episode.start_back:
        return ""
    risk = str(getattr(episode.start_back.risk, "value", episode.start_back.risk))
    return _(RISK_LABELS[risk]) if risk in RISK_LABELS else risk.capitalize()


def render_progress_report(*, report_id: int) -> ProgressReport | None:
    """Claim, render, store, mark ready; None when there was nothing to do."""
    now = timezone.now()
    claimable = Q(status=ProgressReport.Status.PENDING) | Q(
        status=ProgressReport.Status.RENDERING, started_at__lt=now - RENDERING_TIMEOUT
    )
    claimed = ProgressReport.objects.filter(claimable, pk=report_id).update(
        status=ProgressReport.Status.RENDERING, started_at=now, error=""
    )
    if not claimed:
        logger.info("progress report %s: not claimable, nothing to do", report_id)
        return None
    mine = ProgressReport.objects.filter(
        pk=report_id, status=ProgressReport.Status.RENDERING, started_at=now
    )
    try:
        report = ProgressReport.objects.select_related(
            "plan__assessment", "plan__patient__clinic"
        ).get(pk=report_id)
        data = pdf.render_pdf(progress_report_html(report), url_fetcher=pdf.make_url_fetcher())
        name = default_storage.save(f"reports/{uuid.uuid4().hex}.pdf", ContentFile(data))
    except OSError as error:
        mine.update(status=ProgressReport.Status.PENDING, error=str(error)[:1000])
        raise TransientReportError(str(error)) from error
    except Exception as error:
        logger.exception("progress report %s: render failed", report_id)
        mine.update(
            status=ProgressReport.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:1000],
            finished_at=timezone.now(),
        )
        return None
    mine.update(status=ProgressReport.Status.READY, file=name, finished_at=timezone.now())
    report.refresh_from_db()
    return report
