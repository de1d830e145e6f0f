"""Program PDF (DESIGN §8): a typical plan (20 items, 4 phases) renders within 1.15 x a bare
WeasyPrint render of the same HTML; an unchanged revision is served from storage in ≤ 50 ms;
a rendering worker stays under 300 MB resident; 2 worker processes make ≥ 30 programs/minute.

Steps, in subprocesses with Django set up (the harness never imports Django): build the HTML of
a synthetic typical plan from the real templates; warm up once (imports, fonts); then time
`documents.pdf.render_pdf` (restricted fetcher) against bare `weasyprint.HTML(...).write_pdf()`
on the same HTML with its assets as file:// URLs and WeasyPrint's default fetcher, alternating;
time the cache-hit path (HTML, content hash, lookup of the stored file) against a temporary
FileSystemStorage; read the peak RSS of a process after renders; and count programs rendered
by a pool of 2 processes in a fixed window. No database is needed.
"""

from __future__ import annotations

import datetime
import functools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.harness import Result, summarise

BASE_DIR = Path(__file__).resolve().parent.parent
RUNS = 7
ITEMS_PER_PHASE = 5
THROUGHPUT_PROGRAMS = 16
STEPS = [
    "Lie on your back with knees bent and feet flat.",
    "Gently tighten your lower tummy and breathe normally.",
    "Hold for the time shown, then relax slowly.",
    "Repeat, keeping the movement small and comfortable.",
]
POSITIONS = ["supine", "prone", "sitting", "standing", "side_lying"]


@functools.cache
def catalogue_drawings() -> list[dict]:
    """Every third catalogue drawing: a published revision carries its items' drawings."""
    from exercises.catalogue_file import load_catalogue_file

    return [entry.drawing for entry in load_catalogue_file().entries][::3]


def typical_snapshot() -> dict:
    """20 items over 4 phases, with advice like the planner's, dates on the current phase;
    each item carries a catalogue exercise's drawing (2-3 frames), as a published one does."""
    drawings = catalogue_drawings()
    start = datetime.date(2026, 11, 20)

    def item(code: str, index: int) -> dict:
        return {
            "exercise_key": f"{code}-{index}",
            "name": f"Exercise {code}.{index + 1}",
            "picture": f"pictograms/{POSITIONS[index % len(POSITIONS)]}.svg",
            "steps": STEPS,
            "cautions": "Stop if pain spreads into the leg.",
            "dosage_text": "2 sets of 10, hold 5 seconds, twice a day, every day",
            "notes": "Keep it comfortable.",
            "drawing": drawings[(int(code[1]) * ITEMS_PER_PHASE + index) % len(drawings)],
            "hold_seconds": 5,
            "per_side": index % 2 == 0,
        }

    def advice(kind: str, title: str) -> dict:
        return {
            "kind": kind,
            "title": title,
            "patient_text": STEPS[0] * 2,
            "minutes": 15,
            "minutes_max": 20,
            "per_day": 3,
            "key": f"{kind}:{title}",
        }

    phases = []
    for number, (code, name) in enumerate(
        [("P1", "Settle"), ("P2", "Restore"), ("P3", "Strengthen"), ("P4", "Maintain")]
    ):
        phases.append(
            {
                "code": code,
                "name": name,
                "goals": "Calm the spasm and keep moving gently.",
                "typical_duration": "1-2 weeks",
                "minimum_days": 7,
                "exit_criteria": ["Pain 4 out of 10 or less.", "You can walk for 10 minutes."],
                "restrictions": ["Do not lift anything heavy for now."],
                "session_cap": "15 min",
                "aerobic_target": "Walk 10 minutes, twice a day",
                "start_date": start.isoformat() if number == 0 else None,
                "end_date": (start + datetime.timedelta(days=13)).isoformat()
                if number == 0
                else None,
                "notes": "",
                "items": [item(code, i) for i in range(ITEMS_PER_PHASE)],
                "advice": [
                    advice("cold", "Cold pack"),
                    advice("heat", "Heat pack"),
                    advice("education", "Stay active"),
                    advice("avoid", "Long sitting"),
                ],
            }
        )
    return {
        "patient": {"name": "Alex Morgan", "first_name": "Alex"},
        "physiotherapist": "Sam Physio",
        "clinic": {
            "name": "Demo Clinic",
            "address": "1 High Street",
            "phone": "01234 000000",
            "emergency_wording": "Call 999 in an emergency.",
        },
        "start_date": start.isoformat(),
        "current_phase": "P1",
        "plan_advice": [],
        "phases": phases,
    }


# --- subprocess side (Django set up) ----------------------------------------------------------


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    os.environ.setdefault("DEBUG", "true")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def _html(large_print: bool = False) -> str:
    from django.utils import timezone

    from documents import pdf

    return pdf.render_program_html(
        snapshot=typical_snapshot(),
        revision_number=3,
        published_at=timezone.now(),
        large_print=large_print,
        paper_size="A4",
    )


def _render_one(_: int) -> float:
    from documents import pdf

    started = time.perf_counter()
    pdf.render_pdf(_html())
    return time.perf_counter() - started


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def inprocess() -> dict:
    import tempfile

    import weasyprint
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    from documents import pdf

    html = _html()
    static_root = pdf.static_dir().as_uri() + "/"
    bare_html = html.replace(f"{pdf.STATIC_SCHEME}:", static_root)
    ours, bare = [], []
    data = pdf.render_pdf(html)  # warm: imports, fonts, caches
    weasyprint.HTML(string=bare_html).write_pdf()
    for _ in range(RUNS):
        started = time.perf_counter()
        data = pdf.render_pdf(html)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        weasyprint.HTML(string=bare_html).write_pdf()
        bare.append(time.perf_counter() - started)
    pages = data.count(b"/Type /Page\n") or data.count(b"/Type /Page")

    with tempfile.TemporaryDirectory() as folder:
        storage = FileSystemStorage(location=folder)
        storage.save(f"programs/{pdf.content_hash(html)}.pdf", ContentFile(data))
        hits = []
        for _ in range(RUNS * 3):
            started = time.perf_counter()
            name = f"programs/{pdf.content_hash(_html())}.pdf"
            assert storage.exists(name)
            hits.append(time.perf_counter() - started)
    return {"ours": ours, "bare": bare, "hits": hits, "rss_mb": _peak_rss_mb(), "pages": pages}


def throughput() -> dict:
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_render_one, range(2))  # warm both processes
        started = time.perf_counter()
        pool.map(_render_one, range(THROUGHPUT_PROGRAMS), chunksize=1)
        elapsed = time.perf_counter() - started
    return {"per_minute": THROUGHPUT_PROGRAMS / elapsed * 60}


# --- harness side -----------------------------------------------------------------------------


def _subprocess(step: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.bench_pdf", step],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def measure() -> dict:
    """Medians (seconds, MB, programs/minute), for use without the harness."""
    inner = _subprocess("inprocess")
    rate = _subprocess("throughput")
    ours, bare = summarise(inner["ours"]).median, summarise(inner["bare"]).median
    return {
        "render_s": ours,
        "bare_render_s": bare,
        "ratio": ours / bare,
        "cache_hit_s": summarise(inner["hits"]).median,
        "worker_peak_rss_mb": inner["rss_mb"],
        "programs_per_minute": rate["per_minute"],
    }


def run() -> list[Result]:
    inner = _subprocess("inprocess")
    rate = _subprocess("throughput")
    ratio = summarise(inner["ours"]).median / summarise(inner["bare"]).median
    return [
        Result.from_samples(
            "PDF render, typical plan (20 items, 4 phases)",
            inner["ours"],
            "≤ 1.15 x bare",
            "s",
            ratio=ratio,
            passed=ratio <= 1.15,
            note=f"bare WeasyPrint median {summarise(inner['bare']).median:.2f} s",
        ),
        Result.from_samples(
            "PDF render, typical plan, absolute",
            inner["ours"],
            "≤ 2.5 s",
            "s",
            lambda median: median <= 2.5,
        ),
        Result.from_samples(
            "PDF cache hit (HTML + hash + stored file lookup)",
            [s * 1000 for s in inner["hits"]],
            "≤ 50 ms",
            "ms",
            lambda median: median <= 50,
        ),
        Result.from_samples(
            "PDF worker peak RSS",
            [inner["rss_mb"]],
            "≤ 300 MB",
            "MB",
            lambda value: value <= 300,
        ),
        Result.from_samples(
            "PDF throughput, 2 processes",
            [rate["per_minute"]],
            "≥ 30 /min",
            "/min",
            lambda value: value >= 30,
        ),
    ]


if __name__ == "__main__":
    _setup_django()
    result = inprocess() if sys.argv[1] == "inprocess" else throughput()
    print(json.dumps(result))
