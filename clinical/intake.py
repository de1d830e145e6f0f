"""The physio's intake and red-flag screen (clinical-model.md section 5) as plain data.

Every multi-choice field is a ``frozenset`` of an enum; code that turns one into output walks
it in enum order (``in_order``) so results never depend on set iteration order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum, StrEnum
from types import MappingProxyType
from typing import TypeVar

from clinical.i18n import _

E = TypeVar("E", bound=StrEnum)


def in_order(values: Iterable[E], enum_type: type[E]) -> tuple[E, ...]:
    """The members of ``values`` in their enum's declaration order."""
    present = set(values)
    return tuple(member for member in enum_type if member in present)


class Region(StrEnum):
    CERVICAL = "cervical"
    THORACIC = "thoracic"
    LUMBAR = "lumbar"


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"

    @property
    def counts_as_yes(self) -> bool:
        """ "Unsure" counts as "yes" until the physio resolves it (5.3, section 3 row 8)."""
        return self is not Answer.NO


class PregnancyStatus(StrEnum):
    NOT_PREGNANT = "not_pregnant"
    PREGNANT = "pregnant"
    POSTPARTUM_UNDER_12_WEEKS = "postpartum_under_12_weeks"
    NOT_APPLICABLE = "not_applicable"


class OnsetType(StrEnum):
    SUDDEN_INJURY = "sudden_injury"
    GRADUAL = "gradual"
    FLARE = "flare_of_recurring_problem"
    UNKNOWN = "unknown"


class Trigger(StrEnum):
    HEAVY_LIFT = "heavy_lift"
    REPEATED_LIFTING = "repeated_lifting"
    SUDDEN_BEND_OR_TWIST = "sudden_bend_or_twist"
    AWKWARD_SLEEPING_POSITION = "awkward_sleeping_position"
    PROLONGED_SITTING = "prolonged_sitting"
    SPORT = "sport"
    UNACCUSTOMED_HEAVY_ACTIVITY = "unaccustomed_heavy_activity"
    STRESS = "stress"
    ROAD_COLLISION = "road_collision"
    FALL = "fall"
    OTHER = "other"
    NONE_KNOWN = "none_known"


class PreviousEpisodes(StrEnum):
    NONE = "none"
    ONE_OR_TWO = "one_or_two"
    THREE_OR_MORE = "three_or_more"


class Irritability(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class Aggravating(StrEnum):
    BENDING_FORWARD = "bending_forward"
    LIFTING = "lifting"
    SITTING = "sitting"
    STANDING = "standing"
    WALKING = "walking"
    BENDING_BACKWARDS = "bending_backwards"
    TURNING = "turning"
    LOOKING_DOWN = "looking_down"
    LYING = "lying"
    # An explicit answer: no movement makes it worse (never combined with a movement).
    NONE = "none"


class RadiatingPain(StrEnum):
    NONE = "none"
    BUTTOCK_OR_THIGH = "buttock_or_thigh"
    BELOW_KNEE = "below_knee"
    BOTH_LEGS = "both_legs"
    ONE_ARM = "one_arm"
    BOTH_ARMS = "both_arms"


class Paraesthesia(StrEnum):
    NONE = "none"
    ONE_LIMB = "one_limb"
    BOTH_LIMBS = "both_limbs"
    SADDLE = "saddle_area"


class Weakness(StrEnum):
    NONE = "none"
    STABLE_EXAMINED = "stable_examined"
    NEW_OR_WORSENING = "new_or_worsening"


class DirectionalPreference(StrEnum):
    EXTENSION = "extension"
    FLEXION = "flexion"
    NONE = "none"
    NOT_ASSESSED = "not_assessed"


class ExamFinding(StrEnum):
    HYPERLORDOSIS = "hyperlordosis"
    TIGHT_HAMSTRINGS = "tight_hamstrings"
    WEAK_GLUTEALS_OR_LEGS = "weak_gluteals_or_legs"
    POOR_TRUNK_ENDURANCE = "poor_trunk_endurance"
    FORWARD_HEAD_POSTURE = "forward_head_posture"
    STIFF_THORACIC_SPINE = "stiff_thoracic_spine"
    ROUNDED_SHOULDERS = "rounded_shoulders"


class WorkStatus(StrEnum):
    WORKING_NORMALLY = "working_normally"
    MODIFIED_DUTIES = "modified_duties"
    OFF_WORK = "off_work"
    NOT_WORKING = "not_working"


class SpinalDiagnosis(StrEnum):
    DISC_HERNIATION = "disc_herniation"
    SPINAL_STENOSIS = "spinal_stenosis"
    SPONDYLOLISTHESIS = "spondylolisthesis"
    FACET_ARTHROPATHY = "facet_arthropathy"
    SCOLIOSIS = "scoliosis"
    SPINAL_SURGERY = "spinal_surgery"


class OsteoporosisHistory(StrEnum):
    NO = "no"
    YES = "yes"
    FRAGILITY_FRACTURE = "previous_fragility_fracture"


class InflammatoryHistory(StrEnum):
    NONE = "none"
    ANKYLOSING_SPONDYLITIS = "ankylosing_spondylitis"
    OTHER_INFLAMMATORY_ARTHRITIS = "other_inflammatory_arthritis"


class ModalitySafety(StrEnum):
    REDUCED_SKIN_SENSATION = "reduced_skin_sensation"
    DIABETES_WITH_NEUROPATHY = "diabetes_with_neuropathy"
    CIRCULATION_DISORDER = "circulation_disorder"
    RAYNAUDS = "raynauds"
    COLD_URTICARIA = "cold_urticaria"
    BROKEN_SKIN_OR_SKIN_CONDITION = "broken_skin_or_skin_condition"


class OtherLimit(StrEnum):
    SHOULDER_PROBLEM = "shoulder_problem"
    KNEE_PROBLEM = "knee_problem"
    WRIST_OR_HAND_PROBLEM = "wrist_or_hand_problem"
    BALANCE_PROBLEMS = "balance_problems_or_falls"
    HEART_OR_LUNG_CONDITION = "heart_or_lung_condition"


class ActivityLevel(StrEnum):
    MOSTLY_SITTING = "mostly_sitting"
    SOME_ACTIVITY = "some_activity"
    REGULARLY_ACTIVE = "regularly_active"


class SittingHours(StrEnum):
    UNDER_4 = "under_4"
    FROM_4_TO_8 = "4_to_8"
    OVER_8 = "over_8"


class OccupationLoad(StrEnum):
    DESK = "desk"
    STANDING = "standing"
    LIGHT_MANUAL = "light_manual"
    HEAVY_MANUAL = "heavy_manual"


class SportsCategory(StrEnum):
    TWISTING_OR_CONTACT = "twisting_or_contact"
    LIFTING = "lifting"
    ENDURANCE = "endurance"


class WeightCategory(StrEnum):
    HEALTHY = "healthy"
    OVERWEIGHT = "overweight"
    OBESE = "obese"
    NOT_ASSESSED = "not_assessed"


class StressLevel(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class SleepQuality(StrEnum):
    GOOD = "good"
    DISTURBED_BY_PAIN = "disturbed_by_pain"
    POOR_OTHER_REASONS = "poor_other_reasons"


class Equipment(StrEnum):
    FLOOR_MAT = "floor_mat"
    STURDY_CHAIR = "sturdy_chair"
    WALL = "wall"
    TOWEL_OR_STRAP = "towel_or_strap"
    RESISTANCE_BAND = "resistance_band"
    PILLOWS = "pillows"
    ICE_PACK = "ice_pack"
    HEAT_PACK = "heat_pack"
    STATIONARY_BIKE = "stationary_bike"
    POOL_ACCESS = "pool_access"


class TimePerDay(IntEnum):
    """Minutes a day the patient can give the exercise session (30 means "30 or more")."""

    TEN = 10
    TWENTY = 20
    THIRTY_OR_MORE = 30


class PreferredActivity(StrEnum):
    WALKING = "walking"
    WATER_EXERCISE = "water_exercise"
    CYCLING = "cycling"
    YOGA_OR_TAI_CHI = "yoga_or_tai_chi"


class ReminderFrequency(StrEnum):
    NONE = "none"
    WEEKLY = "weekly"
    THREE_PER_WEEK = "three_per_week"
    DAILY = "daily"


class RedFlagGroup(StrEnum):
    CAUDA_EQUINA = "A"
    FRACTURE = "B"
    NECK_CORD = "C"
    NECK_VASCULAR = "D"
    INFECTION = "E"
    CANCER = "F"
    VISCERAL = "G"
    INFLAMMATORY = "H"
    OTHER = "I"


class StartBackRisk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class StartBackScore:
    """Optional STarT Back result (5.6, G16): total 0-9 and distress subscale 0-5."""

    total: int
    distress: int

    def __post_init__(self) -> None:
        if not 0 <= self.total <= 9 or not 0 <= self.distress <= 5 or self.distress > self.total:
            raise ValueError("STarT Back total must be 0-9 and distress 0-5, not above total")

    @property
    def risk(self) -> StartBackRisk:
        """Total 0-3 low; 4-9 medium, unless the distress subscale is 4-5: high (G16)."""
        if self.total <= 3:
            return StartBackRisk.LOW
        return StartBackRisk.HIGH if self.distress >= 4 else StartBackRisk.MEDIUM


@dataclass(frozen=True)
class MedicalClearance:
    """A documented medical assessment that lets the physio lift an urgent block (5.1).

    ``rule_ids`` names the urgent rules it covers; empty means every urgent rule that fires.
    It never lifts an emergency rule.
    """

    cleared_by: str
    role: str
    cleared_on: date
    rule_ids: tuple[str, ...] = ()


ALL_REGIONS = frozenset(Region)
NECK_AND_THORACIC = frozenset({Region.CERVICAL, Region.THORACIC})


@dataclass(frozen=True)
class RedFlagQuestion:
    """One red-flag question (5.3): the physio's wording, plain words for patients, the rule
    it feeds and the presenting regions for which it must be answered."""

    key: str
    group: RedFlagGroup
    physio_text: str
    patient_text: str
    rule_ids: tuple[str, ...]
    regions: frozenset[Region] = ALL_REGIONS


RED_FLAG_QUESTIONS: tuple[RedFlagQuestion, ...] = (
    RedFlagQuestion(
        "ces_urinary_difficulty",
        RedFlagGroup.CAUDA_EQUINA,
        _(
            "New difficulty starting to pass urine, weak stream, or loss of the feeling of passing "
            "urine?"
        ),
        _(
            "Is it newly hard to start peeing, is the flow weak, or can you no longer feel "
            "yourself peeing?"
        ),
        ("RF-EMERG-CES",),
    ),
    RedFlagQuestion(
        "ces_incontinence",
        RedFlagGroup.CAUDA_EQUINA,
        _("New leaking of urine or faeces, or loss of bowel sensation/control?"),
        _(
            "Have you started leaking pee or poo, or lost control or feeling when you open your "
            "bowels?"
        ),
        ("RF-EMERG-CES",),
    ),
    RedFlagQuestion(
        "ces_saddle_numbness",
        RedFlagGroup.CAUDA_EQUINA,
        _("Numbness or tingling around the genitals, anus or inner thighs?"),
        _(
            "Is there numbness or tingling between your legs, around your bottom or on your inner "
            "thighs?"
        ),
        ("RF-EMERG-CES",),
    ),
    RedFlagQuestion(
        "ces_both_legs",
        RedFlagGroup.CAUDA_EQUINA,
        _("Pain, numbness or weakness in both legs?"),
        _("Do you have pain, numbness or weakness in both legs?"),
        ("RF-EMERG-CES",),
    ),
    RedFlagQuestion(
        "ces_rapid_leg_weakness",
        RedFlagGroup.CAUDA_EQUINA,
        _("Leg weakness that is getting worse quickly?"),
        _("Is a leg getting weaker quickly?"),
        ("RF-EMERG-CES",),
    ),
    RedFlagQuestion(
        "ces_sexual_dysfunction",
        RedFlagGroup.CAUDA_EQUINA,
        _("New problems with sexual function?"),
        _("Have you noticed new problems with sex, such as numbness or not being able to?"),
        ("RF-EMERG-CES",),
    ),
    RedFlagQuestion(
        "fracture_major_trauma",
        RedFlagGroup.FRACTURE,
        _(
            "Did the pain start after a road collision, a fall from a height or a heavy impact, "
            "and has this not yet been medically assessed?"
        ),
        _(
            "Did the pain start after a car crash, a fall from a height or a hard knock, and no "
            "doctor has checked you since?"
        ),
        ("RF-URG-FRACTURE",),
    ),
    RedFlagQuestion(
        "fracture_minor_trauma_bone_risk",
        RedFlagGroup.FRACTURE,
        _(
            "Known osteoporosis, previous fragility fracture, or long-term steroid tablets - and "
            "did the pain start after a minor fall, strain or lift?"
        ),
        _(
            "Do you have thin bones, a past break from a small fall, or take steroid tablets long "
            "term - and did the pain start after a small fall, strain or lift?"
        ),
        ("RF-URG-FRACTURE",),
    ),
    RedFlagQuestion(
        "fracture_central_pain_or_deformity",
        RedFlagGroup.FRACTURE,
        _(
            "Sudden severe pain in the middle of the spine that eases when lying down, or a new "
            "visible change in spinal shape?"
        ),
        _(
            "Did you get sudden, very bad pain in the middle of your spine that eases when you lie "
            "down, or has the shape of your back changed?"
        ),
        ("RF-URG-FRACTURE",),
    ),
    RedFlagQuestion(
        "cord_signs",
        RedFlagGroup.NECK_CORD,
        _(
            "New clumsiness or weakness of the hands, unsteady walking, or electric-shock feelings "
            "when bending the neck?"
        ),
        _(
            "Are your hands newly clumsy or weak, is your walking unsteady, or do you get "
            "electric-shock feelings when you bend your neck?"
        ),
        ("RF-EMERG-CORD",),
        NECK_AND_THORACIC,
    ),
    RedFlagQuestion(
        "vascular_symptoms",
        RedFlagGroup.NECK_VASCULAR,
        _(
            "New dizziness, double vision, trouble speaking or swallowing, fainting or drop "
            "attacks, facial numbness, or a sudden severe headache?"
        ),
        _(
            "Do you have new dizziness, double vision, trouble speaking or swallowing, fainting or "
            "falling without warning, a numb face, or a sudden very bad headache?"
        ),
        ("RF-EMERG-VASC",),
        frozenset({Region.CERVICAL}),
    ),
    RedFlagQuestion(
        "neck_dizziness_non_vascular",
        RedFlagGroup.NECK_VASCULAR,
        _(
            "Dizziness with neck movement that you have assessed and judged not vascular? (If a "
            "vascular cause is not ruled out, answer the question above yes.)"
        ),
        _("Do you feel dizzy when you move your neck?"),
        ("AMB-NECK-DIZZY",),
        frozenset({Region.CERVICAL}),
    ),
    RedFlagQuestion(
        "infection_unwell",
        RedFlagGroup.INFECTION,
        _("Fever, chills or feeling generally unwell?"),
        _("Do you have a fever or chills, or feel generally unwell?"),
        ("RF-URG-INFECTION",),
    ),
    RedFlagQuestion(
        "infection_risk",
        RedFlagGroup.INFECTION,
        _(
            "Weakened immune system (e.g. chemotherapy, transplant medicines, HIV), injecting drug "
            "use, a recent bacterial infection, or a recent spinal injection/operation?"
        ),
        _(
            "Is your immune system weakened (for example by cancer treatment, transplant medicines "
            "or HIV), do you inject drugs, or have you recently had an infection, or an injection "
            "or operation on your spine?"
        ),
        ("RF-URG-INFECTION",),
    ),
    RedFlagQuestion(
        "cancer_history",
        RedFlagGroup.CANCER,
        _("Any history of cancer?"),
        _("Have you ever had cancer?"),
        ("RF-URG-CANCER",),
    ),
    RedFlagQuestion(
        "cancer_weight_loss",
        RedFlagGroup.CANCER,
        _("Unexplained weight loss?"),
        _("Have you lost weight without trying?"),
        ("RF-URG-CANCER",),
    ),
    RedFlagQuestion(
        "cancer_constant_or_night_pain",
        RedFlagGroup.CANCER,
        _(
            "Pain that is constant and getting steadily worse, not eased by rest or changing "
            "position, or that wakes you at night and does not ease on moving?"
        ),
        _(
            "Is the pain there all the time and slowly getting worse, even when you rest or change "
            "position, or does it wake you at night and not ease when you move?"
        ),
        ("RF-URG-CANCER", "ESC-SEVERE"),
    ),
    RedFlagQuestion(
        "cancer_several_sites",
        RedFlagGroup.CANCER,
        _("Pain in several different places at once?"),
        _("Do you have pain in several different places at the same time?"),
        ("RF-URG-CANCER",),
    ),
    RedFlagQuestion(
        "visceral_cardiac",
        RedFlagGroup.VISCERAL,
        _("Chest pain, breathlessness, sweating, or pain spreading to the arm or jaw?"),
        _(
            "Do you have chest pain, trouble breathing, sweating, or pain spreading to your arm or "
            "jaw?"
        ),
        ("RF-EMERG-CARDIO",),
    ),
    RedFlagQuestion(
        "visceral_urinary_or_abdominal",
        RedFlagGroup.VISCERAL,
        _(
            "Burning or blood when passing urine, loin pain with fever, abdominal pain, or pain "
            "linked to eating?"
        ),
        _(
            "Does it burn or is there blood when you pee, do you have pain in your side with a "
            "fever, tummy pain, or pain that comes with eating?"
        ),
        ("RF-URG-VISCERAL",),
    ),
    RedFlagQuestion(
        "visceral_unchanged_by_movement",
        RedFlagGroup.VISCERAL,
        _("Pain that does not change at all with movement or position?"),
        _("Does the pain stay exactly the same whatever you do and however you move or lie?"),
        ("RF-URG-VISCERAL",),
    ),
    RedFlagQuestion(
        "visceral_aortic",
        RedFlagGroup.VISCERAL,
        _("Known aortic aneurysm or a pulsing feeling in the abdomen?"),
        _(
            "Have you been told you have a swollen main blood vessel in your tummy (aortic "
            "aneurysm), or do you feel a throbbing in your tummy?"
        ),
        ("RF-EMERG-CARDIO",),
    ),
    RedFlagQuestion(
        "inflammatory_pattern",
        RedFlagGroup.INFLAMMATORY,
        _(
            "Morning stiffness lasting more than about 30-60 minutes that improves with exercise, "
            "or waking in the second half of the night with back pain?"
        ),
        _(
            "Is your back stiff for more than about half an hour in the morning and better once "
            "you move, or does back pain wake you in the second half of the night?"
        ),
        ("AMB-INFLAM",),
    ),
    RedFlagQuestion(
        "widespread_cramps",
        RedFlagGroup.OTHER,
        _("Frequent cramps in several body areas, or cramps with muscle wasting or weakness?"),
        _(
            "Do you often get cramps in several parts of your body, or cramps with muscles getting "
            "thinner or weaker?"
        ),
        ("AMB-WIDESPREAD",),
    ),
    # Not a row of 5.3: RF-URG-NEURO (4.5) also covers "numbness that is spreading", which no
    # other question or field captures.
    RedFlagQuestion(
        "neuro_spreading_or_weakening",
        RedFlagGroup.OTHER,
        _(
            "Numbness in an arm or leg that is spreading, or new or worsening limb weakness (e.g. "
            "foot drop, weak grip)?"
        ),
        _("Is numbness in an arm or leg spreading, or is an arm or leg getting weaker?"),
        ("RF-URG-NEURO",),
    ),
)

RED_FLAG_QUESTIONS_BY_KEY: Mapping[str, RedFlagQuestion] = MappingProxyType(
    {question.key: question for question in RED_FLAG_QUESTIONS}
)


def required_red_flag_questions(regions: Iterable[Region]) -> tuple[str, ...]:
    """Keys of the red-flag questions that must be answered for these presenting regions.

    Groups A, B, E, F, G, H and I are asked for every region (5.3: "all required"; G is always
    asked for thoracic). C (cord) is asked for neck and thoracic presentations, as RF-EMERG-CORD
    covers both (4.5); D (vascular, and the non-vascular dizziness follow-up) for the neck only.
    """
    chosen = set(regions)
    return tuple(q.key for q in RED_FLAG_QUESTIONS if q.regions & chosen)


@dataclass(frozen=True, kw_only=True)
class Intake:
    """Everything the physio records at the assessment (5.1-5.6).

    Multi-choice fields are frozensets; an empty set means "none". ``red_flags`` maps question
    keys of ``RED_FLAG_QUESTIONS`` to answers; questions not answered are simply absent.
    """

    # 5.1 Eligibility and administration
    assessment_date: date | None
    age: int
    pregnancy_status: PregnancyStatus
    pregnancy_weeks: int | None = None
    medical_clearance: MedicalClearance | None = None
    # 5.2 Presentation
    regions: frozenset[Region]
    primary_region: Region
    onset_date: date
    onset_type: OnsetType
    triggers: frozenset[Trigger]
    previous_episodes: PreviousEpisodes
    pain_now: int
    pain_worst_24h: int
    irritability: Irritability
    aggravating: frozenset[Aggravating]
    radiating_pain: RadiatingPain
    paraesthesia: Paraesthesia
    weakness: Weakness
    neuro_exam_done: bool | None = None
    directional_preference: DirectionalPreference = DirectionalPreference.NOT_ASSESSED
    exam_findings: frozenset[ExamFinding] = frozenset()
    function_walk_10min: bool
    work_status: WorkStatus
    is_prevention_only: bool = False
    # 5.3 Red-flag screen
    red_flags: Mapping[str, Answer] = field(default_factory=dict, hash=False)
    # 5.4 History, safety and lifestyle
    known_spinal_dx: frozenset[SpinalDiagnosis] = frozenset()
    spinal_surgery_date: date | None = None
    hx_osteoporosis: OsteoporosisHistory = OsteoporosisHistory.NO
    long_term_steroids: bool = False
    hx_inflammatory: InflammatoryHistory = InflammatoryHistory.NONE
    modality_safety: frozenset[ModalitySafety] = frozenset()
    other_limits: frozenset[OtherLimit] = frozenset()
    activity_level: ActivityLevel = ActivityLevel.SOME_ACTIVITY
    sitting_hours: SittingHours = SittingHours.UNDER_4
    occupation_load: OccupationLoad | None = None
    sports_category: frozenset[SportsCategory] = frozenset()
    sports_detail: str = ""
    weight_category: WeightCategory = WeightCategory.NOT_ASSESSED
    stress_level: StressLevel = StressLevel.LOW
    sleep_quality: SleepQuality = SleepQuality.GOOD
    # 5.5 Preferences and resources
    equipment: frozenset[Equipment] = frozenset()
    time_per_day: TimePerDay = TimePerDay.TWENTY
    preferred_activity: frozenset[PreferredActivity] = frozenset({PreferredActivity.WALKING})
    reminder_frequency: ReminderFrequency = ReminderFrequency.THREE_PER_WEEK
    # 5.6 Optional questionnaires
    start_back: StartBackScore | None = None

    def __post_init__(self) -> None:
        answers = {key: Answer(value) for key, value in self.red_flags.items()}
        unknown = sorted(set(answers) - set(RED_FLAG_QUESTIONS_BY_KEY))
        if unknown:
            raise ValueError(f"unknown red-flag question keys: {', '.join(unknown)}")
        object.__setattr__(self, "red_flags", MappingProxyType(answers))
        if not self.regions or self.primary_region not in self.regions:
            raise ValueError("primary_region must be one of the recorded regions")
        for name in ("pain_now", "pain_worst_24h"):
            if not 0 <= getattr(self, name) <= 10:
                raise ValueError(f"{name} must be 0-10")
        if not 0 <= self.age <= 120:
            raise ValueError("age must be 0-120")

    def answer(self, key: str) -> Answer | None:
        return self.red_flags.get(key)

    def says_yes(self, key: str) -> bool:
        """True when the question was answered yes or unsure."""
        answer = self.red_flags.get(key)
        return answer is not None and answer.counts_as_yes

    def days_since_onset(self, today: date) -> int:
        return max(0, (today - self.onset_date).days)

    @property
    def has_limb_symptoms(self) -> bool:
        return (
            self.radiating_pain is not RadiatingPain.NONE
            or self.paraesthesia is not Paraesthesia.NONE
            or self.weakness is not Weakness.NONE
        )

    @property
    def has_leg_pain(self) -> bool:
        return self.radiating_pain in LEG_RADIATION

    @property
    def is_pregnant_or_postpartum(self) -> bool:
        return self.pregnancy_status in (
            PregnancyStatus.PREGNANT,
            PregnancyStatus.POSTPARTUM_UNDER_12_WEEKS,
        )


LEG_RADIATION = frozenset(
    {RadiatingPain.BUTTOCK_OR_THIGH, RadiatingPain.BELOW_KNEE, RadiatingPain.BOTH_LEGS}
)
