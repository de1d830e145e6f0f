"""The exercise catalogue file and its parser (no database, no Django).

Rule ids and section numbers refer to clinical-model.md.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest

from exercises.catalogue_file import (
    CATEGORIES,
    DEFAULT_CATALOGUE_PATH,
    EXCLUDE_FLAGS,
    PHASES,
    POSITIONS,
    REGIONS,
    CatalogueEntry,
    CatalogueFile,
    CatalogueFileError,
    load_catalogue_file,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
PICTOGRAM_DIR = REPO_ROOT / "static" / "pictograms"
SVG_NS = "{http://www.w3.org/2000/svg}"

# Section 6.2 coverage check: non-self-care items per phase, before exclusions.
COVERAGE_MINIMUM = {
    ("cervical", "P1"): 10,
    ("cervical", "P2"): 17,
    ("cervical", "P3"): 20,
    ("cervical", "P4"): 19,
    ("thoracic", "P1"): 13,
    ("thoracic", "P2"): 23,
    ("thoracic", "P3"): 30,
    ("thoracic", "P4"): 29,
    ("lumbar", "P1"): 14,
    ("lumbar", "P2"): 29,
    ("lumbar", "P3"): 40,
    ("lumbar", "P4"): 34,
}

# RULE:COMP-BALANCE groups, decided by an item's primary (first-listed) target muscle, counting
# only muscle-work items (core, posture). Front of the neck = deep neck flexors (G27).
FRONT_MUSCLES = {
    "transversus abdominis",
    "rectus abdominis",
    "obliques",
    "abdominal wall",
    "deep neck flexors",
}
BACK_OR_HIP_MUSCLES = {
    "erector spinae",
    "thoracic erector spinae",
    "multifidus",
    "neck extensors",
    "gluteals",
    "gluteus maximus",
    "gluteus medius",
    "hamstrings",
}
UPPER_BACK_MUSCLES = {"rhomboids", "middle trapezius", "lower trapezius", "serratus anterior"}
BALANCE_CATEGORIES = {"core", "posture"}

# Section 0 D4 and section 4.1 point 5: never in patient-facing text.
BANNED_PATIENT_WORDS = re.compile(
    r"\b(manipulat\w*|collars?|ultrasound|TENS|belts?|corsets?|brac(e|es|ing)|traction"
    r"|injections?|ibuprofen|naproxen|paracetamol|acetaminophen|tylenol|advil|aspirin"
    r"|diclofenac|codeine|nsaids?|relaxants?|x-rays?|mri|damage\w*|degenerat\w*|slipped)\b",
    re.IGNORECASE,
)


@cache
def _catalogue() -> CatalogueFile:
    return load_catalogue_file(DEFAULT_CATALOGUE_PATH)


def _entries() -> tuple[CatalogueEntry, ...]:
    return _catalogue().entries


def _in(region: str, phase: str) -> list[CatalogueEntry]:
    return [e for e in _entries() if region in e.regions and phase in e.phases]


def _patient_text(entry: CatalogueEntry) -> list[str]:
    return [
        entry.name,
        entry.cautions,
        entry.dosage.physio_notes,
        entry.dosage.patient_notes,
        *entry.steps,
    ]


def test_real_catalogue_loads_with_every_category_and_region():
    catalogue = _catalogue()

    assert catalogue.version == 1
    assert len(catalogue) >= 59
    assert {e.category for e in catalogue.entries} == set(CATEGORIES)
    assert {r for e in catalogue.entries for r in e.regions} == set(REGIONS)


def test_draft_ids_are_all_still_present():
    draft_ids = (
        [f"SC{n:02}" for n in range(1, 7)]
        + [f"F{n:02}" for n in range(1, 23)]
        + [f"C{n:02}" for n in range(1, 14)]
        + [f"PO{n:02}" for n in range(1, 13)]
        + [f"A{n:02}" for n in range(1, 7)]
    )

    assert set(draft_ids) <= set(_catalogue().ids)


def test_every_entry_has_steps_dosage_phases_and_a_pictogram():
    for entry in _entries():
        assert 3 <= len(entry.steps) <= 5, entry.id
        assert all(step.strip() for step in entry.steps), entry.id
        dosage = entry.dosage
        assert (dosage.sets, dosage.reps, dosage.hold_s, dosage.minutes) != (None,) * 4, entry.id
        assert entry.phases, entry.id
        assert entry.illustration is None, entry.id
        assert (PICTOGRAM_DIR / f"{entry.position}.svg").is_file(), entry.id


@pytest.mark.parametrize("position", POSITIONS)
def test_pictogram_is_a_self_contained_line_drawing(position):
    path = PICTOGRAM_DIR / f"{position}.svg"
    text = path.read_text(encoding="utf-8")

    root = ET.fromstring(text)  # noqa: S314 - our own files from the repository

    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox") == "0 0 120 80"
    assert root.get("stroke") == "currentColor"
    assert root.get("fill") == "none"
    assert root.get("stroke-width") == "4"
    title = root.find(f"{SVG_NS}title")
    assert title is not None and title.text and title.text.strip()
    tags = {element.tag.removeprefix(SVG_NS) for element in root.iter()}
    assert tags <= {"svg", "title", "path", "circle", "line", "polyline", "ellipse", "rect"}
    assert "href" not in text
    assert "url(" not in text
    assert all(element.get("stroke-width") in (None, "4") for element in root.iter())


@pytest.mark.parametrize(("region", "phase"), sorted(COVERAGE_MINIMUM))
def test_coverage_table_is_met(region, phase):
    available = [e.id for e in _in(region, phase) if e.category != "self_care"]

    assert len(available) >= COVERAGE_MINIMUM[(region, phase)], available


@pytest.mark.parametrize("phase", ["P2", "P3", "P4"])
@pytest.mark.parametrize("region", REGIONS)
def test_comp_balance_items_exist_for_every_region(region, phase):
    primary = {
        e.id: e.target_muscles[0]
        for e in _in(region, phase)
        if e.category in BALANCE_CATEGORIES and e.target_muscles
    }

    assert {i for i, m in primary.items() if m in FRONT_MUSCLES}, "front-of-trunk item"
    assert {i for i, m in primary.items() if m in BACK_OR_HIP_MUSCLES}, "back-extensor/hip item"
    if region in ("cervical", "thoracic"):
        assert {i for i, m in primary.items() if m in UPPER_BACK_MUSCLES}, "upper-back item"


@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("region", REGIONS)
def test_every_region_has_an_aerobic_item_in_every_phase(region, phase):
    assert [e.id for e in _in(region, phase) if e.category == "aerobic"]


def test_progression_and_regression_links_resolve_and_run_both_ways():
    catalogue = _catalogue()

    for entry in catalogue.entries:
        if entry.progression is not None:
            harder = catalogue[entry.progression]
            assert harder.id != entry.id
            assert harder.difficulty >= entry.difficulty, entry.id
            assert set(harder.regions) & set(entry.regions), entry.id
            assert harder.regression is not None, f"{harder.id} has no way back"
        if entry.regression is not None:
            easier = catalogue[entry.regression]
            assert easier.id != entry.id
            assert easier.difficulty <= entry.difficulty, entry.id
            assert set(easier.regions) & set(entry.regions), entry.id
            assert easier.progression is not None, f"{easier.id} has no way forward"


def test_patient_text_has_no_banned_treatments_or_frightening_words():
    found = {
        entry.id: match.group(0)
        for entry in _entries()
        for text in _patient_text(entry)
        if (match := BANNED_PATIENT_WORDS.search(text))
    }

    assert found == {}


@pytest.mark.parametrize(
    ("entry_id", "flag"),
    [
        # AMB-OSTEO: end-range or loaded flexion
        ("F05", "osteoporosis"),
        ("C08", "osteoporosis"),
        # section 5.4 other_limits
        ("C09", "shoulder_problem"),
        ("C10", "shoulder_problem"),
        ("PO03", "shoulder_problem"),
        ("PO05", "shoulder_problem"),
        ("F05", "knee_problem"),
        ("F08", "knee_problem"),
        # AMB-NECK-DIZZY: neck end-range items
        ("F18", "neck_dizziness"),
        ("F19", "neck_dizziness"),
        # section 5.4: disc herniation with leg pain hides F07
        ("F07", "radicular_leg"),
        # AMB-PREG: end-range abdominal work
        ("C03", "pregnancy"),
        ("C08", "pregnancy"),
        # section 4.6 cold and heat auto-exclusions (AMB-MODALITY)
        ("SC01", "reduced_sensation"),
        ("SC01", "circulation_disorder"),
        ("SC01", "cold_sensitivity"),
        ("SC01", "skin_broken"),
        ("SC02", "reduced_sensation"),
        ("SC02", "diabetes_neuropathy"),
        ("SC02", "skin_broken"),
    ],
)
def test_rule_exclusions_are_set(entry_id, flag):
    assert flag in _catalogue()[entry_id].exclude_if


def test_position_based_exclusions_are_set():
    for entry in _entries():
        if entry.position == "prone":
            assert "pregnancy" in entry.exclude_if, entry.id  # AMB-PREG: prone lying
        if entry.position in ("kneeling", "half_kneeling", "quadruped"):
            assert "knee_problem" in entry.exclude_if, entry.id
        if entry.position == "quadruped":
            assert "wrist_problem" in entry.exclude_if, entry.id
        if entry.direction == "extension" and "lumbar" in entry.regions:
            # section 5.4: stenosis/spondylolisthesis hide sustained extension items
            assert {"stenosis", "spondylolisthesis"} <= set(entry.exclude_if), entry.id


def test_exclude_flags_are_known():
    used = {flag for entry in _entries() for flag in entry.exclude_if}

    assert used <= set(EXCLUDE_FLAGS)


def test_settle_phase_has_no_loaded_strength_work():
    # Section 4.2, P1 restrictions: no loaded strength work, no sustained or heavy loading.
    for entry in _entries():
        if "P1" in entry.phases and entry.category in ("core", "posture"):
            assert entry.difficulty == 1, entry.id
            assert entry.dosage.sets in (None, 1), entry.id
            assert not entry.equipment or "resistance band" not in entry.equipment, entry.id


def test_default_doses_follow_the_dosing_principles():
    catalogue = _catalogue()
    # Section 4.6: cold hard maximum 20 min, heat hard maximum 30 min.
    assert catalogue["SC01"].dosage.minutes <= 20
    assert catalogue["SC02"].dosage.minutes <= 30
    for entry in catalogue.entries:
        dosage = entry.dosage
        # Section 4.7: stretches hold at most 30 s, core holds at most 10 s.
        if dosage.hold_s is not None:
            assert dosage.hold_s <= (30 if entry.category == "flexibility" else 10), entry.id
        # Section 4.7: P3-P4 strength work on 2-3 days a week.
        if entry.category == "core" and set(entry.phases) <= {"P3", "P4"}:
            assert dosage.days_per_week in (2, 3), entry.id
        # Section 4.2: walking 5-10 min at a time in P1.
        if entry.category == "aerobic" and "P1" in entry.phases:
            assert dosage.minutes <= 10, entry.id


def test_physio_select_only_covers_the_direction_specific_items():
    # Section 3 row 24 and G26: McKenzie-type extension items only by physio selection.
    selected = {e.id for e in _entries() if e.physio_select_only}

    assert selected == {"F09", "F10", "F11"}


VALID_ENTRY = """\
- id: F01
  name: Pelvic tilt lying down
  category: flexibility
  regions: [lumbar]
  target_muscles: [abdominal wall]
  position: supine
  direction: flexion
  equipment: [mat]
  difficulty: 1
  phases: [P1, P2]
  dosage:
    sets: 1
    reps: 10
    hold_s: 3
    minutes: null
    per_day: 3
    days_per_week: 7
    per_side: false
    physio_notes: "Settle phase: small range only"
    patient_notes: ""
  progression: C01
  regression: null
  physio_select_only: false
  exclude_if: []
  cautions: "Keep the movement small."
  steps:
    - "Lie on your back with knees bent."
    - "Flatten your low back gently."
    - "Relax and repeat."
- id: C01
  name: Tummy drawing-in
  category: core
  regions: [lumbar]
  target_muscles: [transversus abdominis]
  position: supine
  direction: neutral
  equipment: [mat]
  difficulty: 1
  phases: [P1, P2, P3]
  dosage: {sets: 1, reps: 10, hold_s: 5, per_day: 2, days_per_week: 7, per_side: false}
  progression: null
  regression: F01
  physio_select_only: false
  exclude_if: []
  cautions: "Keep breathing."
  illustration: null
  steps:
    - "Lie on your back with knees bent."
    - "Draw your lower tummy in gently."
    - "Hold, breathing normally, then relax."
"""


def _write_catalogue(tmp_path: Path, entries_yaml: str) -> Path:
    path = tmp_path / "exercises.yaml"
    path.write_text("version: 1\nexercises:\n" + entries_yaml, encoding="utf-8")
    return path


def test_minimal_valid_file_loads(tmp_path):
    path = _write_catalogue(tmp_path, VALID_ENTRY)

    catalogue = load_catalogue_file(path)

    assert catalogue.ids == ("F01", "C01")
    assert catalogue["C01"].regression == "F01"
    assert catalogue["C01"].dosage.hold_s == 5
    assert catalogue["F01"].dosage.physio_notes == "Settle phase: small range only"
    assert catalogue["F01"].dosage.patient_notes == ""


@pytest.mark.parametrize(
    ("change", "entry", "field"),
    [
        pytest.param(
            lambda text: text.replace("  name: Pelvic tilt lying down\n", ""),
            "F01",
            "name",
            id="missing-name",
        ),
        pytest.param(
            lambda text: text.replace(
                "  difficulty: 1\n  phases: [P1, P2, P3]", "  difficulty: 7\n  phases: [P1, P2, P3]"
            ),
            "C01",
            "difficulty",
            id="difficulty-7",
        ),
        pytest.param(
            lambda text: text.replace("regions: [lumbar]", "regions: [lumbar, shoulder]", 1),
            "F01",
            "regions",
            id="unknown-region",
        ),
        pytest.param(
            lambda text: text.replace("progression: C01", "progression: C99"),
            "F01",
            "progression",
            id="dangling-progression",
        ),
        pytest.param(
            lambda text: (
                text.replace("- id: C01", "- id: F01")
                .replace("category: core", "category: flexibility")
                .replace("regression: F01", "regression: null")
                .replace("progression: C01", "progression: null")
            ),
            "F01",
            "id",
            id="duplicate-id",
        ),
        pytest.param(
            lambda text: text.replace("- id: C01\n  name", "- name").replace(
                "progression: C01", "progression: null"
            ),
            "exercises[1]",
            "id",
            id="missing-id-named-by-index",
        ),
        pytest.param(
            lambda text: text.replace("regression: F01", "regression: C01"),
            "C01",
            "regression",
            id="link-to-itself",
        ),
        pytest.param(
            lambda text: text.replace('    - "Relax and repeat."\n', ""),
            "F01",
            "steps",
            id="two-steps",
        ),
        pytest.param(
            lambda text: text.replace("exclude_if: []", "exclude_if: [vertigo]", 1),
            "F01",
            "exclude_if",
            id="unknown-flag",
        ),
        pytest.param(
            lambda text: text.replace("    sets: 1\n    reps: 10\n    hold_s: 3\n", "", 1),
            "F01",
            "dosage",
            id="empty-dosage",
        ),
        pytest.param(
            lambda text: text.replace("    reps: 10\n", "    reps: -2\n", 1),
            "F01",
            "dosage.reps",
            id="negative-reps",
        ),
        pytest.param(
            lambda text: text.replace("    physio_notes:", "    notes:", 1),
            "F01",
            "dosage.notes",
            id="one-notes-field-for-everyone-is-gone",
        ),
        pytest.param(
            lambda text: text.replace('patient_notes: ""', "patient_notes: [sitting]", 1),
            "F01",
            "dosage.patient_notes",
            id="patient-notes-not-text",
        ),
        pytest.param(
            lambda text: text.replace("per_side: false", "per_side: sometimes", 1),
            "F01",
            "dosage.per_side",
            id="per-side-not-bool",
        ),
        pytest.param(
            lambda text: text.replace("position: supine", "position: hanging", 1),
            "F01",
            "position",
            id="unknown-position",
        ),
    ],
)
def test_invalid_entry_raises_naming_entry_and_field(tmp_path, change, entry, field):
    path = _write_catalogue(tmp_path, change(VALID_ENTRY))

    with pytest.raises(CatalogueFileError) as excinfo:
        load_catalogue_file(path)

    assert [(e.entry, e.field) for e in excinfo.value.errors] == [(entry, field)]
    assert f"{entry}: {field}:" in str(excinfo.value)


def test_all_errors_in_the_file_are_reported_together(tmp_path):
    broken = VALID_ENTRY.replace("difficulty: 1", "difficulty: 7").replace(
        "progression: C01", "progression: C99"
    )
    path = _write_catalogue(tmp_path, broken)

    with pytest.raises(CatalogueFileError) as excinfo:
        load_catalogue_file(path)

    assert [(e.entry, e.field) for e in excinfo.value.errors] == [
        ("F01", "difficulty"),
        ("C01", "difficulty"),
        ("F01", "progression"),
    ]


def test_missing_version_and_broken_yaml_are_file_errors(tmp_path):
    no_version = tmp_path / "no_version.yaml"
    no_version.write_text("exercises:\n" + VALID_ENTRY, encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nexercises: [\n", encoding="utf-8")

    with pytest.raises(CatalogueFileError) as missing:
        load_catalogue_file(no_version)
    with pytest.raises(CatalogueFileError) as unparsable:
        load_catalogue_file(broken)

    assert [(e.entry, e.field) for e in missing.value.errors] == [("(file)", "version")]
    assert [(e.entry, e.field) for e in unparsable.value.errors] == [("(file)", "yaml")]
