"""The physio's dashboard (DESIGN §8): server CPU per view with 200 and 2,000 patients, and
its queries constant in the number of patients; beside an earlier commit when one is given
(`python -m bench --before PATH`), in the same run, in interleaved samples.

Each checkout gets its own uniquely named throwaway database (PostgreSQL beside
DATABASE_URL's, else a temporary SQLite file) with one clinic per size
(bench/dashboard_helpers.py builds them); the view is requested in-process with Django's
test client as the clinic's physio, and the CPU time of that process per view is the
server's share (the database's is not in it).
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path

from bench.bench_catalogue import bench_env
from bench.harness import Result, before_tree, fmt, run_python, summarise, throwaway_database

BASE_DIR = Path(__file__).resolve().parent.parent
HELPERS = Path(__file__).resolve().parent / "dashboard_helpers.py"
JSON_MARK = "BENCH_JSON "
SIZES = {200: 0.040, 2000: 0.200}  # patients: budget in CPU seconds per view
SAMPLES = {200: 10, 2000: 4}
ROUNDS = 3
SIZE_TEXT = " vs ".join(f"{size:,}" for size in SIZES)


def _helper(env: dict[str, str], tree: Path, *args: str) -> dict:
    output = run_python(
        {**env, "PYTHONPATH": str(tree)}, str(HELPERS), *args, timeout=1800, cwd=tree
    )
    for line in reversed(output.splitlines()):
        if line.startswith(JSON_MARK):
            return json.loads(line[len(JSON_MARK) :])
    raise RuntimeError(f"no result line from the dashboard helper:\n{output[-2000:]}")


def _prepare(stack: ExitStack, label: str, tree: Path) -> tuple[dict[str, str], dict]:
    database = stack.enter_context(throwaway_database(f"bench_dashboard_{label}"))
    env = bench_env(database.url)
    run_python(env, "manage.py", "migrate", "--no-input", timeout=600, cwd=tree)
    run_python(env, "manage.py", "load_catalogue", timeout=600, cwd=tree)
    # Pages need the static files' manifest with DEBUG off (into the checkout's own var/).
    run_python(env, "manage.py", "collectstatic", "--no-input", "-v0", timeout=600, cwd=tree)
    users = _helper(env, tree, "setup", *(str(size) for size in SIZES))["users"]
    return env, users


def run() -> list[Result]:
    before = before_tree()
    trees = {"this commit": BASE_DIR, **({"earlier commit": before} if before else {})}
    measured: dict[tuple[str, int], list[dict]] = {}
    with ExitStack() as stack:
        prepared = {label: _prepare(stack, label.split()[0], tree) for label, tree in trees.items()}
        for _ in range(ROUNDS):  # interleaved: each round measures every checkout and size
            for label, tree in trees.items():
                env, users = prepared[label]
                for size in SIZES:
                    sample = _helper(
                        env, tree, "measure", str(users[str(size)]), str(SAMPLES[size])
                    )
                    measured.setdefault((label, size), []).append(sample)
    return _results(measured, before)


def _results(measured: dict[tuple[str, int], list[dict]], before: Path | None) -> list[Result]:
    rows = []
    for size, budget in SIZES.items():
        for label in ("this commit", "earlier commit"):
            samples = measured.get((label, size))
            if not samples:
                continue
            cpu_ms = [1000 * cpu for sample in samples for cpu in sample["cpu"]]
            wall_ms = summarise([1000 * wall for sample in samples for wall in sample["wall"]])
            ratio = None
            if label == "this commit" and (("earlier commit", size) in measured):
                earlier = [1000 * c for s in measured[("earlier commit", size)] for c in s["cpu"]]
                ratio = summarise(earlier).median / max(summarise(cpu_ms).median, 1e-9)
            rows.append(
                Result.from_samples(
                    f"physio dashboard, {size:,} patients: server CPU per view, {label}",
                    cpu_ms,
                    f"≤ {budget * 1000:g} ms" if label == "this commit" else "(report)",
                    "ms",
                    (lambda median, limit=budget * 1000: median <= limit)
                    if label == "this commit"
                    else None,
                    ratio=ratio,
                    note=f"in-process test client, {len(cpu_ms)} views in {ROUNDS} interleaved "
                    f"rounds; wall time p50 {fmt(wall_ms.median)} ms (PostgreSQL included); "
                    f"{samples[0]['rows']} rows shown, {samples[0]['queries']} queries"
                    + (f"; earlier commit: {before}" if label != "this commit" else "")
                    + ("; ratio: the earlier commit's CPU over this one's" if ratio else ""),
                )
            )
    for label in ("this commit", "earlier commit"):
        counts = [
            measured[(label, size)][0]["queries"] for size in SIZES if (label, size) in measured
        ]
        if not counts:
            continue
        rows.append(
            Result(
                name=f"physio dashboard: queries, {SIZE_TEXT} patients, {label}",
                budget="constant" if label == "this commit" else "(report)",
                value=" / ".join(str(count) for count in counts),
                passed=len(set(counts)) == 1 if label == "this commit" else None,
            )
        )
    return rows
