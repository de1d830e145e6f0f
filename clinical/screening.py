"""The red-flag screen: every rule of clinical-model.md 4.5 that can be judged at intake.

``screen`` runs each rule function in turn. A rule looks at red-flag answers ("unsure" counts
as "yes") and at intake fields, and returns a ``FiredRule`` carrying the answers behind it, a
message for the physio, one in plain words for the patient, what the physio must confirm (amber)
and the catalogue exclusion flags it sets.

Severities (4.5): EMERGENCY and URGENT block the plan; AMBER allows it once the physio ticks the
confirmation; REVIEW is a physio task only. A recorded medical clearance lifts an urgent rule
(never an emergency one) to amber. GATE-ASSESSED and GATE-AGE block independently of severity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any

from clinical.i18n import _
from clinical.intake import (
    ALL_REGIONS,
    InflammatoryHistory,
    Intake,
    Irritability,
    ModalitySafety,
    OnsetType,
    OsteoporosisHistory,
    OtherLimit,
    Paraesthesia,
    PregnancyStatus,
    PreviousEpisodes,
    RadiatingPain,
    Region,
    SleepQuality,
    SpinalDiagnosis,
    StartBackRisk,
    Trigger,
    Weakness,
    WorkStatus,
    in_order,
    required_red_flag_questions,
)
from clinical.rules import RULES

ASSESSMENT_VALID_DAYS = 14
AGE_AMBER_FROM = 50
ADULT_FROM_AGE = 18
SEVERE_PAIN_FROM = 8
RECENT_SURGERY_DAYS = 365

EMERGENCY_PATIENT_TEXT = _("Go to an emergency department now.")
CARDIO_PATIENT_TEXT = _("Call the emergency number now.")
URGENT_PATIENT_TEXT = _(
    "Please see a doctor today, or within 24 hours at the latest. Your physio will tell you "
    "where to go. Do not start the exercises until a doctor has checked you."
)


class Severity(StrEnum):
    REVIEW = "review"
    AMBER = "amber"
    URGENT = "urgent"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.REVIEW: 0,
    Severity.AMBER: 1,
    Severity.URGENT: 2,
    Severity.EMERGENCY: 3,
}


class Outcome(StrEnum):
    CLEAR = "clear"
    AMBER = "amber"
    URGENT = "urgent"
    EMERGENCY = "emergency"


Answers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FiredRule:
    rule_id: str
    severity: Severity
    answers: Answers
    physio_message: str
    patient_message: str
    confirmation: str | None = None
    exclusion_flags: tuple[str, ...] = ()
    is_cleared: bool = False

    @property
    def effective_severity(self) -> Severity:
        """Amber once a medical clearance has lifted an urgent rule."""
        return Severity.AMBER if self.is_cleared else self.severity

    @property
    def blocks_plan(self) -> bool:
        return self.effective_severity in (Severity.URGENT, Severity.EMERGENCY)


@dataclass(frozen=True)
class BlockReason:
    rule_id: str
    physio_message: str
    answers: Answers = ()


@dataclass(frozen=True)
class ExclusionFlag:
    """A catalogue ``exclude_if`` flag set by a rule, with the reason shown to the physio."""

    flag: str
    rule_id: str
    reason: str
    answers: Answers


@dataclass(frozen=True)
class Confirmation:
    rule_id: str
    text: str


@dataclass(frozen=True)
class ScreeningResult:
    outcome: Outcome
    fired: tuple[FiredRule, ...]
    blocked: tuple[BlockReason, ...]
    exclusion_flags: tuple[ExclusionFlag, ...]

    @property
    def is_plan_allowed(self) -> bool:
        return not self.blocked and self.outcome in (Outcome.CLEAR, Outcome.AMBER)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(rule.rule_id for rule in self.fired)

    @property
    def blocking_rules(self) -> tuple[FiredRule, ...]:
        return tuple(rule for rule in self.fired if rule.blocks_plan)

    @property
    def confirmations(self) -> tuple[Confirmation, ...]:
        """What the physio must tick before an amber plan can be approved."""
        return tuple(
            Confirmation(rule.rule_id, rule.confirmation)
            for rule in self.fired
            if rule.confirmation and rule.effective_severity is Severity.AMBER
        )

    @property
    def flags(self) -> frozenset[str]:
        return frozenset(flag.flag for flag in self.exclusion_flags)

    @property
    def patient_message(self) -> str:
        """The most severe blocking message, or an empty string when a plan may follow."""
        blocking = self.blocking_rules
        if not blocking:
            return ""
        worst = max(blocking, key=lambda rule: rule.effective_severity.rank)
        return worst.patient_message

    @property
    def physio_message(self) -> str:
        lines = [f"{block.rule_id}: {block.physio_message}" for block in self.blocked]
        lines += [f"{rule.rule_id}: {rule.physio_message}" for rule in self.fired]
        return "\n".join(lines)

    def has_fired(self, rule_id: str) -> bool:
        return any(rule.rule_id == rule_id for rule in self.fired)


def _yes(intake: Intake, *keys: str) -> Answers:
    """The questions among ``keys`` answered yes or unsure, with their answers."""
    return tuple((key, intake.red_flags[key].value) for key in keys if intake.says_yes(key))


def _field(name: str, value: object) -> tuple[str, str]:
    return (name, value.value if isinstance(value, StrEnum) else str(value))


def _set_field(name: str, values: Iterable[StrEnum]) -> tuple[str, str]:
    return (name, ", ".join(value.value for value in values))


# ---------------------------------------------------------------- emergency rules


def rule_cauda_equina(intake: Intake, today: date) -> FiredRule | None:
    """RF-EMERG-CES: suspected cauda equina syndrome (4.5; 5.3 group A).

    Any group A answer; or pain in both legs (``radiating_pain``), saddle tingling, or tingling
    in both limbs of a lumbar presentation (5.2). Sources S0-28, S0-49, S1-19, S3-16; G10, G12,
    G13.
    """
    answers = list(
        _yes(
            intake,
            "ces_urinary_difficulty",
            "ces_incontinence",
            "ces_saddle_numbness",
            "ces_both_legs",
            "ces_rapid_leg_weakness",
            "ces_sexual_dysfunction",
        )
    )
    if intake.radiating_pain is RadiatingPain.BOTH_LEGS:
        answers.append(_field("radiating_pain", intake.radiating_pain))
    if intake.paraesthesia is Paraesthesia.SADDLE or (
        intake.paraesthesia is Paraesthesia.BOTH_LIMBS and Region.LUMBAR in intake.regions
    ):
        answers.append(_field("paraesthesia", intake.paraesthesia))
    if not answers:
        return None
    return FiredRule(
        "RF-EMERG-CES",
        Severity.EMERGENCY,
        tuple(answers),
        _("Suspected cauda equina syndrome: emergency pathway now. No exercise plan."),
        EMERGENCY_PATIENT_TEXT,
    )


def rule_cord_compression(intake: Intake, today: date) -> FiredRule | None:
    """RF-EMERG-CORD: possible spinal cord compression (4.5; 5.3 group C).

    The group C answer; symptoms in both arms; tingling in both limbs of a neck or thoracic
    presentation; or, in a neck or thoracic presentation, a bladder or bowel change (group A).
    Sources S1-30; G14.
    """
    answers = list(_yes(intake, "cord_signs"))
    if intake.radiating_pain is RadiatingPain.BOTH_ARMS:
        answers.append(_field("radiating_pain", intake.radiating_pain))
    neck_or_thoracic = bool(intake.regions & {Region.CERVICAL, Region.THORACIC})
    if neck_or_thoracic:
        if intake.paraesthesia is Paraesthesia.BOTH_LIMBS:
            answers.append(_field("paraesthesia", intake.paraesthesia))
        answers += _yes(intake, "ces_urinary_difficulty", "ces_incontinence")
    if not answers:
        return None
    return FiredRule(
        "RF-EMERG-CORD",
        Severity.EMERGENCY,
        tuple(answers),
        _(
            "Possible spinal cord compression: emergency or same-day medical assessment. No "
            "exercise plan."
        ),
        EMERGENCY_PATIENT_TEXT,
    )


def rule_neck_vascular(intake: Intake, today: date) -> FiredRule | None:
    """RF-EMERG-VASC: neck pain with vascular symptoms (4.5; 5.3 group D; G14)."""
    answers = _yes(intake, "vascular_symptoms")
    if not answers:
        return None
    return FiredRule(
        "RF-EMERG-VASC",
        Severity.EMERGENCY,
        answers,
        _(
            "Neck pain with possible vascular symptoms (dizziness, double vision, speech or "
            "swallowing trouble, drop attacks, facial numbness, sudden severe headache): emergency "
            "care. No exercise plan."
        ),
        EMERGENCY_PATIENT_TEXT,
    )


def rule_cardiac_or_aortic(intake: Intake, today: date) -> FiredRule | None:
    """RF-EMERG-CARDIO: chest pain and allied symptoms, or a known aortic aneurysm / pulsing
    abdomen (4.5; 5.3 group G; G15)."""
    answers = _yes(intake, "visceral_cardiac", "visceral_aortic")
    if not answers:
        return None
    return FiredRule(
        "RF-EMERG-CARDIO",
        Severity.EMERGENCY,
        answers,
        _("Possible cardiac or aortic cause: emergency care. No exercise plan."),
        CARDIO_PATIENT_TEXT,
    )


# ---------------------------------------------------------------- urgent rules


def rule_infection(intake: Intake, today: date) -> FiredRule | None:
    """RF-URG-INFECTION: fever or feeling unwell, or infection risk factors (4.5; 5.3 group E).

    Sources S0-22, S0-29, S1-20; G10.
    """
    answers = _yes(intake, "infection_unwell", "infection_risk")
    if not answers:
        return None
    return FiredRule(
        "RF-URG-INFECTION",
        Severity.URGENT,
        answers,
        _(
            "Possible spinal infection: urgent (same-day or within 24 h) medical assessment. No "
            "exercise plan until cleared."
        ),
        URGENT_PATIENT_TEXT,
    )


def rule_cancer(intake: Intake, today: date) -> FiredRule | None:
    """RF-URG-CANCER: cancer history, weight loss, constant progressive or night pain, pain at
    several sites (4.5; 5.3 group F).

    The "age 50 or over and not improved after 4 weeks" arm cannot be judged at intake; it is
    checked at ESC-REVIEW-4W (see AMB-AGE). Sources S0-22, S0-29, S4-27; G10.
    """
    answers = _yes(
        intake,
        "cancer_history",
        "cancer_weight_loss",
        "cancer_constant_or_night_pain",
        "cancer_several_sites",
    )
    if not answers:
        return None
    return FiredRule(
        "RF-URG-CANCER",
        Severity.URGENT,
        answers,
        _(
            "Red flags for serious spinal pathology (cancer): urgent medical review. No exercise "
            "plan until cleared."
        ),
        URGENT_PATIENT_TEXT,
    )


_MINOR_TRAUMA_TRIGGERS = (
    Trigger.FALL,
    Trigger.HEAVY_LIFT,
    Trigger.REPEATED_LIFTING,
    Trigger.SUDDEN_BEND_OR_TWIST,
    Trigger.UNACCUSTOMED_HEAVY_ACTIVITY,
)


def rule_fracture(intake: Intake, today: date) -> FiredRule | None:
    """RF-URG-FRACTURE: possible vertebral fracture (4.5; 5.3 group B).

    Any group B answer; or bone fragility recorded in the history (osteoporosis, fragility
    fracture, long-term steroids) together with a fall, strain or lift as the trigger - the
    fields say what question B2 asks. Sources S0-16, S0-20, S2-16, S2-18, S4-29; G10.
    """
    answers = list(
        _yes(
            intake,
            "fracture_major_trauma",
            "fracture_minor_trauma_bone_risk",
            "fracture_central_pain_or_deformity",
        )
    )
    is_fragile = intake.hx_osteoporosis is not OsteoporosisHistory.NO or intake.long_term_steroids
    minor_trauma = [trigger for trigger in _MINOR_TRAUMA_TRIGGERS if trigger in intake.triggers]
    if is_fragile and minor_trauma:
        if intake.hx_osteoporosis is not OsteoporosisHistory.NO:
            answers.append(_field("hx_osteoporosis", intake.hx_osteoporosis))
        if intake.long_term_steroids:
            answers.append(("long_term_steroids", "yes"))
        answers.append(_set_field("triggers", minor_trauma))
    if not answers:
        return None
    return FiredRule(
        "RF-URG-FRACTURE",
        Severity.URGENT,
        tuple(answers),
        _(
            "Possible fracture: urgent medical assessment. The physio can clear this later with a "
            "recorded medical clearance."
        ),
        URGENT_PATIENT_TEXT,
    )


def rule_neuro_deficit(intake: Intake, today: date) -> FiredRule | None:
    """RF-URG-NEURO: new or worsening limb weakness, or spreading numbness (4.5; 5.2 weakness).

    Sources S3-18; G13.
    """
    answers = list(_yes(intake, "neuro_spreading_or_weakening"))
    if intake.weakness is Weakness.NEW_OR_WORSENING:
        answers.append(_field("weakness", intake.weakness))
    if not answers:
        return None
    return FiredRule(
        "RF-URG-NEURO",
        Severity.URGENT,
        tuple(answers),
        _(
            "New or worsening neurological deficit: same-day or urgent specialist advice per the "
            "local pathway. No exercise plan."
        ),
        URGENT_PATIENT_TEXT,
    )


def rule_visceral(intake: Intake, today: date) -> FiredRule | None:
    """RF-URG-VISCERAL: urinary or abdominal symptoms, or pain unchanged by any movement or
    position (4.5; 5.3 group G). Sources S0-23; G15."""
    answers = _yes(intake, "visceral_urinary_or_abdominal", "visceral_unchanged_by_movement")
    if not answers:
        return None
    return FiredRule(
        "RF-URG-VISCERAL",
        Severity.URGENT,
        answers,
        _("Possible visceral (organ) cause: medical assessment before any exercise plan."),
        URGENT_PATIENT_TEXT,
    )


def rule_severe_pain(intake: Intake, today: date) -> FiredRule | None:
    """ESC-SEVERE at intake (4.5; 5.2 pain_worst_24h and 5.4 sleep_quality).

    URGENT when the worst pain in 24 h is 8/10 or more and the pain is constant, not eased by
    position, or wakes the patient at night (question F3) - RF-URG-CANCER fires on F3 as well
    and is the stricter rule. A REVIEW task when sleep is disturbed by pain but F3 is "no": the
    physio checks it is not several nights of waking that does not ease. Sources S1-17, S3-12.
    """
    constant = _yes(intake, "cancer_constant_or_night_pain")
    if constant and intake.pain_worst_24h >= SEVERE_PAIN_FROM:
        return FiredRule(
            "ESC-SEVERE",
            Severity.URGENT,
            (*constant, _field("pain_worst_24h", intake.pain_worst_24h)),
            _(
                "Constant or night pain with worst pain %(worst)s/10 in 24 h: "
                "same-day medical review; no progression."
            )
            % {"worst": intake.pain_worst_24h},
            _("Please contact your doctor or physio today."),
        )
    if intake.sleep_quality is SleepQuality.DISTURBED_BY_PAIN and not constant:
        return FiredRule(
            "ESC-SEVERE",
            Severity.REVIEW,
            (_field("sleep_quality", intake.sleep_quality),),
            _(
                "Sleep disturbed by pain: check it is not several nights of waking that does not "
                "ease on moving; if it is, answer the night-pain question (F3) yes."
            ),
            "",
        )
    return None


# ---------------------------------------------------------------- amber and review rules


def _limb_flags(intake: Intake) -> tuple[str, ...]:
    """Which of ``radicular_leg`` / ``radicular_arm`` the one-limb symptoms point to."""
    leg = intake.radiating_pain in (RadiatingPain.BUTTOCK_OR_THIGH, RadiatingPain.BELOW_KNEE)
    arm = intake.radiating_pain is RadiatingPain.ONE_ARM
    unlocated = intake.paraesthesia is Paraesthesia.ONE_LIMB or (
        intake.weakness is Weakness.STABLE_EXAMINED
    )
    if unlocated and not (leg or arm):
        leg = Region.LUMBAR in intake.regions
        arm = Region.CERVICAL in intake.regions
        if not (leg or arm):  # thoracic only: cannot tell, hide both
            leg = arm = True
    return tuple(flag for flag, on in (("radicular_leg", leg), ("radicular_arm", arm)) if on)


def rule_radicular(intake: Intake, today: date) -> FiredRule | None:
    """AMB-RADIC: stable one-sided limb pain, tingling in one limb, or stable examined weakness
    (4.5; 5.2; decision D6).

    Hides ``radicular_leg`` / ``radicular_arm`` items. Not fired with new or worsening weakness,
    which is RF-URG-NEURO. Buttock or thigh pain counts as leg pain (5.2 "one limb"). Sources
    S0-26, S0-27, S3-17.
    """
    if intake.weakness is Weakness.NEW_OR_WORSENING:
        return None
    answers: list[tuple[str, str]] = []
    if intake.radiating_pain in (
        RadiatingPain.BUTTOCK_OR_THIGH,
        RadiatingPain.BELOW_KNEE,
        RadiatingPain.ONE_ARM,
    ):
        answers.append(_field("radiating_pain", intake.radiating_pain))
    if intake.paraesthesia is Paraesthesia.ONE_LIMB:
        answers.append(_field("paraesthesia", intake.paraesthesia))
    if intake.weakness is Weakness.STABLE_EXAMINED:
        answers.append(_field("weakness", intake.weakness))
    if not answers:
        return None
    answers.append(("neuro_exam_done", "yes" if intake.neuro_exam_done else "no"))
    return FiredRule(
        "AMB-RADIC",
        Severity.AMBER,
        tuple(answers),
        _(
            "Stable one-sided limb symptoms: confirm the neurological examination. Items tagged "
            "radicular in exclude_if are hidden by default."
        ),
        _(
            "Stop the exercises and contact your physio if pain, tingling or numbness spreads "
            "further down your arm or leg, or if it starts to feel weak."
        ),
        confirmation=_(
            "I have examined the nerves of the limb; symptoms are one-sided and stable."
        ),
        exclusion_flags=_limb_flags(intake),
    )


def rule_known_diagnosis(intake: Intake, today: date) -> FiredRule | None:
    """AMB-KNOWN-DX: known disc herniation, stenosis, spondylolisthesis, facet arthropathy,
    scoliosis, or spinal surgery in the last 12 months (4.5; 5.4 known_spinal_dx).

    Sets ``stenosis`` and ``spondylolisthesis`` flags, and ``radicular_leg`` for a disc
    herniation with leg pain; a surgery without a date counts as recent. Sources S0-18, S0-52,
    S1-05, S3-03.
    """
    diagnoses = list(in_order(intake.known_spinal_dx, SpinalDiagnosis))
    if SpinalDiagnosis.SPINAL_SURGERY in diagnoses:
        surgery = intake.spinal_surgery_date
        if surgery is not None and (today - surgery).days > RECENT_SURGERY_DAYS:
            diagnoses.remove(SpinalDiagnosis.SPINAL_SURGERY)
    if not diagnoses:
        return None
    answers = [_set_field("known_spinal_dx", diagnoses)]
    if SpinalDiagnosis.SPINAL_SURGERY in diagnoses:
        answers.append(_field("spinal_surgery_date", intake.spinal_surgery_date or "not recorded"))
    flags = []
    if SpinalDiagnosis.SPINAL_STENOSIS in diagnoses:
        flags.append("stenosis")
    if SpinalDiagnosis.SPONDYLOLISTHESIS in diagnoses:
        flags.append("spondylolisthesis")
    if SpinalDiagnosis.DISC_HERNIATION in diagnoses and intake.has_leg_pain:
        flags.append("radicular_leg")
        answers.append(_field("radiating_pain", intake.radiating_pain))
    names = ", ".join(diagnosis.value.replace("_", " ") for diagnosis in diagnoses)
    return FiredRule(
        "AMB-KNOWN-DX",
        Severity.AMBER,
        tuple(answers),
        _(
            "Known spinal diagnosis (%(names)s): confirm the plan suits it. exclude_if flags are "
            "applied; direction-biased items only by physio selection."
        )
        % {"names": names},
        _("Your physio has planned your exercises around your back condition."),
        confirmation=_("I have checked the plan suits the known diagnosis (%(names)s).")
        % {"names": names},
        exclusion_flags=tuple(flags),
    )


def rule_osteoporosis(intake: Intake, today: date) -> FiredRule | None:
    """AMB-OSTEO: known osteoporosis or previous fragility fracture (4.5; 5.4).

    Hides items flagged ``osteoporosis`` (end-range or loaded flexion, twisting under load);
    the planner favours back-extensor work. When a fall, strain or lift started the pain,
    RF-URG-FRACTURE fires as well and blocks. Sources S0-20; G34.
    """
    if intake.hx_osteoporosis is OsteoporosisHistory.NO:
        return None
    return FiredRule(
        "AMB-OSTEO",
        Severity.AMBER,
        (_field("hx_osteoporosis", intake.hx_osteoporosis),),
        _(
            "Known osteoporosis or fragility fracture: items flagged osteoporosis are hidden; "
            "favour back-extensor and balance work."
        ),
        _("Your exercises avoid heavy bending and twisting under load, to look after your bones."),
        confirmation=_("There is no suspicion of a new fracture."),
        exclusion_flags=("osteoporosis",),
    )


def rule_inflammatory(intake: Intake, today: date) -> FiredRule | None:
    """AMB-INFLAM: known inflammatory spinal disease, or the pattern (question H) (4.5).

    If the pattern is suspected without a diagnosis, the physio recommends a non-urgent
    medical or rheumatology review; the plan may proceed. Sources S0-21, S2-19; G14, G15.
    """
    answers = list(_yes(intake, "inflammatory_pattern"))
    known = intake.hx_inflammatory is not InflammatoryHistory.NONE
    if known:
        answers.append(_field("hx_inflammatory", intake.hx_inflammatory))
    if not answers:
        return None
    if known:
        physio = _("Known inflammatory spinal disease: confirm the plan suits it.")
        patient = _("Your physio has planned your exercises around your condition.")
    else:
        physio = _(
            "Pattern suggesting inflammatory back pain without a diagnosis: recommend a "
            "non-urgent medical or rheumatology review; the plan may proceed."
        )
        if intake.age < 40:
            physio = _(
                "Pattern suggesting inflammatory back pain without a diagnosis: recommend a "
                "non-urgent medical or rheumatology review; the plan may proceed. Onset before "
                "about 40 also fits the pattern."
            )
        patient = _("Your physio may suggest a routine check with your doctor about the stiffness.")
    return FiredRule(
        "AMB-INFLAM",
        Severity.AMBER,
        tuple(answers),
        physio,
        patient,
        confirmation=_("I have considered inflammatory disease and arranged review if needed."),
    )


def rule_age(intake: Intake, today: date) -> FiredRule | None:
    """AMB-AGE: a new episode at age 50 or over (4.5; 5.1 age).

    A flare of a known recurring problem is not a new episode. Review at 2 weeks is
    mandatory; no improvement at 4 weeks turns into RF-URG-CANCER (ESC-REVIEW-4W).
    """
    if intake.age < AGE_AMBER_FROM:
        return None
    recurring = intake.previous_episodes is not PreviousEpisodes.NONE
    if recurring and intake.onset_type is OnsetType.FLARE:
        return None
    return FiredRule(
        "AMB-AGE",
        Severity.AMBER,
        (_field("age", intake.age), _field("previous_episodes", intake.previous_episodes)),
        _(
            "New episode at age 50 or over: confirm the red-flag screen. Review at 2 weeks is "
            "mandatory; no improvement at 4 weeks -> RF-URG-CANCER."
        ),
        _("Your physio will check how you are getting on after 2 weeks."),
        confirmation=_("I have confirmed the red-flag screen for a new episode at 50 or over."),
    )


def rule_pregnancy(intake: Intake, today: date) -> FiredRule | None:
    """AMB-PREG: pregnant or under 12 weeks postpartum (4.5; 5.1).

    Hides items flagged ``pregnancy`` (prone lying, lying flat later in pregnancy, end-range
    abdominal work) and heat on the abdomen. Needs clinical sign-off (section 8 item 5).
    """
    if not intake.is_pregnant_or_postpartum:
        return None
    answers = [_field("pregnancy_status", intake.pregnancy_status)]
    if intake.pregnancy_status is PregnancyStatus.PREGNANT and intake.pregnancy_weeks:
        answers.append(_field("pregnancy_weeks", intake.pregnancy_weeks))
    return FiredRule(
        "AMB-PREG",
        Severity.AMBER,
        tuple(answers),
        _(
            "Pregnant or under 12 weeks postpartum: items flagged pregnancy are hidden; no heat on "
            "the abdomen."
        ),
        _("Some exercises are left out for now. Never put a heat pack on your tummy."),
        confirmation=_("I have checked the plan is suitable in pregnancy or after the birth."),
        exclusion_flags=("pregnancy",),
    )


def rule_neck_dizziness(intake: Intake, today: date) -> FiredRule | None:
    """AMB-NECK-DIZZY: dizziness with neck movement judged not vascular (4.5; 5.3 group D).

    Hides neck end-range items (F18, F19: flag ``neck_dizziness``) unless re-enabled.
    """
    answers = _yes(intake, "neck_dizziness_non_vascular")
    if not answers:
        return None
    return FiredRule(
        "AMB-NECK-DIZZY",
        Severity.AMBER,
        answers,
        _(
            "Non-vascular dizziness with neck movement: neck end-range items are hidden unless "
            "re-enabled."
        ),
        _("If a neck movement makes you dizzy, stop it and tell your physio."),
        confirmation=_("I have assessed the dizziness and judged it not vascular."),
        exclusion_flags=("neck_dizziness",),
    )


_MODALITY_FLAGS = {
    ModalitySafety.REDUCED_SKIN_SENSATION: ("reduced_sensation",),
    ModalitySafety.DIABETES_WITH_NEUROPATHY: ("diabetes_neuropathy",),
    ModalitySafety.CIRCULATION_DISORDER: ("circulation_disorder",),
    ModalitySafety.RAYNAUDS: ("cold_sensitivity",),
    ModalitySafety.COLD_URTICARIA: ("cold_sensitivity",),
    ModalitySafety.BROKEN_SKIN_OR_SKIN_CONDITION: ("skin_broken",),
}


def rule_modality_safety(intake: Intake, today: date) -> FiredRule | None:
    """AMB-MODALITY: a condition that makes cold and/or heat unsafe (4.5, 4.6; 5.4).

    The flags remove the cold and/or heat items automatically (4.6 auto-exclude lists).
    Sources S0-34 to S0-41; G36.
    """
    conditions = in_order(intake.modality_safety, ModalitySafety)
    if not conditions:
        return None
    flags: list[str] = []
    for condition in conditions:
        for flag in _MODALITY_FLAGS[condition]:
            if flag not in flags:
                flags.append(flag)
    return FiredRule(
        "AMB-MODALITY",
        Severity.AMBER,
        (_set_field("modality_safety", conditions),),
        _("Cold/heat safety: the cold and/or heat items this condition rules out are removed."),
        _("Do not use cold or heat packs unless your physio has said they are safe for you."),
        confirmation=_("I have checked which of cold and heat are safe for this patient."),
        exclusion_flags=tuple(flags),
    )


def rule_widespread_cramps(intake: Intake, today: date) -> FiredRule | None:
    """AMB-WIDESPREAD: frequent cramps in several areas, or with wasting or weakness (4.5;
    5.3 group I; S4-21). The physio considers a medical review; the plan may proceed."""
    answers = _yes(intake, "widespread_cramps")
    if not answers:
        return None
    return FiredRule(
        "AMB-WIDESPREAD",
        Severity.AMBER,
        answers,
        _(
            "Widespread cramps or cramps with wasting/weakness: consider a medical review; the "
            "plan may proceed."
        ),
        _("Your physio may suggest a check with your doctor about the cramps."),
        confirmation=_("I have considered a medical review for the cramps."),
    )


def rule_high_risk(intake: Intake, today: date) -> FiredRule | None:
    """AMB-HIGHRISK: STarT Back high risk, lumbar presentations only (4.5 REVIEW; 5.6; G1,
    G16). The physio uses a psychologically informed approach; check-ins weekly."""
    score = intake.start_back
    if score is None or Region.LUMBAR not in intake.regions:
        return None
    if score.risk is not StartBackRisk.HIGH:
        return None
    return FiredRule(
        "AMB-HIGHRISK",
        Severity.REVIEW,
        (("start_back_total", str(score.total)), ("start_back_distress", str(score.distress))),
        _("STarT Back high risk: use a psychologically informed approach; weekly check-ins."),
        "",
    )


_LIMIT_FLAGS = {
    OtherLimit.SHOULDER_PROBLEM: "shoulder_problem",
    OtherLimit.KNEE_PROBLEM: "knee_problem",
    OtherLimit.WRIST_OR_HAND_PROBLEM: "wrist_problem",
    OtherLimit.BALANCE_PROBLEMS: "balance_impaired",
}

RULE_FUNCTIONS: tuple[Callable[[Intake, date], FiredRule | None], ...] = (
    rule_cauda_equina,
    rule_cord_compression,
    rule_neck_vascular,
    rule_cardiac_or_aortic,
    rule_infection,
    rule_cancer,
    rule_fracture,
    rule_neuro_deficit,
    rule_visceral,
    rule_severe_pain,
    rule_radicular,
    rule_known_diagnosis,
    rule_osteoporosis,
    rule_inflammatory,
    rule_age,
    rule_pregnancy,
    rule_neck_dizziness,
    rule_modality_safety,
    rule_widespread_cramps,
    rule_high_risk,
)


def check_assessed(intake: Intake, today: date) -> tuple[BlockReason, ...]:
    """GATE-ASSESSED: a recorded, complete and recent physio assessment (4.1, 4.5; 5.1).

    Blocks when there is no assessment date, the date is in the future or more than 14 days
    old, a required red-flag question is unanswered, or limb symptoms were recorded without a
    neurological examination (5.2: ``neuro_exam_done`` is needed to clear AMB-RADIC).
    """
    blocks: list[BlockReason] = []
    assessed = intake.assessment_date
    if assessed is None:
        blocks.append(BlockReason("GATE-ASSESSED", _("No physio assessment date is recorded.")))
    elif assessed > today:
        blocks.append(
            BlockReason(
                "GATE-ASSESSED",
                _("The assessment date is in the future."),
                (_field("assessment_date", assessed.isoformat()),),
            )
        )
    elif (today - assessed).days > ASSESSMENT_VALID_DAYS:
        blocks.append(
            BlockReason(
                "GATE-ASSESSED",
                _(
                    "The assessment is %(days)s days old (more than 14): "
                    "reassess before issuing a plan."
                )
                % {"days": (today - assessed).days},
                (_field("assessment_date", assessed.isoformat()),),
            )
        )
    if intake.onset_date > today:
        blocks.append(
            BlockReason(
                "GATE-ASSESSED",
                _("The onset date is in the future."),
                (_field("onset_date", intake.onset_date.isoformat()),),
            )
        )
    missing = [
        key for key in required_red_flag_questions(intake.regions) if key not in intake.red_flags
    ]
    if missing:
        blocks.append(
            BlockReason(
                "GATE-ASSESSED",
                _("The red-flag screen is incomplete; unanswered: %(questions)s.")
                % {"questions": ", ".join(missing)},
                tuple((key, "unanswered") for key in missing),
            )
        )
    if intake.has_limb_symptoms and intake.neuro_exam_done is not True:
        blocks.append(
            BlockReason(
                "GATE-ASSESSED",
                _(
                    "Limb symptoms are recorded without a neurological examination "
                    "(neuro_exam_done): examine before issuing a plan."
                ),
                (("neuro_exam_done", "no" if intake.neuro_exam_done is False else "unanswered"),),
            )
        )
    return tuple(blocks)


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years of age on ``day`` (someone born on 29 February has their birthday on 1 March
    in other years)."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


def is_adult_on(date_of_birth: date, day: date) -> bool:
    """GATE-AGE's scope (5.1 age): the service is for adults. Registration asks it with the
    date of birth, the planner with the intake's age: both from this one threshold."""
    return age_on(date_of_birth, day) >= ADULT_FROM_AGE


def check_age_in_scope(intake: Intake, today: date) -> tuple[BlockReason, ...]:
    """GATE-AGE: under 18 is out of scope, no plan (5.1 age)."""
    if intake.age >= ADULT_FROM_AGE:
        return ()
    return (
        BlockReason(
            "GATE-AGE",
            _("Under 18: out of scope for this service; no plan."),
            (_field("age", intake.age),),
        ),
    )


def _apply_clearance(rule: FiredRule, intake: Intake, today: date) -> FiredRule:
    """Lift an urgent rule to amber when a medical clearance covers it (4.1 item 4; 5.1).

    The clearance must be dated between the onset of this episode and today, and name the rule
    or no rule at all (then it covers every urgent rule). Emergency rules are never lifted.
    """
    clearance = intake.medical_clearance
    if clearance is None or rule.severity is not Severity.URGENT:
        return rule
    if clearance.rule_ids and rule.rule_id not in clearance.rule_ids:
        return rule
    if not intake.onset_date <= clearance.cleared_on <= today:
        return replace(
            rule,
            physio_message=_(
                "%(message)s The medical clearance dated %(date)s is outside this episode and "
                "does not lift it."
            )
            % {"message": rule.physio_message, "date": clearance.cleared_on.isoformat()},
        )
    cleared = _("Medical clearance by %(cleared_by)s (%(role)s) on %(date)s") % {
        "cleared_by": clearance.cleared_by,
        "role": clearance.role,
        "date": clearance.cleared_on.isoformat(),
    }
    return replace(
        rule,
        is_cleared=True,
        answers=(*rule.answers, ("medical_clearance", cleared)),
        physio_message=_("%(cleared)s lifts the block: %(message)s")
        % {"message": rule.physio_message, "cleared": cleared},
        patient_message="",
        confirmation=_("%(cleared)s covers %(rule_id)s for this episode.")
        % {"cleared": cleared, "rule_id": rule.rule_id},
    )


def _other_limit_flags(intake: Intake) -> tuple[ExclusionFlag, ...]:
    """COMP-LIMITS: shoulder, knee, wrist and balance limits hide items (5.4 other_limits)."""
    flags = []
    for limit in in_order(intake.other_limits, OtherLimit):
        flag = _LIMIT_FLAGS.get(limit)
        if flag:
            flags.append(
                ExclusionFlag(
                    flag,
                    "COMP-LIMITS",
                    _("other limits: %(limit)s") % {"limit": limit.value.replace("_", " ")},
                    (_field("other_limits", limit),),
                )
            )
    return tuple(flags)


def screen(intake: Intake, *, today: date) -> ScreeningResult:
    """Run the intake red-flag screen (clinical-model.md 4.5) and return its outcome.

    Rules are evaluated on whatever was answered, even when GATE-ASSESSED blocks, so an
    emergency answer is never hidden behind an incomplete form.
    """
    blocked = check_age_in_scope(intake, today) + check_assessed(intake, today)
    fired = []
    for rule_function in RULE_FUNCTIONS:
        rule = rule_function(intake, today)
        if rule is not None:
            fired.append(_apply_clearance(rule, intake, today))
    worst = max((rule.effective_severity.rank for rule in fired), default=0)
    outcome = {
        3: Outcome.EMERGENCY,
        2: Outcome.URGENT,
        1: Outcome.AMBER,
    }.get(worst, Outcome.CLEAR)
    flags = [
        ExclusionFlag(flag, rule.rule_id, RULES[rule.rule_id].title.lower(), rule.answers)
        for rule in fired
        for flag in rule.exclusion_flags
    ]
    flags += _other_limit_flags(intake)
    return ScreeningResult(outcome, tuple(fired), blocked, tuple(flags))


# What a required field the physio left empty reads as when an incomplete intake is screened
# for a referral: the answer that is no finding for any urgent or emergency rule. Regions read
# as all three, so every region's rules look at the answers given (the cautious reading), and
# the onset as today, so no medical clearance dated before today lifts an urgent rule.
UNRECORDED_READS_AS: Mapping[str, Any] = {
    "pregnancy_status": PregnancyStatus.NOT_APPLICABLE,
    "regions": ALL_REGIONS,
    "onset_type": OnsetType.UNKNOWN,
    "triggers": frozenset(),
    "previous_episodes": PreviousEpisodes.NONE,
    "pain_now": 0,
    "pain_worst_24h": 0,
    "irritability": Irritability.LOW,
    "aggravating": frozenset(),
    "radiating_pain": RadiatingPain.NONE,
    "paraesthesia": Paraesthesia.NONE,
    "weakness": Weakness.NONE,
    "function_walk_10min": True,
    "work_status": WorkStatus.WORKING_NORMALLY,
}


def screen_for_referral(
    recorded: Mapping[str, Any], *, unanswered: Iterable[str], today: date
) -> ScreeningResult:
    """Screen an intake with required answers missing, for a referral only (4.1 item 1).

    A physio facing cauda equina signs records what they have and gets the referral at once.
    ``recorded`` holds the ``Intake`` fields that were answered (``age``, ``red_flags`` and
    ``assessment_date`` always); the others read as ``UNRECORDED_READS_AS``, so the rules fire
    on what was answered only. Only the rules that block a plan (urgent, emergency) are kept,
    and GATE-ASSESSED blocks with the answers still missing: an incomplete intake gives a
    referral or nothing, never a plan, and no amber finding drawn from a stand-in value.
    """
    values: dict[str, Any] = {
        **UNRECORDED_READS_AS,
        "assessment_date": None,
        "onset_date": today,
        **{name: value for name, value in recorded.items() if value is not None},
    }
    if "primary_region" not in values:
        values["primary_region"] = in_order(values["regions"], Region)[0]
    full = screen(Intake(**values), today=today)
    missing = tuple(unanswered)
    incomplete = BlockReason(
        "GATE-ASSESSED",
        _("Recorded incomplete for a referral; not answered: %(questions)s.")
        % {"questions": ", ".join(missing)},
        tuple((name, "unanswered") for name in missing),
    )
    blocked = (*(block for block in full.blocked if block.rule_id == "GATE-AGE"), incomplete)
    fired = full.blocking_rules
    worst = max((rule.effective_severity.rank for rule in fired), default=0)
    outcome = {3: Outcome.EMERGENCY, 2: Outcome.URGENT}.get(worst, Outcome.CLEAR)
    return ScreeningResult(outcome, fired, blocked, ())
