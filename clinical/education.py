"""Patient-education snippets (clinical-model.md section 7), the symptom-response table
(RULE:SYM-RESPONSE, 4.4) and the safety-net line of every plan and email (4.9).

Draft wording: the clinical lead approves changes here; keys are stable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from clinical.i18n import _


@dataclass(frozen=True)
class EducationSnippet:
    key: str
    text: str
    seed_basis: str


_SNIPPETS = (
    EducationSnippet(
        "what_is_spasm",
        _(
            "A back spasm is when muscles next to your spine suddenly tighten and will not let go. "
            "It often happens after lifting, a sudden twist, sleeping awkwardly, or sitting for a "
            "long time. The tight muscles are trying to protect your back. It can be very painful, "
            "but it is rarely a sign of serious damage."
        ),
        "S0-01, S0-10, S0-12, S2-01, S2-08, S4-01, S4-19",
    ),
    EducationSnippet(
        "outlook",
        _(
            "Most back spasms ease a lot within 2-3 weeks and settle fully with simple care. "
            "Recovery is not always a straight line: good and bad days are normal."
        ),
        "S0-31, S0-48, S1-27, S3-14, S4-19",
    ),
    EducationSnippet(
        "stay_active",
        _(
            "Keeping gently active helps you recover faster than resting in bed. Short rests in a "
            "comfortable position are fine, but get up and move little and often. Avoid only the "
            "activities that clearly make it much worse, for now."
        ),
        "S0-45 to S0-47, S2-23; G21",
    ),
    EducationSnippet(
        "during_a_spasm",
        _(
            "If a spasm grips: stop, breathe slowly, and find a position that eases it (for "
            "example "
            "lying with your knees supported). The sharp pain usually fades within minutes but the "
            "area may feel bruised afterwards, and another wave can come. Once it eases, start "
            "moving gently again."
        ),
        "S4-13 to S4-17",
    ),
    EducationSnippet(
        "cold_use",
        _(
            'In the first two days after your back "went", a wrapped cold pack for about 15 '
            "minutes (never more than 20) can ease pain. Always keep a cloth between the pack and "
            "your skin."
        ),
        "S0-34 to S0-37, S3-10",
    ),
    EducationSnippet(
        "heat_use",
        _(
            "After the first two days, or if your pain did not start with an injury, warmth for "
            "15-20 minutes can relax tight muscles. Use a towel layer, a low or medium setting, "
            "and "
            "never fall asleep with heat on."
        ),
        "S0-38 to S0-41, S3-06, S3-10",
    ),
    EducationSnippet(
        "when_to_seek_help",
        _(
            "Contact your physio if your pain is getting worse, is not improving after 2-3 weeks, "
            "or new symptoms appear, such as pain, tingling or numbness spreading into an arm or "
            "leg."
        ),
        "S0-17, S1-13, S1-17, S1-28, S3-12, S3-15",
    ),
    EducationSnippet(
        "emergency",
        _(
            "Get emergency help now if you have: trouble passing urine or loss of control of your "
            "bladder or bowels; numbness between your legs or around your bottom; new weakness or "
            "numbness in both legs; a high temperature with back pain and feeling unwell; or "
            "(neck) "
            "sudden dizziness, double vision, difficulty speaking or swallowing, or clumsy hands "
            "and unsteady walking."
        ),
        "S0-28 to S0-30, S0-49, S1-19, S1-20, S3-16; G10-G14",
    ),
    EducationSnippet(
        "medicines_generic",
        _("If you take medicines for pain, follow the advice of your doctor or pharmacist."),
        "S0-42 to S0-44 (content deliberately not reproduced)",
    ),
    EducationSnippet(
        "plan_goal",
        _(
            "The aim of this plan is to calm the spasm, get you moving comfortably, then build "
            "strength so your back copes better in future."
        ),
        "S3-07, S0-53 to S0-55",
    ),
    EducationSnippet(
        "why_core",
        _(
            "The muscles around your trunk, front and back, work together to support your spine "
            "when you bend, lift, twist and walk. Keeping them strong and flexible helps your back "
            "cope with everyday tasks."
        ),
        "S0-05, S0-06, S0-15, S4-32",
    ),
    EducationSnippet(
        "posture_sitting",
        _(
            "No single posture is perfect. Sit supported and tall for a while, then change "
            'position often. Getting up every 30-45 minutes helps more than holding one "correct" '
            "position."
        ),
        "S0-57, S1-03, S1-23, S4-26",
    ),
    EducationSnippet(
        "sleep_setup",
        _(
            "Pillows can help you sleep more comfortably: between the knees if you lie on your "
            "side, under the knees if you lie on your back. Use a head pillow that keeps your neck "
            "in line."
        ),
        "S0-10, S0-57",
    ),
    EducationSnippet(
        "avoid_sudden",
        _(
            "Spasms are often triggered by sudden bending or twisting, especially after sitting "
            "still for a long time. Move into bending and turning smoothly, and get up from long "
            "sitting steadily."
        ),
        "S4-07, S4-08",
    ),
    EducationSnippet(
        "stress",
        _(
            "Stress makes muscles tense up. A few minutes of slow breathing or relaxation each day "
            "can ease muscle tension and help you sleep."
        ),
        "S1-06, S1-25, S1-35",
    ),
    EducationSnippet(
        "graded_return",
        _(
            "Build back up gradually. Heavier or unfamiliar activity, and sports with pushing, "
            "pulling or sudden twisting, should be reintroduced step by step once your physio "
            "agrees."
        ),
        "S0-14, S1-32, S4-24, S4-30",
    ),
    EducationSnippet(
        "lifting",
        _(
            "Keep the load close, bend at your hips and knees, tighten your tummy gently, and turn "
            "with your feet instead of twisting. Start light."
        ),
        "S0-10, S1-04, S1-23",
    ),
    EducationSnippet(
        "ergonomics",
        _(
            "If you work at a desk: screen at arm's length with the top near eye level, feet "
            "supported, keyboard close, and regular short breaks."
        ),
        "S1-26",
    ),
    EducationSnippet(
        "weight",
        _(
            "Carrying extra weight adds load to your back. If you would like support with weight, "
            "your GP or practice team can help."
        ),
        "S0-56, S4-27",
    ),
    EducationSnippet(
        "hydration",
        _(
            "Drink regularly through the day, especially during hard physical work or exercise in "
            "the heat. There is no need for special drinks or supplements unless a doctor advises "
            "them."
        ),
        "S4-11; G33",
    ),
    EducationSnippet(
        "prevention_intro",
        _(
            "Back spasms cannot always be prevented, but staying active, walking regularly and "
            "keeping up your exercises lowers the chance of another episode."
        ),
        "S1-22, S1-24, S0-55; G30, G31",
    ),
    EducationSnippet(
        "flare_plan",
        _(
            "If a spasm comes back: stay calm, use your Settle-phase exercises and short walks for "
            "2-3 days, then return to your usual programme. If it is not settling within 1-2 "
            "weeks, "
            "or any emergency sign appears, get help as above."
        ),
        "S1-27, S1-28; section 4.4",
    ),
    # STarT Back matched emphasis (clinical-model §3 row 15, G1 1.1.2-1.1.3): draft wording.
    EducationSnippet(
        "graded_activity",
        _(
            "Build your activity up step by step, by a set amount, not by how your back feels on "
            "the day. Pick activities that matter to you, start below what you can do, and add a "
            "little each week. Some soreness as you do more is normal and not a sign of harm."
        ),
        "G1 1.1.3, G16 (medium and high risk)",
    ),
    EducationSnippet(
        "pain_coping",
        _(
            "Pain and worry feed each other. Back pain rarely means damage, even when it is "
            "strong. "
            "Notice worrying thoughts, slow your breathing, and keep doing a little of what you "
            "enjoy. Your physio will talk with you about ways of coping that suit you."
        ),
        "G1 1.1.3, G16 (high risk: psychologically informed approach)",
    ),
)

EDUCATION: Mapping[str, EducationSnippet] = MappingProxyType(
    {snippet.key: snippet for snippet in _SNIPPETS}
)


# The title of each snippet as an advice item (its key in words; stored in plans and shown).
EDUCATION_TITLES: Mapping[str, str] = MappingProxyType(
    {
        "what_is_spasm": _("What is spasm"),
        "outlook": _("Outlook"),
        "stay_active": _("Stay active"),
        "during_a_spasm": _("During a spasm"),
        "cold_use": _("Cold use"),
        "heat_use": _("Heat use"),
        "when_to_seek_help": _("When to seek help"),
        "emergency": _("Emergency"),
        "medicines_generic": _("Medicines generic"),
        "plan_goal": _("Plan goal"),
        "why_core": _("Why core"),
        "posture_sitting": _("Posture sitting"),
        "sleep_setup": _("Sleep setup"),
        "avoid_sudden": _("Avoid sudden"),
        "stress": _("Stress"),
        "graded_return": _("Graded return"),
        "lifting": _("Lifting"),
        "ergonomics": _("Ergonomics"),
        "weight": _("Weight"),
        "hydration": _("Hydration"),
        "prevention_intro": _("Prevention intro"),
        "flare_plan": _("Flare plan"),
        "graded_activity": _("Graded activity"),
        "pain_coping": _("Pain coping"),
    }
)


@dataclass(frozen=True)
class SymptomZone:
    zone: str
    during_exercise: str
    afterwards: str
    what_to_do: str


# RULE:SYM-RESPONSE, printed on every plan (4.4; adapted from G37, needs clinical sign-off).
SYMPTOM_RESPONSE: tuple[SymptomZone, ...] = (
    SymptomZone(
        "green",
        _("No pain or mild discomfort (0-3/10)"),
        _("Settles within 30 minutes"),
        _("Carry on. Eligible to progress after the phase minimum."),
    ),
    SymptomZone(
        "amber",
        _("Moderate discomfort (4-5/10)"),
        _("Settled by the next morning"),
        _("Keep the same level; do not progress this week."),
    ),
    SymptomZone(
        "red",
        _("Pain above 5/10, sharp or shooting pain, or new or spreading numbness/tingling"),
        _("Worse the next morning, or still worse after 24 h"),
        _(
            "Stop that exercise; use the easier version (regression) next time. If red twice in a "
            "row, or symptoms stay worse for more than 2-3 days, contact the physio."
        ),
    ),
)

# The one-line safety net of every plan and reminder email (4.9).
SAFETY_NET = _(
    "If you lose control of your bladder or bowel, have numbness between your legs, new "
    "weakness or numbness in both legs, or feel very unwell with a fever, get emergency medical "
    "help now. If your pain is getting worse, stop the exercises and contact your physio."
)
