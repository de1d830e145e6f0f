"""Reminder workflows: default schedules, dispatching due slots, sending, sweeping, unsubscribing.

Exactly once (DESIGN §9): the database decides, the broker only rings the bell. The dispatcher
inserts one `ReminderDelivery` row per (patient, slot) under a unique constraint and writes,
in the same transaction, outbox messages for only the rows its own run inserted; a sender
claims a row with a conditional UPDATE (pending → sending) holding a lease it renews while it
sends, and sends only if that changed exactly one row. A worker that dies leaves the row in
`sending` until its lease ends; the outbox sends the unfinished message again and that run
takes the row over. A transient failure puts the row back to `pending` with the time of its
next attempt (backoff) and an outbox message for then, until the slot is `LATE_LIMIT` late:
then it is `failed`, with the reason in words. The one remaining window is a worker dying
after the SMTP server accepted a message and before the row says `sent`: that reminder may
go out twice, never zero times."""

from __future__ import annotations

import datetime
import logging
import smtplib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import make_msgid
from typing import TYPE_CHECKING, NamedTuple, TypedDict, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import AuditEvent, Patient
from accounts.services import add_letterhead, clinic_sender, record_audit
from clinical.education import SAFETY_NET
from clinical.follow_up import ReminderBlock, reminder_block
from core import leases, links, outbox
from core.i18n import localise
from core.mail import attach_inline_image
from exercises.illustrations import start_frame_png
from programs import safety
from programs.models import Plan, PlanRevision
from reminders import slots, tasks
from reminders.models import ReminderDelivery, ReminderSchedule

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

logger = logging.getLogger(__name__)

# Subscription mail: never a health detail in the subject. In the patient's language when sent.
SUBJECT = gettext_noop("Your exercise reminder")
LATE_LIMIT = datetime.timedelta(hours=2)  # a slot later than this is skipped, never sent
CATCH_UP = datetime.timedelta(days=7)  # missed slots this recent are recorded as skipped
# Rows claimed before leases (locked_until empty): a row `sending` this long has no worker.
SENDING_TIMEOUT = datetime.timedelta(minutes=5)
# Longer than the longest retry backoff, so a `pending` row this old has no message queued.
PENDING_TIMEOUT = datetime.timedelta(minutes=10)
DISPATCH_BATCH_SIZE = 1000
DISPATCH_MAX_BATCHES = 200
SEND_BATCH_SIZE = 50
SWEEP_BATCH_SIZE = 500
# Default frequency (clinical-model §4.9): 3 a week in P1-P3, weekly in P4.
DEFAULT_WEEKDAYS = {"P1": [0, 2, 4], "P2": [0, 2, 4], "P3": [0, 2, 4], "P4": [0]}
DEFAULT_TIME = datetime.time(8, 0)
SCHEDULE_FIELDS = ("is_enabled", "weekdays", "local_time", "timezone", "is_subscribed")

Status = ReminderDelivery.Status


class UnsubscribeLinkInvalid(links.InvalidLink):
    """An unsubscribe link that is tampered with or expired."""


@dataclass
class DispatchResult:
    schedules: int = 0
    queued: list[int] = field(default_factory=list)
    skipped: int = 0


# --- schedules ---------------------------------------------------------------------------


def _next_slot(schedule: ReminderSchedule, now: datetime.datetime) -> datetime.datetime | None:
    if not schedule.is_sending:
        return None
    return slots.next_slot_after(schedule.as_slot_schedule(), now)


def apply_default_schedule(*, plan: Plan) -> ReminderSchedule:
    """Give the plan's patient the default reminder schedule, unless they have one already.

    Called when a plan is published; an existing schedule (the patient's or physio's own
    choice, an unsubscribe) is never overwritten.
    """
    patient = plan.patient
    schedule = ReminderSchedule(
        patient=patient,
        weekdays=DEFAULT_WEEKDAYS.get(plan.current_phase, DEFAULT_WEEKDAYS["P1"]),
        local_time=DEFAULT_TIME,
        timezone=patient.timezone,
    )
    schedule.next_slot_at = _next_slot(schedule, timezone.now())
    schedule, _ = ReminderSchedule.objects.get_or_create(
        patient=patient,
        defaults={
            name: getattr(schedule, name)
            for name in ("weekdays", "local_time", "timezone", "next_slot_at")
        },
    )
    return schedule


def schedule_for(patient: Patient) -> ReminderSchedule:
    """The patient's schedule, or an unsaved default one to show in a form."""
    schedule = ReminderSchedule.objects.filter(patient=patient).first()
    if schedule is None:
        schedule = ReminderSchedule(
            patient=patient,
            weekdays=list(DEFAULT_WEEKDAYS["P1"]),
            local_time=DEFAULT_TIME,
            timezone=patient.timezone,
        )
    return schedule


@transaction.atomic
def update_schedule(*, patient: Patient, by, **changes) -> ReminderSchedule:
    """Change when the patient gets reminders (patient or physio); validated as a whole."""
    unknown = set(changes) - set(SCHEDULE_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be changed." for name in unknown})
    existing = ReminderSchedule.objects.select_for_update().filter(patient=patient).first()
    schedule = existing or schedule_for(patient)
    now = timezone.now()
    if "is_subscribed" in changes:
        subscribe = changes.pop("is_subscribed")
        if subscribe:
            schedule.unsubscribed_at = None
        elif schedule.unsubscribed_at is None:
            schedule.unsubscribed_at = now
    if "weekdays" in changes:
        changes["weekdays"] = sorted(set(changes["weekdays"] or []))
    for name, value in changes.items():
        setattr(schedule, name, value)
    schedule.full_clean(exclude=["patient"])
    schedule.next_slot_at = _next_slot(schedule, now)
    schedule.save()
    record_audit(
        actor=by,
        patient=patient,
        action=AuditEvent.Action.UPDATE,
        detail="changed reminder schedule",
    )
    return schedule


def pause_reminders(*, patient: Patient, reason: str) -> None:
    """Stop reminders at once (ESC-WORSE, a red-flag answer): pending ones are not sent."""
    ReminderSchedule.objects.filter(patient=patient).update(
        paused_reason=reason[:200], next_slot_at=None, updated_at=timezone.now()
    )


# The pause of an open safety concern (programs.safety): only closing the concern ends it.
# Stored in English (the physio's pages show it through `core.i18n.localise`).
SAFETY_PAUSE_TEXT = gettext_noop("safety concern open: %(rules)s")
SAFETY_PAUSE = SAFETY_PAUSE_TEXT.split("%", 1)[0]


def pause_for_safety(*, patient: Patient, rule_ids) -> None:
    """A safety concern opened: pause, keeping the reason of a pause already made for its
    warning sign at a check-in (it says when)."""
    schedule = ReminderSchedule.objects.filter(patient=patient).first()
    if schedule is not None and not schedule.paused_reason:
        pause_reminders(patient=patient, reason=SAFETY_PAUSE_TEXT % {"rules": ", ".join(rule_ids)})


def resume_after_safety_concern(*, patient: Patient, rule_ids, by) -> ReminderSchedule | None:
    """The physio closed the concern: reminders paused for it (or for one of its warning
    signs at a check-in) resume; a pause for anything else stays."""
    schedule = ReminderSchedule.objects.filter(patient=patient).first()
    if schedule is None or not schedule.paused_reason.startswith((SAFETY_PAUSE, *rule_ids)):
        return None
    return resume_reminders(patient=patient, by=by)


def resume_reminders(*, patient: Patient, by) -> ReminderSchedule | None:
    schedule = ReminderSchedule.objects.filter(patient=patient).first()
    if schedule is None:
        return None
    if safety.state_of(patient).is_open:
        raise ValidationError(
            "Reminders stay paused while the patient's safety concern is open: close it "
            "(with what happened) on the patient's page first."
        )
    schedule.paused_reason = ""
    schedule.next_slot_at = _next_slot(schedule, timezone.now())
    schedule.save(update_fields=["paused_reason", "next_slot_at", "updated_at"])
    record_audit(
        actor=by, patient=patient, action=AuditEvent.Action.UPDATE, detail="resumed reminders"
    )
    return schedule


# --- who may get a reminder --------------------------------------------------------------


def _current_revisions_of_outer_patient():
    """The revisions the outer row's patient (`patient_id`) sees, current first: a subquery."""
    return PlanRevision.objects.current(OuterRef("patient_id"))


class _LoadedRevision(TypedDict):
    revision_id: int | None
    revision: PlanRevision | None


if TYPE_CHECKING:
    # A delivery from `_load_claimed`.
    LoadedDelivery = WithAnnotations[ReminderDelivery, _LoadedRevision]


def _with_current_plan(queryset):
    """Annotate schedules with the status and last publish time of the patient's current plan.

    "Current" is `PlanRevision.objects.current`: the latest published revision of a plan
    that is active or paused.
    """
    revisions = _current_revisions_of_outer_patient()
    return queryset.annotate(
        plan_status=Subquery(revisions.values("plan__status")[:1]),
        last_published_at=Subquery(revisions.values("published_at")[:1]),
    )


# Words for the physio, by `clinical.follow_up.reminder_block`'s answer.
# Stored in English (a delivery's `last_error`), shown through `core.i18n.localise`.
NOT_SENDING_TEXT = {
    ReminderBlock.NO_SCHEDULE: gettext_noop("No reminder schedule yet."),
    ReminderBlock.UNSUBSCRIBED: gettext_noop("The patient unsubscribed."),
    ReminderBlock.TURNED_OFF: gettext_noop("Reminders are turned off."),
    ReminderBlock.NO_WEEKDAY: gettext_noop("No weekday chosen."),
    ReminderBlock.NO_PLAN: gettext_noop("No published plan."),
    ReminderBlock.PLAN_PAUSED: gettext_noop("The plan is paused."),
    ReminderBlock.PLAN_EXPIRED: gettext_noop(
        "PLAN-EXPIRY: more than 6 weeks since the plan was last published."
    ),
}
PAUSED_TEXT = gettext_noop("Paused: %(reason)s")
TOO_LATE_TEXT = gettext_noop("More than 2 hours late: not sent.")
GAVE_UP_TEXT = gettext_noop(
    "Not sent: %(reason)s Tried %(attempts)s times until the reminder was 2 hours late."
)


def why_not_sending(
    schedule: ReminderSchedule | None,
    plan_status: str | None,
    last_published_at: datetime.datetime | None,
    now: datetime.datetime,
) -> str:
    """Why this patient gets no reminders now, in words for the physio; "" when they do."""
    if schedule is None or schedule.pk is None:
        return NOT_SENDING_TEXT[ReminderBlock.NO_SCHEDULE]
    block = reminder_block(
        has_schedule=True,
        is_subscribed=schedule.unsubscribed_at is None,
        is_enabled=schedule.is_enabled,
        paused_reason=schedule.paused_reason,
        weekdays=schedule.weekdays,
        plan_status=plan_status,
        last_published_at=last_published_at,
        now=now,
    )
    if block is None:
        return ""
    if block is ReminderBlock.PAUSED:
        return PAUSED_TEXT % {"reason": schedule.paused_reason}
    return NOT_SENDING_TEXT[block]


def reminder_overview(patient: Patient, *, now: datetime.datetime | None = None) -> dict:
    """What the physio's panel shows: the schedule, why not / when next, the last deliveries."""
    now = now or timezone.now()
    schedule = _with_current_plan(ReminderSchedule.objects.filter(patient=patient)).first()
    reason = why_not_sending(
        schedule,
        getattr(schedule, "plan_status", None),
        getattr(schedule, "last_published_at", None),
        now,
    )
    next_at = None
    if schedule is not None and not reason:
        next_at = slots.next_slot_after(schedule.as_slot_schedule(), now)
    return {
        "schedule": schedule or schedule_for(patient),
        "has_schedule": schedule is not None,
        "not_sending_reason": localise(reason),  # in the physio's language
        "next_at": next_at,
        "deliveries": list(patient.reminder_deliveries.order_by("-slot_at")[:10]),
    }


# --- dispatching -------------------------------------------------------------------------


class DueSchedule(NamedTuple):
    """What the dispatcher reads of one due schedule: plain values, no model instance.

    The query's filter guarantees the schedule is enabled, subscribed and not paused.
    """

    id: int
    patient_id: int
    weekdays: list[int]
    local_time: datetime.time
    timezone: str
    next_slot_at: datetime.datetime
    plan_status: str | None
    last_published_at: datetime.datetime | None

    def may_send(self, now: datetime.datetime) -> bool:
        return (
            reminder_block(
                has_schedule=True,
                is_subscribed=True,
                is_enabled=True,
                paused_reason="",
                weekdays=self.weekdays,
                plan_status=self.plan_status,
                last_published_at=self.last_published_at,
                now=now,
            )
            is None
        )


def due_schedules(now: datetime.datetime):
    """Schedules with a slot due by `now`, oldest first, with their current plan's status and
    last publish time, as `DueSchedule` values (`values_list` rows in `DueSchedule`'s order).

    The filter is the `reminder_schedule_due` index's condition, so the dispatcher's
    `LIMIT … FOR UPDATE` walks that index in order instead of scanning and sorting every due
    schedule for each batch (a schedule that may not send has no next slot anyway: the
    services clear it). No tie-break on id for the same reason; the order among equal slots
    does not matter. Rows are tuples: building 100,000 model instances cost two thirds of
    the selection (DESIGN §8: ≤ 1 s for 100,000 due).
    """
    return _with_current_plan(
        ReminderSchedule.objects.filter(
            next_slot_at__lte=now, is_enabled=True, unsubscribed_at__isnull=True, paused_reason=""
        ).order_by("next_slot_at")
    ).values_list(*DueSchedule._fields)


def dispatch_due_reminders(*, now: datetime.datetime | None = None) -> DispatchResult:
    """Insert a delivery row for every due slot and enqueue a send for each new row.

    Works in bounded batches, each a constant number of queries: select (locking with
    SKIP LOCKED, so two dispatchers take different schedules), insert rows, advance the
    schedules' next slot, read back the rows this run inserted. Slots up to `LATE_LIMIT`
    late are sent; older ones (after an outage) are recorded as `skipped`, never sent.
    """
    now = now or timezone.now()
    result = DispatchResult()
    for _batch in range(DISPATCH_MAX_BATCHES):
        with transaction.atomic():
            batch = [
                DueSchedule._make(row)
                for row in due_schedules(now).select_for_update(skip_locked=True, of=("self",))[
                    :DISPATCH_BATCH_SIZE
                ]
            ]
            if not batch:
                break
            _dispatch_batch(batch, now, result)
        if len(batch) < DISPATCH_BATCH_SIZE:
            break
    return result


SlotKey = tuple[tuple[int, ...], datetime.time, str, datetime.datetime, bool]


def _slots_of(key: SlotKey, now: datetime.datetime):
    """(due slots, next slot) of one kind of schedule: many patients share weekdays, time,
    time zone and next slot (the default schedule), so a batch computes each kind once."""
    weekdays, local_time, zone, next_slot_at, sending = key
    spec = slots.Schedule(weekdays=frozenset(weekdays), local_time=local_time, timezone=zone)
    due: list[datetime.datetime] = []
    if sending:
        # next_slot_at itself is due: start just before it.
        start = max(next_slot_at - datetime.timedelta(microseconds=1), now - CATCH_UP)
        due = list(slots.slots_between(spec, start, now))
    return due, slots.next_slot_after(spec, now)


def _dispatch_batch(batch: list[DueSchedule], now, result: DispatchResult) -> None:
    run = uuid.uuid4()
    rows: list[ReminderDelivery] = []
    next_slots: list[datetime.datetime | None] = []
    kinds: dict[SlotKey, tuple[list[datetime.datetime], datetime.datetime | None]] = {}
    for schedule in batch:
        key = (
            tuple(schedule.weekdays),
            schedule.local_time,
            schedule.timezone,
            schedule.next_slot_at,
            schedule.may_send(now),
        )
        if key not in kinds:
            kinds[key] = _slots_of(key, now)
        due, next_slot = kinds[key]
        for slot in due:
            is_late = now - slot > LATE_LIMIT
            rows.append(
                ReminderDelivery(
                    patient_id=schedule.patient_id,
                    slot_at=slot,
                    status=Status.SKIPPED if is_late else Status.PENDING,
                    last_error="Missed by more than 2 hours: not sent." if is_late else "",
                    dispatch_run=run,
                )
            )
        # A schedule that may not send now (plan paused or expired) still moves on, so it is
        # not re-read every minute and resumes at its next slot, without a burst.
        next_slots.append(next_slot)
    ReminderDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    _save_next_slots([schedule.id for schedule in batch], next_slots)
    # Rows that already existed kept their own run id: each row is enqueued by one run only.
    new = ReminderDelivery.objects.filter(
        patient_id__in=[s.patient_id for s in batch],
        slot_at__gt=now - CATCH_UP,
        dispatch_run=run,
    ).values_list("id", "status")
    queued = [pk for pk, status in new if status == Status.PENDING]
    result.schedules += len(batch)
    result.skipped += sum(1 for row in rows if row.status == Status.SKIPPED)
    result.queued.extend(queued)
    _enqueue(queued)


def _save_next_slots(ids: Sequence[int], next_slots: Sequence[datetime.datetime | None]) -> None:
    """Save each schedule's new `next_slot_at` in one statement.

    On PostgreSQL an UPDATE … FROM unnest(ids, slots): `bulk_update` builds a CASE with one
    branch per row, which cost more than half of a 1,000-schedule batch (the expressions are
    resolved one by one in Python, then compared row by row in the database).
    """
    if connection.vendor != "postgresql":
        ReminderSchedule.objects.bulk_update(
            [
                ReminderSchedule(pk=pk, next_slot_at=slot)
                for pk, slot in zip(ids, next_slots, strict=True)
            ],
            ["next_slot_at"],
        )
        return
    table = connection.ops.quote_name(ReminderSchedule._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS s SET next_slot_at = v.next_slot_at "  # noqa: S608 - the model's table
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, next_slot_at) "
            "WHERE s.id = v.id",
            [list(ids), list(next_slots)],
        )


def _enqueue(delivery_ids: list[int]) -> None:
    """One outbox message per batch of SEND_BATCH_SIZE rows, in the caller's transaction."""
    outbox.add_many(
        tasks.send_reminders_batch_task,
        kwargs_list=[
            {"delivery_ids": delivery_ids[index : index + SEND_BATCH_SIZE]}
            for index in range(0, len(delivery_ids), SEND_BATCH_SIZE)
        ],
        queue=tasks.QUEUE,
    )


# --- sending -----------------------------------------------------------------------------


def is_transient(error: Exception) -> bool:
    """A 4xx SMTP answer or a network failure: worth trying again. 5xx: it will not work."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, (smtplib.SMTPException, OSError))


def failure_in_words(error: Exception) -> str:
    """What went wrong, for the physio: no exception class names, no repr. Stored in English
    (a delivery's `last_error`); a marked message, so `localise` shows it in Spanish."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return gettext_noop("The email server refused the patient's address.")
    if isinstance(error, smtplib.SMTPResponseException):
        answer = error.smtp_error
        text = answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)
        if 400 <= error.smtp_code < 500:
            message = gettext_noop(
                "The email server asked us to try later (it answered %(code)s %(answer)s)."
            )
        else:
            message = gettext_noop(
                "The email server refused the email (it answered %(code)s %(answer)s)."
            )
        return (message % {"code": error.smtp_code, "answer": text[:400]})[:500]
    if isinstance(error, smtplib.SMTPException):
        return gettext_noop("The email server broke off the conversation.")
    if isinstance(error, TimeoutError):
        return gettext_noop("The email server did not answer in time.")
    if isinstance(error, OSError):
        return gettext_noop("The email server could not be reached.")
    return gettext_noop("Sending failed because of an error in this service.")


def next_attempt_at(attempts: int, now: datetime.datetime) -> datetime.datetime:
    """Backoff after `attempts` tries (SMTP down, 4xx): by default 10, 20, 40, 80, 160 s,
    then every 5 minutes (settings REMINDER_RETRY_*), until the slot is LATE_LIMIT late."""
    first = datetime.timedelta(seconds=settings.REMINDER_RETRY_FIRST_SECONDS)
    longest = datetime.timedelta(seconds=settings.REMINDER_RETRY_MAX_SECONDS)
    return now + min(first * 2 ** max(attempts - 1, 0), longest)


def unsubscribe_token(schedule: ReminderSchedule) -> str:
    return links.UNSUBSCRIBE.token(schedule.public_id.hex)


def unsubscribe_url(schedule: ReminderSchedule) -> str:
    return links.UNSUBSCRIBE.url(schedule.public_id.hex)


def todays_items(revision: PlanRevision) -> list[dict]:
    """The items of the phase the patient follows now (the previous one during a REGRESS),
    from the published revision in the active language, with dosage in plain words and the
    start frame of each drawing as a small PNG (`picture`, None without a drawing)."""
    phase = revision.followed_phase()
    if phase is None:
        return []
    return [
        {
            "name": item["name"],
            "dosage_text": item["dosage_text"],
            "picture": start_frame_png(item),
            "picture_id": f"drawing-{index}",
        }
        for index, item in enumerate(phase["items"])
    ]


def build_reminder_email(
    *, delivery: ReminderDelivery, schedule: ReminderSchedule, revision: PlanRevision, connection
) -> EmailMultiAlternatives:
    """The reminder in the patient's language: subject, both bodies, exercises and dosage."""
    with translation.override(delivery.patient.language):
        return _reminder_email(
            delivery=delivery, schedule=schedule, revision=revision, connection=connection
        )


def _reminder_email(
    *, delivery: ReminderDelivery, schedule: ReminderSchedule, revision: PlanRevision, connection
) -> EmailMultiAlternatives:

    patient = delivery.patient
    unsubscribe = unsubscribe_url(schedule)
    items = todays_items(revision)
    context = {
        "checkin_url": links.check_in_url(patient.pk),
        "patient": patient,
        "clinic": patient.clinic,
        "items": items,
        "safety_net": localise(SAFETY_NET),
        "plan_url": f"{settings.SITE_URL}{reverse('patient-home')}",
        "settings_url": f"{settings.SITE_URL}{reverse('reminder-settings')}",
        "unsubscribe_url": unsubscribe,
    }
    message = EmailMultiAlternatives(
        subject=_(SUBJECT),
        body=render_to_string("emails/reminder.txt", context),
        from_email=clinic_sender(patient.clinic),
        to=[patient.email],
        connection=connection,
        headers={
            # RFC 8058 one-click unsubscribe: mail clients POST to the link, no login.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": make_msgid(
                idstring=f"reminder.{delivery.pk}",
                domain=urlsplit(settings.SITE_URL).hostname or "localhost",
            ),
        },
    )
    message.attach_alternative(render_to_string("emails/reminder.html", context), "text/html")
    add_letterhead(message, patient.clinic)
    # The drawings travel inside the message (cid: links): no image URL to fetch, no login.
    for item in items:
        if item["picture"]:
            attach_inline_image(
                message,
                item["picture"],
                subtype="png",
                content_id=item["picture_id"],
                filename=f"{item['picture_id']}.png",
            )
    return message


def _finish(delivery_id: int, status: str, **fields) -> None:
    ReminderDelivery.objects.filter(pk=delivery_id, status=Status.SENDING).update(
        status=status, **fields
    )


def _claimable(now: datetime.datetime) -> Q:
    """Pending and due (no retry waiting), or left in `sending` by a worker whose lease ended."""
    due = Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    abandoned = Q(locked_until__lt=now) | Q(
        locked_until__isnull=True, claimed_at__lt=now - SENDING_TIMEOUT
    )
    return Q(status=Status.PENDING) & due | Q(status=Status.SENDING) & abandoned


def _claim(delivery_ids: list[int], now: datetime.datetime) -> list[int]:
    """Claim the claimable rows among `delivery_ids` (→ sending, with a lease) and return
    their ids.

    The rows are locked while they are read and changed (SKIP LOCKED), so two runs given the
    same ids split them and never both claim one: what makes a reminder go out once.
    """
    with transaction.atomic():
        claimed = list(
            ReminderDelivery.objects.filter(_claimable(now), pk__in=delivery_ids)
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)
        )
        ReminderDelivery.objects.filter(pk__in=claimed).update(
            status=Status.SENDING,
            claimed_at=now,
            locked_until=leases.lease_end(now),
            attempts=F("attempts") + 1,
        )
    return claimed


def held_until(delivery_ids: list[int], now: datetime.datetime) -> datetime.datetime | None:
    """The latest time until which one of these rows may not be claimed: another worker's
    live lease, or a retry's backoff (a message that comes early must wait, not finish)."""
    return (
        ReminderDelivery.objects.filter(
            pk__in=delivery_ids, status__in=[Status.PENDING, Status.SENDING], locked_until__gt=now
        )
        .order_by("-locked_until")
        .values_list("locked_until", flat=True)
        .first()
    )


def _load_claimed(claimed: list[int]) -> list[LoadedDelivery]:
    """The claimed rows with patient, clinic, schedule and current revision: 2 queries however
    many. Read after the claim, so an unsubscribe or pause committed before it is seen."""
    latest = _current_revisions_of_outer_patient()
    # Each row's `revision` is attached below.
    deliveries = cast(
        "list[LoadedDelivery]",
        list(
            ReminderDelivery.objects.filter(pk__in=claimed)
            .select_related("patient__clinic", "patient__reminder_schedule")
            .annotate(revision_id=Subquery(latest.values("id")[:1]))
            .order_by("slot_at", "id")
        ),
    )
    revisions = PlanRevision.objects.select_related("plan").in_bulk(
        {d.revision_id for d in deliveries if d.revision_id}
    )
    for delivery in deliveries:
        delivery.revision = revisions.get(delivery.revision_id)
    return deliveries


def _send_claimed(delivery: LoadedDelivery, now: datetime.datetime, connection) -> str:
    delivery_id = delivery.pk
    if now - delivery.slot_at > LATE_LIMIT:
        _finish(delivery_id, Status.SKIPPED, last_error=TOO_LATE_TEXT)
        return "skipped"
    schedule: ReminderSchedule | None = getattr(delivery.patient, "reminder_schedule", None)
    revision = delivery.revision
    # Checked again at send time: an unsubscribe or a pause is honoured at once.
    reason = why_not_sending(
        schedule,
        revision.plan.status if revision else None,
        revision.published_at if revision else None,
        now,
    )
    if reason:
        _finish(delivery_id, Status.SKIPPED, last_error=reason)
        return "skipped"
    assert schedule is not None and revision is not None, "why_not_sending refuses either missing"
    message = build_reminder_email(
        delivery=delivery, schedule=schedule, revision=revision, connection=connection
    )
    try:
        message.send()
    except Exception as error:
        if not is_transient(error):
            if isinstance(error, smtplib.SMTPException):
                _finish(delivery_id, Status.FAILED, last_error=failure_in_words(error))
                return "failed"
            raise  # a bug: the outbox sends the message again; surface the error
        logger.warning("reminder %s: attempt %s failed: %r", delivery_id, delivery.attempts, error)
        return _retry_or_fail(delivery, failure_in_words(error), timezone.now())
    # Its own commit per email: a worker that dies later leaves this row `sent`.
    _finish(
        delivery_id,
        Status.SENT,
        locked_until=None,
        sent_at=timezone.now(),
        message_id=message.extra_headers["Message-ID"],
        last_error="",
    )
    return "sent"


def _retry_or_fail(delivery: ReminderDelivery, reason: str, now: datetime.datetime) -> str:
    """Another attempt after the backoff while the slot may still be sent; `failed` after."""
    retry_at = next_attempt_at(delivery.attempts, now)
    if retry_at - delivery.slot_at > LATE_LIMIT:
        _finish(
            delivery.pk,
            Status.FAILED,
            locked_until=None,
            last_error=GAVE_UP_TEXT % {"reason": reason, "attempts": delivery.attempts},
        )
        return "failed"
    with transaction.atomic():
        _finish(delivery.pk, Status.PENDING, locked_until=retry_at, last_error=reason)
        outbox.add(
            tasks.send_reminders_batch_task,
            kwargs={"delivery_ids": [delivery.pk]},
            queue=tasks.QUEUE,
            not_before=retry_at,
        )
    return "retry"


def send_reminder(*, delivery_id: int, connection=None) -> str:
    """Claim one delivery and send its email. Returns what happened:

    "sent"; "skipped" (too late, unsubscribed, paused, no active plan); "retry" (transient
    failure: the row is pending again, and an outbox message will try it after the backoff);
    "failed" (refused for good, or still failing 2 hours after the slot); "not_claimed"
    (another run has it, had it, or a retry waits for its time: nothing to do).
    """
    return send_reminders_batch(delivery_ids=[delivery_id], connection=connection)[delivery_id]


def send_reminders_batch(*, delivery_ids: list[int], connection=None) -> dict[int, str]:
    """Claim several deliveries at once and send them over one SMTP connection, each row
    finished by its own commit. Returns each one's outcome (see `send_reminder`)."""
    now = timezone.now()
    outcomes = dict.fromkeys(delivery_ids, "not_claimed")
    claimed = _claim(delivery_ids, now)
    if not claimed:
        return outcomes
    deliveries = _load_claimed(claimed)
    owns_connection = connection is None
    connection = connection or get_connection()
    mine = ReminderDelivery.objects.filter(pk__in=claimed, status=Status.SENDING, claimed_at=now)
    with leases.renewing(lambda until: mine.update(locked_until=until)):
        _send_all(deliveries, now, connection, outcomes, owns_connection=owns_connection)
    return outcomes


def _send_all(deliveries, now, connection, outcomes: dict[int, str], *, owns_connection) -> None:
    try:
        try:
            connection.open()
        except Exception as error:
            if not is_transient(error):
                raise
            # The server is down: each send below tries (and fails) on its own and is retried.
        for delivery in deliveries:
            outcomes[delivery.pk] = _send_claimed(delivery, now, connection)
            if outcomes[delivery.pk] == "retry":
                connection.close()  # start the next one on a fresh connection
    finally:
        if owns_connection:
            connection.close()


def sweep_stuck_deliveries(*, now: datetime.datetime | None = None) -> list[int]:
    """A backstop behind the outbox: queue again rows no message will come for.

    `sending` past its lease (or, claimed before leases, longer than SENDING_TIMEOUT): the
    worker is gone. `pending` longer than PENDING_TIMEOUT since creation, last claim and
    planned retry: its message was lost (e.g. a purged outbox). Returns the queued ids.
    """
    now = now or timezone.now()
    stuck_ids = list(
        ReminderDelivery.objects.filter(
            Q(locked_until__lt=now)
            | Q(locked_until__isnull=True, claimed_at__lt=now - SENDING_TIMEOUT),
            status=Status.SENDING,
        ).values_list("id", flat=True)[:SWEEP_BATCH_SIZE]
    )
    stale = now - PENDING_TIMEOUT
    orphaned_ids = list(
        ReminderDelivery.objects.filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale),
            Q(locked_until__isnull=True) | Q(locked_until__lt=stale),
            status=Status.PENDING,
            created_at__lt=stale,
        ).values_list("id", flat=True)[:SWEEP_BATCH_SIZE]
    )
    ids = sorted(set(stuck_ids) | set(orphaned_ids))
    _enqueue(ids)
    return ids


# --- unsubscribing -----------------------------------------------------------------------


def read_unsubscribe_token(token: str) -> ReminderSchedule:
    public_id = links.UNSUBSCRIBE.read(token, UnsubscribeLinkInvalid)
    try:
        return ReminderSchedule.objects.select_related("patient__clinic").get(
            public_id=uuid.UUID(str(public_id))
        )
    except (ReminderSchedule.DoesNotExist, ValueError) as error:
        raise UnsubscribeLinkInvalid("tampered") from error


def unsubscribe(*, schedule: ReminderSchedule) -> bool:
    """Stop reminder emails at once (RFC 8058). Idempotent: True only the first time."""
    now = timezone.now()
    changed = ReminderSchedule.objects.filter(pk=schedule.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=now, next_slot_at=None, updated_at=now
    )
    if changed:
        record_audit(
            actor=None,
            patient=schedule.patient,
            action=AuditEvent.Action.UPDATE,
            detail="unsubscribed from reminder emails",
        )
    return bool(changed)
