"""Registry of every rule id the planner and the screen can put in a reason.

Ids marked ``in_spec`` are defined in ``clinical-model.md`` (sections 4.4 and 4.5). The others
name a rule this package applies on the spec's behalf (phase assignment, composition, dosing,
modality timing, education); each cites the section it implements, so a reason shown to a
physio can be traced back to the text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleInfo:
    rule_id: str
    title: str
    source: str
    in_spec: bool


def _spec(rule_id: str, title: str, source: str) -> RuleInfo:
    return RuleInfo(rule_id, title, source, in_spec=True)


def _local(rule_id: str, title: str, source: str) -> RuleInfo:
    return RuleInfo(rule_id, title, source, in_spec=False)


RULES: dict[str, RuleInfo] = {
    info.rule_id: info
    for info in (
        # Gates, red flags and amber rules (clinical-model.md 4.5).
        _spec("GATE-ASSESSED", "Recorded, complete and recent physio assessment", "4.5, 5.1"),
        _local("GATE-AGE", "Under 18: out of scope, no plan", "5.1 age"),
        _spec("RF-EMERG-CES", "Suspected cauda equina syndrome", "4.5, 5.3 group A"),
        _spec("RF-EMERG-CORD", "Suspected spinal cord compression", "4.5, 5.3 group C"),
        _spec("RF-EMERG-VASC", "Neck presentation with vascular symptoms", "4.5, 5.3 group D"),
        _spec("RF-EMERG-CARDIO", "Cardiac or aortic symptoms", "4.5, 5.3 group G"),
        _spec("RF-URG-INFECTION", "Possible spinal infection", "4.5, 5.3 group E"),
        _spec("RF-URG-CANCER", "Possible cancer", "4.5, 5.3 group F"),
        _spec("RF-URG-FRACTURE", "Possible fracture", "4.5, 5.3 group B"),
        _spec("RF-URG-NEURO", "New or worsening neurological deficit", "4.5, 5.2 weakness"),
        _spec("RF-URG-VISCERAL", "Possible visceral cause", "4.5, 5.3 group G"),
        _spec("AMB-RADIC", "Stable one-sided limb symptoms", "4.5, 5.2"),
        _spec("AMB-KNOWN-DX", "Known spinal diagnosis", "4.5, 5.4 known_spinal_dx"),
        _spec("AMB-OSTEO", "Known osteoporosis, no fracture suspicion", "4.5, 5.4"),
        _spec("AMB-INFLAM", "Inflammatory spinal disease or pattern", "4.5, 5.3 group H"),
        _spec("AMB-AGE", "New episode at age 50 or over", "4.5, 5.1 age"),
        _spec("AMB-PREG", "Pregnant or under 12 weeks postpartum", "4.5, 5.1"),
        _spec("AMB-NECK-DIZZY", "Non-vascular dizziness with neck movement", "4.5, 5.3 D"),
        _spec("AMB-MODALITY", "Cold/heat safety limits", "4.5, 4.6, 5.4 modality_safety"),
        _spec("AMB-WIDESPREAD", "Widespread cramps", "4.5, 5.3 group I"),
        _spec("AMB-HIGHRISK", "STarT Back high risk", "4.5, 5.6"),
        _spec("ESC-SEVERE", "Severe constant pain or pain preventing sleep", "4.5, 5.2"),
        _spec("GATE-RTS", "Physio sign-off before heavy work or risky sport", "4.5, 4.2 P3"),
        _spec("COMP-BALANCE", "Front, back and upper-back work in P2-P4", "4.5"),
        _spec("SYM-RESPONSE", "Traffic-light symptom response", "4.4"),
        _spec("REGRESS", "Regression to the previous phase", "4.4"),
        _spec("CHK-2W", "Two-week check", "4.5"),
        _spec("ESC-REVIEW-4W", "Four-week physio review", "4.5"),
        _spec("ESC-REFER-6W", "Six-week referral prompt", "4.5"),
        _spec("ESC-WORSE", "Worsening at a check-in", "4.5"),
        _local("PROGRESS", "Exit criteria and minimum days met: suggest the next phase", "4.2"),
        _spec("PLAN-EXPIRY", "Plan expiry six weeks after review", "4.5"),
        # Phase assignment (4.3).
        _local("PHASE-P4-PREVENTION", "Prevention-only referral starts in P4", "4.3"),
        _local("PHASE-P1-ACUTE", "Onset 7 days ago or less starts in P1", "4.3"),
        _local("PHASE-P1-PAIN", "Pain now 7/10 or more starts in P1", "4.3"),
        _local("PHASE-P1-IRRITABLE", "High irritability starts in P1", "4.3"),
        _local("PHASE-P1-FLARE", "Flare of a recurring problem starts in P1", "4.3"),
        _local("PHASE-P2-CHRONIC", "Onset over 84 days ago starts in P2 (chronic)", "4.3"),
        _local("PHASE-P2-SUBACUTE", "Onset 8-84 days, pain 6/10 or less starts in P2", "4.3"),
        _local("PHASE-P1-DEFAULT", "Otherwise start in P1", "4.3"),
        # Composition (4.2, 4.8, 5.2, 5.4, 5.5, 6.2).
        _local("COMP-REGION", "Typical items for the region and phase", "4.8, 4.2"),
        _local("COMP-EXAM", "Items targeting a recorded examination finding", "5.2"),
        _local("COMP-DIRPREF", "Directional preference enables direction items", "5.2, 6.2"),
        _local("COMP-OSTEO", "Osteoporosis: favour back-extensor work", "4.5 AMB-OSTEO"),
        _local("COMP-SITTING", "Sitting and desk items", "5.4 sitting_hours"),
        _local("COMP-OCCUPATION", "Heavy manual work: lifting skills in P3", "5.4"),
        _local("COMP-STRESS", "Relaxation for moderate or high stress", "5.4 stress_level"),
        _local("COMP-CHRONIC", "Chronic variant: relaxation daily", "4.3"),
        _local("COMP-SLEEP", "Sleeping position set-up", "5.4 sleep_quality, 5.2"),
        _local("COMP-AEROBIC", "Aerobic item from preference and activity", "5.5, 5.4, 4.2"),
        _local("COMP-EXCLUDE", "Catalogue exclude_if flags hide an item", "6.2"),
        _local("COMP-LIMITS", "Other physical limits set exclusion flags", "5.4 other_limits"),
        _local("COMP-PHYSIO-SELECT", "Physio-select-only items are never auto-suggested", "6.2"),
        _local("COMP-EQUIPMENT", "Item needs equipment the patient lacks", "5.5 equipment"),
        _local("COMP-TIME", "Session trimmed to the time available", "5.5, 4.2 session cap"),
        _local(
            "COMP-COUNT",
            "Phase size: every item on the list within the phase's range, habits included",
            "4.2 exercise content",
        ),
        _local("COMP-AGGRAVATING", "Item loads an aggravating direction", "5.2 aggravating"),
        _local("COMP-SUBSTITUTE", "Alternative replaces a hidden item", "4.8, 6.2"),
        # Dosage (4.7).
        _local("DOSE-DEFAULT", "Catalogue default dosage", "4.7, 6.2"),
        _local("DOSE-P1-GENTLE", "Gentler holds in P1", "4.7"),
        _local("DOSE-STRETCH", "Static stretch holds of 20-30 s", "4.7"),
        _local("DOSE-STRENGTH-DAYS", "Strength work 2-3 days a week", "4.7, 4.2 P3"),
        _local("DOSE-SEDENTARY", "Mostly sitting: start at the low end", "5.4 activity_level"),
        _local("DOSE-AEROBIC", "Aerobic target of the phase", "4.2, 4.7"),
        # Physio override, logged (4.1 item 4): the software stores the physio's reason.
        _local("PHYSIO-CHANGE", "Physio override, logged: changed by the physio", "4.1 item 4"),
        _local(
            "PHYSIO-OVERRIDE", "Physio override, logged: a hidden item added", "4.1 item 4, 6.2"
        ),
        # Modalities (4.6).
        _local("MOD-COLD", "Cold in the first 48 h after an injury or flare", "4.6, D5"),
        _local("MOD-HEAT", "Heat from 48 h, from the start, or by default", "4.6, D5"),
        # Education and restrictions (4.2, 5.2, 5.4, 7).
        _local("EDU-PHASE", "Education for the phase", "4.2, 7"),
        _local("EDU-TRIGGER", "Education for the recorded trigger", "5.2 trigger, 7"),
        _local("EDU-RISK", "Education for a recorded risk factor", "5.2, 5.4, 7"),
        _local(
            "EDU-STARTBACK", "Education matched to the STarT Back group", "3 row 15, 5.6, G1, G16"
        ),
        _local("PSFS-MCID", "PSFS or pain changed by its minimal important change", "3 row 16"),
        _local("RESTRICT-PHASE", "Restrictions of the phase", "4.2"),
    )
}


def is_known_rule(rule_id: str) -> bool:
    return rule_id in RULES
