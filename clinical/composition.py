"""Which catalogue items a phase is built from (clinical-model.md 4.2, 4.8, 5.2).

``REGION_PICKS`` lists, per region and phase, the typical items of 4.8 sized to the content
counts of 4.2 for a single region. A pick may name alternatives: when the pick is hidden (an
exclusion flag, missing equipment) the first usable alternative takes its place. Aerobic items
are chosen separately from the patient's preference (5.5).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from clinical.i18n import _
from clinical.intake import ExamFinding, Region
from clinical.phases import PhaseCode

P1, P2, P3, P4 = PhaseCode


@dataclass(frozen=True)
class Pick:
    key: str
    alternatives: tuple[str, ...] = ()


def _picks(*entries: str | tuple[str, tuple[str, ...]]) -> tuple[Pick, ...]:
    return tuple(
        Pick(entry) if isinstance(entry, str) else Pick(entry[0], entry[1]) for entry in entries
    )


REGION_PICKS: Mapping[Region, Mapping[PhaseCode, tuple[Pick, ...]]] = MappingProxyType(
    {
        Region.LUMBAR: MappingProxyType(
            {
                # 4.8 typical P1: rest positions, log roll, pelvic tilt, knee rocking, knee to
                # chest, breathing (+ A01 short walks).
                P1: _picks(("F01", ("C01",)), "F02", "F03", "SC03", "SC06", "PO10"),
                # 4.2 P2: stretches 2-4, low-load control 2-3, posture 1-2, walking.
                P2: _picks(
                    ("C01", ("C02",)),
                    ("C06", ("C13",)),
                    ("F04", ("F02",)),
                    "F03",
                    ("C04", ("C13",)),
                    ("F06", ("F12", "F13")),
                    ("F07", ("F12", "F13")),
                    "PO07",
                ),
                # 4.2 P3: core endurance front + side + back, hip, movement skill, stretches.
                P3: _picks(
                    ("C08", ("C03", "C02")),
                    ("C09", ("C12",)),
                    ("C05", ("C04",)),
                    ("C06", ("C13",)),
                    ("PO11", ("PO12", "C13")),
                    "F03",
                    ("F07", ("F12", "F06")),
                    "PO07",
                ),
                # 4.2 P4: strength in 2-3 sessions a week plus daily stretches.
                P4: _picks(
                    ("C08", ("C03", "C10")),
                    ("C09", ("C12",)),
                    ("C05", ("C11",)),
                    ("C07", ("C06",)),
                    ("PO12", ("PO11", "C13")),
                    "F03",
                    ("F06", ("F12",)),
                    ("F07", ("F12", "F13")),
                    "PO07",
                ),
            }
        ),
        Region.THORACIC: MappingProxyType(
            {
                P1: _picks("F14", "F15", ("F04", ("F22",)), "F20", "SC03", "SC06", "PO10"),
                P2: _picks(
                    "F14",
                    "F16",
                    "PO02",
                    ("C04", ("C13",)),
                    ("F21", ("F22",)),
                    "F22",
                ),
                P3: _picks(
                    ("PO04", ("PO02",)),
                    ("PO05", ("PO03", "PO02")),
                    ("C05", ("C04",)),
                    ("C09", ("C12",)),
                    "F14",
                    "F16",
                    ("F21", ("F22",)),
                ),
                P4: _picks(
                    ("PO04", ("PO02",)),
                    ("PO05", ("PO03", "PO02")),
                    ("C05", ("C11",)),
                    ("C09", ("C12",)),
                    "F14",
                    "F16",
                    ("F21", ("F22",)),
                ),
            }
        ),
        Region.CERVICAL: MappingProxyType(
            {
                P1: _picks(("F19", ("F17",)), "F20", "PO01", "SC03"),
                P2: _picks(
                    "PO01",
                    ("F17", ("F20",)),
                    ("F18", ("F20",)),
                    "PO02",
                    ("PO03", ("PO02",)),
                    "F16",
                    "F21",
                ),
                P3: _picks(
                    "PO01",
                    ("PO04", ("PO02",)),
                    ("PO05", ("PO03", "PO02")),
                    "PO03",
                    ("F17", ("F20",)),
                    ("F18", ("F20",)),
                    "F21",
                    "F16",
                ),
                P4: _picks(
                    "PO01",
                    ("PO04", ("PO02",)),
                    ("PO05", ("PO03", "PO02")),
                    "PO03",
                    ("F17", ("F20",)),
                    ("F18", ("F20",)),
                    "F21",
                    "F16",
                ),
            }
        ),
    }
)

# 5.2 exam_findings -> targeted items (S4-25, S4-31). Rounded shoulders has no mapping in 5.2;
# the chest stretch and shoulder-blade squeeze are this package's choice (needs sign-off).
EXAM_FINDING_ITEMS: Mapping[ExamFinding, tuple[str, ...]] = MappingProxyType(
    {
        ExamFinding.HYPERLORDOSIS: ("F08", "F01", "C06"),
        ExamFinding.TIGHT_HAMSTRINGS: ("F07",),
        ExamFinding.WEAK_GLUTEALS_OR_LEGS: ("C13", "C06"),
        ExamFinding.POOR_TRUNK_ENDURANCE: ("C08", "C09", "C10"),
        ExamFinding.FORWARD_HEAD_POSTURE: ("PO01", "F21"),
        ExamFinding.STIFF_THORACIC_SPINE: ("F14", "F15", "F16"),
        ExamFinding.ROUNDED_SHOULDERS: ("F21", "PO02"),
    }
)
# "poor endurance -> C08-C10 in P3" (5.2); kept in P4, which continues the strength work.
EXAM_FINDING_PHASES: Mapping[ExamFinding, frozenset[PhaseCode]] = MappingProxyType(
    {ExamFinding.POOR_TRUNK_ENDURANCE: frozenset({P3, P4})}
)

# Done during daily life rather than in the exercise session (rest positions, sitting resets,
# movement breaks, desk and sleep set-up, log roll): outside the session time, but counted in
# the 4.2 item limits like every item on the list (COMP-COUNT; see clinical/planner.py).
DAILY_LIFE_KEYS = frozenset({"SC06", "PO06", "PO07", "PO08", "PO09", "PO10"})
RELAXATION_KEYS = ("SC03", "SC04", "SC05")  # 5.4 stress: SC03-SC05 daily
SITTING_KEYS = ("PO06", "PO07")  # 5.4 sitting_hours >= 4
DESK_KEYS = ("PO08",)  # 5.4 desk work
SLEEP_KEYS = ("PO09",)  # 5.4 sleep disturbed
HEAVY_MANUAL_KEYS = ("PO11", "PO12")  # 5.4 heavy manual, in P3 (and P4)
OSTEO_KEYS = ("C11",)  # 4.5 AMB-OSTEO: favour back-extensor work
SHORT_WALKS_KEY = "A01"
WALKING_PROGRAMME_KEY = "A02"
MAX_AEROBIC_ITEMS = 2

# COMP-BALANCE groups (4.5; S0-05, S0-54). A lumbar plan needs a front-of-trunk item and a
# back-extensor or hip item; a neck or thoracic plan needs an upper-back item. (Read literally,
# 4.5 asks front + back of every plan, but no front-of-trunk item exists for the neck or mid
# back in the catalogue, and 4.8 composes C/T plans without one; needs clinical sign-off.)
FRONT_OF_TRUNK = frozenset({"C01", "C02", "C03", "C08", "C10", "C12", "C14"})
BACK_EXTENSOR_OR_HIP = frozenset({"C04", "C05", "C06", "C07", "C11", "C13", "PO11", "PO12"})
UPPER_BACK = frozenset({"PO02", "PO03", "PO04", "PO05", "C11"})
BALANCE_PHASES = frozenset({P2, P3, P4})


def is_daily_life(key: str) -> bool:
    return key in DAILY_LIFE_KEYS


@dataclass(frozen=True)
class BalanceNeed:
    key: str
    label: str
    keys: frozenset[str]


def list_balance_needs(regions: Iterable[Region]) -> tuple[BalanceNeed, ...]:
    chosen = set(regions)
    needs = []
    if Region.LUMBAR in chosen:
        needs.append(BalanceNeed("front_of_trunk", _("a front-of-trunk item"), FRONT_OF_TRUNK))
        needs.append(
            BalanceNeed("back_or_hip", _("a back-extensor or hip item"), BACK_EXTENSOR_OR_HIP)
        )
    if chosen & {Region.CERVICAL, Region.THORACIC}:
        needs.append(BalanceNeed("upper_back", _("an upper-back item"), UPPER_BACK))
    return tuple(needs)


def find_missing_balance(
    phase: PhaseCode, exercise_keys: Iterable[str], regions: Iterable[Region]
) -> tuple[BalanceNeed, ...]:
    """COMP-BALANCE (4.5): what a P2-P4 phase lacks of front, back/hip and upper-back work.

    Usable on a physio-edited list too, so the warning can be shown again before approval.
    """
    if phase not in BALANCE_PHASES:
        return ()
    keys = set(exercise_keys)
    return tuple(need for need in list_balance_needs(regions) if not keys & need.keys)
