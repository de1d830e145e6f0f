"""The clinical core's plan, advice, education and follow-up texts reach a Spanish reader in
Spanish (issue #17): every text the planner and the follow-up rules write is a marked message
(or a marked message with placeholders) that ``core.i18n.localise`` translates; dosage in words
follows the active language; a published revision reads in Spanish under "es"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation

from clinical.education import EDUCATION, SAFETY_NET, SYMPTOM_RESPONSE
from clinical.follow_up import (
    EXPIRY_PATIENT_TEXT,
    REFER_6W_PATIENT_TEXT,
    REVIEW_4W_PATIENT_TEXT,
    ZONE_ADVICE,
    Feeling,
    Zone,
    emergency_headline,
    evaluate_check_in,
    evaluate_daily,
    told_after_check_in,
)
from clinical.intake import (
    ActivityLevel,
    Aggravating,
    Equipment,
    OccupationLoad,
    OnsetType,
    PregnancyStatus,
    PreviousEpisodes,
    SittingHours,
    SportsCategory,
    StressLevel,
    Trigger,
    WeightCategory,
    WorkStatus,
)
from clinical.phases import PHASES
from clinical.plan import AdviceKind
from clinical.planner import propose_plan
from clinical.screening import screen
from core.i18n import localise
from exercises.dosage import DosageValues, describe_dosage
from tests.clinical.builders import TODAY, build_intake, load_catalogue
from tests.clinical.test_follow_up import START
from tests.clinical.test_follow_up import check as _check
from tests.clinical.test_follow_up import plan as _facts
from tests.clinical.test_planner import VIGNETTES

# Intakes that between them bring out every phase, advice kind, restriction (reinforced too),
# education snippet and most planner reasons and warnings.
INTAKES = {
    "acute injury, lifting, bending": {
        "onset_days_ago": 1,
        "onset_type": OnsetType.SUDDEN_INJURY,
        "pain_now": 8,
        "triggers": frozenset({Trigger.HEAVY_LIFT, Trigger.SUDDEN_BEND_OR_TWIST}),
        "aggravating": frozenset({Aggravating.LIFTING, Aggravating.BENDING_FORWARD}),
        "equipment": frozenset({Equipment.FLOOR_MAT}),
    },
    "chronic desk worker": {
        "onset_days_ago": 120,
        "pain_now": 4,
        "occupation_load": OccupationLoad.DESK,
        "stress_level": StressLevel.HIGH,
        "sitting_hours": SittingHours.OVER_8,
        "weight_category": WeightCategory.OVERWEIGHT,
        "triggers": frozenset({Trigger.PROLONGED_SITTING, Trigger.STRESS}),
        "work_status": WorkStatus.OFF_WORK,
        "activity_level": ActivityLevel.MOSTLY_SITTING,
    },
    "flare, heavy manual work and sport": {
        "onset_days_ago": 2,
        "onset_type": OnsetType.FLARE,
        "previous_episodes": PreviousEpisodes.THREE_OR_MORE,
        "occupation_load": OccupationLoad.HEAVY_MANUAL,
        "sports_category": frozenset({SportsCategory.TWISTING_OR_CONTACT}),
        "triggers": frozenset({Trigger.AWKWARD_SLEEPING_POSITION, Trigger.SPORT}),
    },
    "prevention only": {"is_prevention_only": True, "pain_now": 4, "onset_days_ago": 200},
    "pregnant": {"pregnancy_status": PregnancyStatus.PREGNANT, "onset_days_ago": 20},
    **{name: vignette.overrides for name, vignette in VIGNETTES.items()},
}


def _plans():
    catalogue = load_catalogue()
    for name, overrides in INTAKES.items():
        try:
            intake = build_intake(**dict(overrides))
        except (TypeError, ValueError) as error:  # a builder field renamed: say which intake
            raise AssertionError(f"{name}: {error}") from error
        screening = screen(intake, today=TODAY)
        if not screening.is_plan_allowed:
            continue
        yield name, screening, propose_plan(intake, screening, catalogue, today=TODAY)


def _advice_texts(advice, screening_texts):
    if advice.kind not in (AdviceKind.COLD, AdviceKind.HEAT):  # their title: catalogue name
        yield advice.title
    if advice.patient_text not in screening_texts:  # AMB-RADIC's stop rule: the screen's text
        yield advice.patient_text
    yield advice.reason


def plan_texts() -> dict[str, set[str]]:
    """Every text the proposed plans show, by where it comes from."""
    texts: dict[str, set[str]] = {}
    for name, screening, plan in _plans():
        from_screening = {rule.physio_message for rule in screening.fired} | {
            rule.patient_message for rule in screening.fired
        }
        found = texts.setdefault(name, set())
        found.add(plan.starting_phase.reason)
        found.update(plan.starting_phase.warnings)
        found.update(w.message for w in plan.warnings if w.message not in from_screening)
        found.update(e.reason for e in plan.excluded)
        found.add(plan.safety_net)
        for advice in plan.plan_advice:
            found.update(_advice_texts(advice, from_screening))
        for phase in plan.phases:
            found.update(
                {
                    phase.name,
                    phase.goals,
                    phase.goals_patient,
                    phase.typical_duration,
                    phase.session_cap.description,
                    phase.content.description,
                    phase.aerobic_target.description,
                    phase.modality_notes,
                }
            )
            for criterion in phase.exit_criteria:
                found.update({criterion.physio_text, criterion.patient_text})
            found.update(item.reason for item in phase.items)
            for advice in (*phase.restrictions, *phase.advice):
                found.update(_advice_texts(advice, from_screening))
    return texts


@pytest.fixture
def spanish():
    with translation.override("es"):
        yield


def _not_translated(texts) -> list[str]:
    return sorted(text for text in texts if text and localise(text) == text)


def test_every_text_of_the_proposed_plans_reads_in_spanish(spanish):
    texts = plan_texts()
    left = {name: _not_translated(found) for name, found in texts.items()}

    assert {name: found for name, found in left.items() if found} == {}


def test_the_plans_cover_every_phase_restriction_and_education_snippet():
    texts = set().union(*plan_texts().values())

    assert {phase.name for phase in PHASES.values()} <= texts
    restrictions = {r.patient_text for phase in PHASES.values() for r in phase.restrictions}
    assert restrictions <= texts
    # Every snippet but the ones only a STarT Back score brings (the screening's own measure).
    snippets = {
        s.text for key, s in EDUCATION.items() if key not in ("graded_activity", "pain_coping")
    }
    assert snippets - texts == set()


def test_the_fixed_texts_of_the_core_are_all_in_spanish(spanish):
    fixed = [
        SAFETY_NET,
        *(snippet.text for snippet in EDUCATION.values()),
        *(
            text
            for zone in SYMPTOM_RESPONSE
            for text in (zone.during_exercise, zone.afterwards, zone.what_to_do)
        ),
        *ZONE_ADVICE.values(),
        REVIEW_4W_PATIENT_TEXT,
        REFER_6W_PATIENT_TEXT,
        EXPIRY_PATIENT_TEXT,
    ]

    assert _not_translated(fixed) == []


def test_the_safety_net_reads_in_plain_spanish(spanish):
    shown = localise(SAFETY_NET)

    assert shown.startswith("Si pierde el control de la vejiga o del intestino")
    assert "pida ayuda médica urgente ahora mismo" in shown
    assert "fisioterapeuta" in shown


# --- follow-up rules ------------------------------------------------------------------------


def follow_up_texts() -> list[str]:
    """The messages of check-ins that escalate, regress and progress, and of the daily rules."""
    outcomes = [
        # urgent warning sign + ESC-WORSE
        evaluate_check_in(_check(warning_signs=("infection_unwell",)), [], _facts()),
        # ESC-WORSE (pain up for more than 48 h, new symptoms) and REGRESS
        evaluate_check_in(
            _check(day=4, pain=7, has_new_symptoms=True),
            [_check(day=0, pain=4), _check(day=1, pain=7), _check(day=2, pain=7)],
            _facts(today=START + timedelta(days=5)),
        ),
        # red twice in a row: ESC-WORSE and REGRESS
        evaluate_check_in(_check(day=2, zone=Zone.RED), [_check(day=1, zone=Zone.RED)], _facts()),
        # ESC-SEVERE
        evaluate_check_in(_check(pain=8, pain_eases_with_position=False), [], _facts()),
        # PROGRESS from Settle
        evaluate_check_in(
            _check(day=5, pain=3, can_manage_daily_tasks=True),
            [_check(day=day, pain=4) for day in range(1, 5)],
            _facts(
                current_phase="P1",
                phase_minimum_days=3,
                today=START + timedelta(days=6),
            ),
        ),
        # PROGRESS from Strengthen with GATE-RTS
        evaluate_check_in(
            _check(day=20, pain=1, can_manage_daily_tasks=True),
            [_check(day=day, pain=1) for day in range(1, 20, 3)],
            _facts(
                current_phase="P3",
                phase_minimum_days=14,
                today=START + timedelta(days=21),
                is_rts_sign_off_required=True,
            ),
        ),
    ]
    texts = []
    for outcome in outcomes:
        texts.append(outcome.zone_advice)
        for finding in outcome.findings:
            texts.append(finding.physio_message)
            if not finding.rule_id.startswith("RF-"):
                texts.append(finding.patient_message)
    late = START + timedelta(days=60)
    daily = [
        *evaluate_daily([], _facts(today=late, current_phase="P1", is_high_risk=True)),
        *evaluate_daily(
            [_check(day=10, pain=6, feeling=Feeling.SAME)],
            _facts(today=START + timedelta(days=15), last_published_on=START + timedelta(days=10)),
        ),
        *evaluate_daily([], _facts(today=late, current_phase="P2", is_new_episode_over_50=True)),
    ]
    for finding in daily:
        texts += [finding.physio_message, finding.patient_message]
    told = told_after_check_in(
        rule_ids=("RF-EMERG-CES", "RF-URG-INFECTION", "ESC-WORSE", "ESC-SEVERE", "REGRESS"),
        warning_signs=("ces_saddle_numbness", "infection_unwell"),
        zone="red",
    )
    _headline, details = emergency_headline(told.emergency_messages)  # the headline: H4's
    texts += [*details, *told.urgent_messages, told.worse_message, told.regress_message]
    texts.append(told.zone_advice)
    return [text for text in texts if text]


def test_the_follow_up_rules_fire_what_this_test_means_to_cover():
    rule_ids = set()
    for text in follow_up_texts():
        rule_ids.update(text.split(":")[0].split())
    assert {
        "ESC-WORSE",
        "ESC-SEVERE",
        "REGRESS",
        "PROGRESS",
        "CHK-2W",
        "ESC-REVIEW-4W",
        "ESC-REFER-6W",
        "PLAN-EXPIRY",
        "AMB-HIGHRISK",
        "RF-URG-INFECTION",
    } <= rule_ids


def test_every_follow_up_text_reads_in_spanish(spanish):
    assert _not_translated(follow_up_texts()) == []


def test_a_joined_list_of_reasons_is_translated_part_by_part(spanish):
    outcome = evaluate_check_in(
        _check(day=2, zone=Zone.RED, has_new_symptoms=True),
        [_check(day=1, zone=Zone.RED)],
        _facts(),
    )
    worse = next(f for f in outcome.findings if f.rule_id == "ESC-WORSE")

    assert localise(worse.physio_message) == (
        "ESC-WORSE: se han comunicado síntomas nuevos; los ejercicios han salido en rojo "
        "(demasiado) dos veces seguidas. Recordatorios en pausa."
    )


def test_a_physios_own_words_stay_as_written_even_with_a_message_in_them(spanish):
    assert localise("No sport; ask me before the match") == "No sport; ask me before the match"
    assert localise("Heat optional. Ask me first.") == "Heat optional. Ask me first."
    assert localise("No sport; Heat optional.") == "Sin deporte; Calor opcional."


def test_the_cold_advice_keeps_its_numbers_in_spanish(spanish):
    catalogue = load_catalogue()
    intake = build_intake(onset_days_ago=0, onset_type=OnsetType.SUDDEN_INJURY, pain_now=8)
    plan = propose_plan(intake, screen(intake, today=TODAY), catalogue, today=TODAY)
    cold = next(a for phase in plan.phases for a in phase.advice if a.kind is AdviceKind.COLD)

    shown = localise(cold.patient_text)
    assert shown.startswith("Aplique una compresa fría envuelta en un paño fino durante 15 minutos")
    assert "(nunca más de 20)" in shown


# --- dosage in words --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "english", "spanish"),
    [
        (
            DosageValues(sets=3, reps=10, hold_seconds=5, per_day=2),
            "3 sets of 10, hold 5 seconds, twice a day",
            "3 series de 10, mantenga 5 segundos, dos veces al día",
        ),
        (
            DosageValues(sets=1, reps=8, per_side=True, days_per_week=7),
            "1 set of 8, each side, every day",
            "1 serie de 8, cada lado, todos los días",
        ),
        (
            DosageValues(hold_seconds=1, minutes=1, per_day=1),
            "Hold 1 second, 1 minute, once a day",
            "Mantenga 1 segundo, 1 minuto, una vez al día",
        ),
        (
            DosageValues(reps=10, minutes=20, per_day=5, days_per_week=3),
            "10 times, 20 minutes, 5 times a day, 3 days a week",
            "10 repeticiones, 20 minutos, 5 veces al día, 3 días a la semana",
        ),
        (
            DosageValues(sets=2, per_day=3),
            "2 sets, three times a day",
            "2 series, tres veces al día",
        ),
        (DosageValues(), "As your physio advises", "Según le indique su fisioterapeuta"),
    ],
)
def test_dosage_in_words_follows_the_active_language(values, english, spanish):
    with translation.override("en"):
        assert describe_dosage(values) == english
    with translation.override("es"):
        assert describe_dosage(values) == spanish


# --- a published revision -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_published_revision_reads_in_spanish(patient_a1, catalogue):
    from tests.followup.conftest import publish_plan_for

    revision = publish_plan_for(patient_a1)
    with translation.override("es"):
        phases = revision.phases
        advice = [a for phase in phases for a in phase["advice"]]
        names = revision.phase_names()

    assert [phase["name"] for phase in phases] == ["Calmar", "Recuperar", "Fortalecer", "Mantener"]
    assert phases[0]["goals"] == "Calmar el espasmo y seguir moviéndose con suavidad."
    assert "De momento, no levante nada pesado." in phases[0]["restrictions"]
    assert "Qué es un espasmo" in [a["title"] for a in advice]
    assert any(a["patient_text"].startswith("Un espasmo muscular de la espalda") for a in advice)
    assert set(names.values()) >= {"Calmar", "Recuperar"}
    with translation.override("en"):
        assert revision.phases[0]["name"] == "Settle"
