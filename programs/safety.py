"""One safety state per patient (clinical-model §4.1, §4.5): an urgent or emergency red flag,
from an assessment or a check-in, is a `SafetyConcern` open until a physio closes it with a
recorded resolution.

While it is open the patient is shown the rule's advice first and no exercises, reminders stay
paused, the PDF is not handed to the patient, and no plan is published. Every surface reads
`state_of(patient)` (or the same rows for many patients): no page derives it on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEvent, Patient, User
from accounts.services import record_audit
from clinical.follow_up import emergency_headline
from clinical.screening import URGENT_PATIENT_TEXT
from programs import signals
from programs.models import SafetyConcern

Level = SafetyConcern.Level
Source = SafetyConcern.Source
RESOLUTION_MAX = 1000


def is_red_flag(rule_id: str) -> bool:
    """The rules that block exercise content (§4.1: "Emergency or urgent flags produce a
    referral message and no exercise content"): RF-EMERG-* and RF-URG-*."""
    return rule_id.startswith(("RF-EMERG", "RF-URG"))


def level_of(rule_ids) -> str | None:
    if any(rule_id.startswith("RF-EMERG") for rule_id in rule_ids):
        return Level.EMERGENCY
    if any(rule_id.startswith("RF-URG") for rule_id in rule_ids):
        return Level.URGENT
    return None


@dataclass(frozen=True)
class SafetyState:
    """What every surface shows: `level` is clear, urgent or emergency."""

    level: str = "clear"
    rule_ids: tuple[str, ...] = ()
    source: str = ""
    since: object = None
    headline: str = ""
    messages: tuple[str, ...] = field(default_factory=tuple)
    concern: SafetyConcern | None = None

    @property
    def is_open(self) -> bool:
        return self.concern is not None

    @property
    def is_emergency(self) -> bool:
        return self.level == Level.EMERGENCY

    @property
    def why(self) -> str:
        """One line for the physio and the settings pages."""
        if self.concern is None:
            return ""
        return (
            f"{self.concern.get_level_display()} ({', '.join(self.rule_ids)}, from "
            f"{self.concern.get_source_display()}): open until the physio closes it."
        )


CLEAR = SafetyState()


def state_from(concern: SafetyConcern | None) -> SafetyState:
    if concern is None:
        return CLEAR
    messages = list(concern.patient_messages)
    if concern.is_emergency:  # said as on the check-in's result page
        headline, details = emergency_headline(messages)
    else:
        headline = URGENT_PATIENT_TEXT
        details = [m.removeprefix(headline).strip() for m in messages]
    details = list(dict.fromkeys(d for d in details if d))
    return SafetyState(
        level=concern.level,
        rule_ids=tuple(concern.rule_ids),
        source=concern.source,
        since=concern.raised_at,
        headline=headline,
        messages=tuple(details),
        concern=concern,
    )


def open_concern(patient: Patient | int) -> SafetyConcern | None:
    return SafetyConcern.objects.filter(patient=patient, resolved_at__isnull=True).first()


def state_of(patient: Patient | int) -> SafetyState:
    """The patient's safety state: the open concern, or clear."""
    return state_from(open_concern(patient))


def open_concerns_of(patient_ids) -> dict[int, SafetyState]:
    """The states of many patients in one query (clear ones are absent)."""
    return {
        concern.patient_id: state_from(concern)
        for concern in SafetyConcern.objects.filter(
            patient_id__in=patient_ids, resolved_at__isnull=True
        )
    }


@transaction.atomic
def raise_concern(
    *, patient: Patient, rule_ids, source: str, source_id: int, patient_messages
) -> SafetyConcern | None:
    """Open (or make more severe) the patient's safety concern for the red-flag rules among
    `rule_ids`; None when there is none. Reminders pause in the same transaction."""
    red_flags = [rule_id for rule_id in rule_ids if is_red_flag(rule_id)]
    level = level_of(red_flags)
    if level is None:
        return None
    # Lock the patient row: two findings at once still make one open concern.
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    concern = open_concern(patient)
    if concern is None:
        concern = SafetyConcern(
            patient=patient,
            level=level,
            rule_ids=red_flags,
            source=source,
            source_id=source_id,
            patient_messages=list(patient_messages),
        )
    else:
        if level == Level.EMERGENCY:
            concern.level = Level.EMERGENCY
        concern.rule_ids = [*concern.rule_ids, *(r for r in red_flags if r not in concern.rule_ids)]
        concern.patient_messages = [
            *concern.patient_messages,
            *(m for m in patient_messages if m not in concern.patient_messages),
        ]
        concern.source, concern.source_id = source, source_id
    concern.save()  # the patient's row lock above keeps it the one open concern
    record_audit(
        actor=None,
        patient=patient,
        action=AuditEvent.Action.UPDATE,
        detail=f"safety concern {concern.level}: {', '.join(concern.rule_ids)} ({source})",
    )
    signals.safety_concern_raised.send(sender=SafetyConcern, concern=concern)
    return concern


@transaction.atomic
def resolve_concern(*, patient: Patient, by: User, resolution: str) -> SafetyConcern:
    """A physio closes the open concern with what happened (e.g. "seen in the emergency
    department, cleared to resume"); what it paused resumes."""
    resolution = resolution.strip()
    if not resolution:
        raise ValidationError({"resolution": "Say what happened, e.g. who cleared the patient."})
    if len(resolution) > RESOLUTION_MAX:
        raise ValidationError({"resolution": f"Keep it to {RESOLUTION_MAX} characters or fewer."})
    concern = (
        SafetyConcern.objects.select_for_update()
        .filter(patient=patient, resolved_at__isnull=True)
        .first()
    )
    if concern is None:
        raise ValidationError({"resolution": "There is no open safety concern to close."})
    concern.resolved_at = timezone.now()
    concern.resolved_by = by
    concern.resolution = resolution
    concern.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    record_audit(
        actor=by,
        patient=patient,
        action=AuditEvent.Action.UPDATE,
        detail=f"closed safety concern {', '.join(concern.rule_ids)}: {resolution}",
    )
    signals.safety_concern_resolved.send(sender=SafetyConcern, concern=concern)
    return concern


def refuse_if_open(patient: Patient) -> None:
    """Publishing waits until the physio has closed the patient's safety concern."""
    state = state_of(patient)
    if state.is_open:
        raise SafetyConcernOpen(state)


class SafetyConcernOpen(ValidationError):
    def __init__(self, state: SafetyState):
        super().__init__(
            f"A safety concern is open ({', '.join(state.rule_ids)}): close it with what "
            "happened before publishing a plan.",
            code="safety_concern_open",
        )
        self.state = state
