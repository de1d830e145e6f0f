"""Planner budget (DESIGN.md section 8): intake -> proposed plan, p50 <= 2 ms.

Times ``screen`` + ``propose_plan`` for a typical lumbar intake over the full catalogue, in
process (pure Python, no Django). ``python -m bench planner`` runs it in the harness table;
``python -m bench.bench_planner`` prints median and p95 on their own.
"""

from __future__ import annotations

import gc
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

import yaml

from bench.harness import Result
from clinical import (
    Answer,
    Intake,
    catalogue_item_from_mapping,
    propose_plan,
    required_red_flag_questions,
    screen,
)
from clinical.intake import (
    Aggravating,
    Equipment,
    Irritability,
    OccupationLoad,
    OnsetType,
    Paraesthesia,
    PregnancyStatus,
    PreviousEpisodes,
    RadiatingPain,
    Region,
    SittingHours,
    Trigger,
    Weakness,
    WorkStatus,
)

CATALOGUE_PATH = Path(__file__).resolve().parents[1] / "exercises" / "catalogue" / "exercises.yaml"
TODAY = date(2025, 3, 10)
SAMPLES = 500
BUDGET_MS = 2.0


def typical_lumbar_intake() -> Intake:
    """An acute lumbar spasm after lifting, desk worker, one-sided buttock pain examined."""
    regions = frozenset({Region.LUMBAR})
    return Intake(
        assessment_date=TODAY,
        age=42,
        pregnancy_status=PregnancyStatus.NOT_APPLICABLE,
        regions=regions,
        primary_region=Region.LUMBAR,
        onset_date=TODAY - timedelta(days=2),
        onset_type=OnsetType.SUDDEN_INJURY,
        triggers=frozenset({Trigger.HEAVY_LIFT}),
        previous_episodes=PreviousEpisodes.ONE_OR_TWO,
        pain_now=6,
        pain_worst_24h=8,
        irritability=Irritability.HIGH,
        aggravating=frozenset({Aggravating.BENDING_FORWARD, Aggravating.SITTING}),
        radiating_pain=RadiatingPain.BUTTOCK_OR_THIGH,
        paraesthesia=Paraesthesia.NONE,
        weakness=Weakness.NONE,
        neuro_exam_done=True,
        function_walk_10min=True,
        work_status=WorkStatus.MODIFIED_DUTIES,
        red_flags={key: Answer.NO for key in required_red_flag_questions(regions)},
        sitting_hours=SittingHours.OVER_8,
        occupation_load=OccupationLoad.DESK,
        equipment=frozenset({Equipment.FLOOR_MAT, Equipment.PILLOWS, Equipment.HEAT_PACK}),
    )


def load_catalogue():
    entries = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))["exercises"]
    return tuple(catalogue_item_from_mapping(entry) for entry in entries)


def measure(samples: int = SAMPLES) -> list[float]:
    """Seconds per ``screen`` + ``propose_plan`` call, one entry per sample."""
    intake = typical_lumbar_intake()
    catalogue = load_catalogue()
    for _ in range(20):  # warm-up
        propose_plan(intake, screen(intake, today=TODAY), catalogue, today=TODAY)
    timings = []
    gc.collect()
    for _ in range(samples):
        start = time.perf_counter()
        propose_plan(intake, screen(intake, today=TODAY), catalogue, today=TODAY)
        timings.append(time.perf_counter() - start)
    return timings


def run() -> list[Result]:
    milliseconds = [seconds * 1000 for seconds in measure()]
    return [
        Result.from_samples(
            "planner: screen + propose_plan, typical lumbar intake",
            milliseconds,
            f"p50 <= {BUDGET_MS:g} ms",
            "ms",
            lambda median: median <= BUDGET_MS,
            note=f"{SAMPLES} calls in process over the full catalogue",
        )
    ]


def main() -> None:
    timings = sorted(measure())
    median = statistics.median(timings) * 1000
    p95 = timings[int(len(timings) * 0.95) - 1] * 1000
    print(f"planner: median {median:.2f} ms, p95 {p95:.2f} ms (budget p50 <= 2 ms)")


if __name__ == "__main__":
    main()
