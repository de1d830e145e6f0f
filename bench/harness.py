"""The benchmark harness: results, summaries, discovery, the table and docs/benchmarks.md.

A benchmark module is `bench/bench_<what>.py` with `run() -> list[Result]`. The harness runs
every module (or those whose name contains one of the given words), reports a module that
raises as a failed row and goes on with the others, then prints one table with the machine it
ran on. Budgets that are missed are reported, not raised: the exit code is non-zero only when
a module crashed.
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
import os
import pkgutil
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DOCS_PATH = BASE_DIR / "docs" / "benchmarks.md"
SPREAD_KIND = "p5-p95"
STATUS_TEXT = {True: "pass", False: "FAIL", None: "info"}


def run_python(env: dict[str, str], *args: str, timeout: float, cwd: Path = BASE_DIR) -> str:
    """Run `python *args` from the project root (benchmarks do Django work in subprocesses, so
    this harness never imports Django), or from `cwd` (the checkout measured as "before");
    its stdout, or RuntimeError with the output's tail."""
    completed = subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"`python {' '.join(args)}` exited {completed.returncode}:\n"
            f"{completed.stdout[-2000:]}\n{completed.stderr[-4000:]}"
        )
    return completed.stdout


# --- the checkout measured as "before", throwaway databases -----------------------------------
def before_tree() -> Path | None:
    """The checkout of an earlier commit to measure beside this one in the same run
    (`python -m bench --before PATH`, or BENCH_BEFORE), or None."""
    value = os.environ.get("BENCH_BEFORE", "").strip()
    if not value:
        return None
    path = Path(value).resolve()
    if not (path / "manage.py").is_file():
        raise RuntimeError(f"BENCH_BEFORE={value}: no manage.py there")
    return path


def unique_name(prefix: str) -> str:
    """A database name no other run uses: several benchmarks may run side by side."""
    return f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"


@dataclass
class ThrowawayDatabase:
    url: str
    vendor: str
    name: str = ""
    admin_url: str = ""  # PostgreSQL: where to ask which server processes serve it

    def backend_pids(self) -> list[int]:
        """PostgreSQL backends connected to this database (none for SQLite)."""
        if not self.admin_url:
            return []
        import psycopg

        with psycopg.connect(self.admin_url) as admin:
            rows = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.name]
            ).fetchall()
        return [row[0] for row in rows]


@contextmanager
def throwaway_database(prefix: str, *, postgres_only: bool = False) -> Iterator[ThrowawayDatabase]:
    """A new, uniquely named database beside DATABASE_URL's (else a temporary SQLite file),
    dropped afterwards. Only the database this call created is ever dropped."""
    source = os.environ.get("DATABASE_URL", "").strip()
    if source.startswith(("postgres://", "postgresql://")):
        import psycopg

        name = unique_name(prefix)
        parts = urlsplit(source)
        admin_url = urlunsplit(parts._replace(path="/postgres", query=""))
        with psycopg.connect(admin_url, autocommit=True) as admin:
            version = admin.execute("SHOW server_version").fetchone()[0].split()[0]
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield ThrowawayDatabase(
                urlunsplit(parts._replace(path=f"/{name}")),
                f"PostgreSQL {version}",
                name,
                admin_url,
            )
        finally:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    elif postgres_only:
        raise RuntimeError("needs PostgreSQL: set DATABASE_URL")
    else:
        with tempfile.TemporaryDirectory(prefix=f"{prefix}-") as folder:
            yield ThrowawayDatabase(
                f"sqlite:///{folder}/bench.sqlite3", f"SQLite {sqlite3.sqlite_version}"
            )


# --- numbers --------------------------------------------------------------------------------
def percentile(sorted_samples: Sequence[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default) on sorted samples."""
    if not sorted_samples:
        return math.nan
    position = (len(sorted_samples) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(sorted_samples) - 1)
    weight = position - low
    return sorted_samples[low] * (1 - weight) + sorted_samples[high] * weight


@dataclass(frozen=True)
class Summary:
    n: int
    median: float
    p5: float
    p95: float
    p99: float
    mean: float
    minimum: float
    maximum: float


def summarise(samples: Iterable[float]) -> Summary:
    """Median, p5, p95 (the spread the table shows), p99, mean, min and max of the samples."""
    ordered = sorted(float(sample) for sample in samples)
    if not ordered:
        nan = math.nan
        return Summary(0, nan, nan, nan, nan, nan, nan, nan)
    return Summary(
        n=len(ordered),
        median=percentile(ordered, 0.5),
        p5=percentile(ordered, 0.05),
        p95=percentile(ordered, 0.95),
        p99=percentile(ordered, 0.99),
        mean=sum(ordered) / len(ordered),
        minimum=ordered[0],
        maximum=ordered[-1],
    )


def fmt(value: float | None) -> str:
    """A number with about three significant digits, no exponent for everyday magnitudes."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    magnitude = abs(value)
    if magnitude >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


# --- results --------------------------------------------------------------------------------
@dataclass
class Result:
    """One row of the table: what was measured, against which budget, and the verdict.

    `passed` is None for an informational row (no budget), `skipped` for a module that could
    not be run as a benchmark, `error` for one that raised.
    """

    name: str
    budget: str
    unit: str = ""
    samples: list[float] = field(default_factory=list)
    median: float | None = None
    spread: tuple[float, float] | None = None
    spread_kind: str = SPREAD_KIND
    value: str = ""
    ratio: float | None = None
    passed: bool | None = None
    note: str = ""
    error: str = ""
    skipped: bool = False
    module: str = ""

    @classmethod
    def from_samples(
        cls,
        name: str,
        samples: Iterable[float],
        budget_text: str,
        unit: str,
        check: Callable[[float], bool] | None = None,
        *,
        note: str = "",
        ratio: float | None = None,
        value: str | None = None,
        passed: bool | None = None,
    ) -> Result:
        """Summarise `samples`; `check(median)` gives the verdict (no check: informational).

        `passed` overrides the check (e.g. a budget on the maximum); `value` overrides what the
        median column shows.
        """
        samples = [float(sample) for sample in samples]
        summary = summarise(samples)
        if passed is None and check is not None:
            passed = bool(summary.n) and bool(check(summary.median))
        return cls(
            name=name,
            budget=budget_text,
            unit=unit,
            samples=samples,
            median=summary.median,
            spread=(summary.p5, summary.p95) if summary.n else None,
            value=value if value is not None else _with_unit(fmt(summary.median), unit),
            ratio=ratio,
            passed=passed,
            note=note,
        )

    @classmethod
    def crashed(cls, module: str, error: BaseException) -> Result:
        return cls(
            name=module,
            budget="-",
            passed=False,
            error=f"{type(error).__name__}: {error}",
            note="the module raised; see the traceback above the table",
            module=module,
        )

    @classmethod
    def skip(cls, module: str, note: str) -> Result:
        return cls(name=module, budget="-", skipped=True, note=note, module=module)

    @property
    def status(self) -> str:
        if self.error:
            return "ERROR"
        if self.skipped:
            return "skipped"
        return STATUS_TEXT[self.passed]

    @property
    def spread_text(self) -> str:
        if self.spread is None:
            return "-"
        low, high = self.spread
        return f"{_with_unit(f'{fmt(low)}-{fmt(high)}', self.unit)} ({self.spread_kind})"

    @property
    def ratio_text(self) -> str:
        return "-" if self.ratio is None else f"{self.ratio:.2f}x"

    @property
    def shown_value(self) -> str:
        if self.error:
            return "-"
        return self.value or (_with_unit(fmt(self.median), self.unit) if self.median else "-")

    @property
    def remark(self) -> str:
        return "; ".join(part for part in (self.error, self.note) if part)


def _with_unit(number: str, unit: str) -> str:
    return f"{number} {unit}".strip() if unit else number


# --- discovery and running ----------------------------------------------------------------------
@dataclass
class Report:
    results: list[Result]
    crashed: list[str]
    modules: list[str]
    started: dt.datetime
    seconds: float
    words: list[str]


def discover(words: Sequence[str] = ()) -> list[str]:
    """Module names bench_* in this package, those containing one of `words` if any are given."""
    package_dir = Path(__file__).resolve().parent
    names = sorted(
        info.name
        for info in pkgutil.iter_modules([str(package_dir)])
        if info.name.startswith("bench_")
    )
    if words:
        names = [name for name in names if any(word in name for word in words)]
    return names


def run_module(name: str) -> tuple[list[Result], bool]:
    """(rows, crashed) for one module. A module that raises becomes one failed row."""
    try:
        module = importlib.import_module(f"bench.{name}")
        runner = getattr(module, "run", None)
        if runner is None:
            note = "no run()" if hasattr(module, "measure") else "no run() (nor measure())"
            return [Result.skip(name, note)], False
        results = list(runner())
        for result in results:
            if not isinstance(result, Result):
                raise TypeError(f"run() returned {type(result).__name__}, not Result")
            result.module = result.module or name
        return results, False
    except Exception as error:  # a report, not a test run: record it and go on with the rest
        traceback.print_exc(file=sys.stderr)
        return [Result.crashed(name, error)], True


def run_all(words: Sequence[str] = ()) -> Report:
    started = dt.datetime.now().astimezone()
    clock = time.perf_counter()
    modules = discover(words)
    results: list[Result] = []
    crashed: list[str] = []
    for name in modules:
        print(f"-- {name} …", file=sys.stderr, flush=True)
        module_clock = time.perf_counter()
        rows, did_crash = run_module(name)
        results.extend(rows)
        if did_crash:
            crashed.append(name)
        seconds = time.perf_counter() - module_clock
        print(f"-- {name} done in {seconds:.1f} s", file=sys.stderr, flush=True)
    return Report(
        results=results,
        crashed=crashed,
        modules=modules,
        started=started,
        seconds=time.perf_counter() - clock,
        words=list(words),
    )


# --- the machine --------------------------------------------------------------------------------
def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                kib = int(line.split()[1])
                return f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return "unknown"


def _nproc() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 0


def describe_database() -> str:
    """The database the benchmarks use: PostgreSQL when DATABASE_URL names one, else SQLite."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return f"SQLite {sqlite3.sqlite_version} (a temporary file per benchmark)"
    parts = urlsplit(url)
    where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as connection:
            version = connection.execute("SHOW server_version").fetchone()[0]
        return f"PostgreSQL {version.split()[0]} at {where} (a throwaway database per benchmark)"
    except Exception as error:  # the machine block must not fail the report
        return f"PostgreSQL at {where} (version unknown: {type(error).__name__})"


def machine() -> dict[str, str]:
    return {
        "CPUs (nproc)": str(_nproc()),
        "CPU model": _cpu_model(),
        "memory": _memory(),
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "OS": f"{platform.system()} {platform.release()}",
        "database": describe_database(),
    }


# --- output -------------------------------------------------------------------------------------
HEADERS = ("name", "budget", "median", "spread", "ratio", "pass/fail")


def _cells(result: Result) -> tuple[str, ...]:
    return (
        result.name,
        result.budget,
        result.shown_value,
        result.spread_text,
        result.ratio_text,
        result.status,
    )


def _notes(results: Sequence[Result]) -> list[str]:
    return [f"[{index}] {result.name}: {result.remark}" for index, result in _noted(results)]


def _noted(results: Sequence[Result]) -> list[tuple[int, Result]]:
    noted = [result for result in results if result.remark]
    return list(enumerate(noted, start=1))


def _names_with_marks(results: Sequence[Result]) -> list[str]:
    marks = {id(result): index for index, result in _noted(results)}
    return [
        f"{result.name} [{marks[id(result)]}]" if id(result) in marks else result.name
        for result in results
    ]


def text_table(report: Report) -> str:
    names = _names_with_marks(report.results)
    rows = [HEADERS] + [
        (name, *_cells(result)[1:]) for name, result in zip(names, report.results, strict=True)
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADERS))]

    def line(row: Sequence[str]) -> str:
        return " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))

    out = [line(rows[0]), "-+-".join("-" * width for width in widths)]
    out += [line(row) for row in rows[1:]]
    if not report.results:
        out.append("(no benchmark modules matched)")
    out.append("")
    out += _notes(report.results)
    out.append("")
    out += [f"{key}: {value}" for key, value in machine().items()]
    out.append(
        f"ran {len(report.modules)} module(s) in {report.seconds:.0f} s at "
        f"{report.started:%Y-%m-%d %H:%M %Z}; spread is {SPREAD_KIND} of the samples"
    )
    return "\n".join(out)


def _md(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", " ")


def markdown(report: Report) -> str:
    names = _names_with_marks(report.results)
    out = [
        "# Benchmarks",
        "",
        "Measured against the budgets of DESIGN §8 by `make bench` "
        "(`python -m bench --write-docs` writes this file). Each row's median is over its "
        f"samples; the spread is the {SPREAD_KIND} of the same samples. A budget that is missed "
        "is reported, not hidden.",
        "",
        f"Run on {report.started:%Y-%m-%d %H:%M %Z}"
        + (f", modules matching {', '.join(report.words)}" if report.words else "")
        + f", {report.seconds:.0f} s in all.",
        "",
        "## Machine",
        "",
    ]
    out += [f"- {key}: {value}" for key, value in machine().items()]
    before = os.environ.get("BENCH_BEFORE", "").strip()
    if before:
        out += [
            "",
            f"Rows marked *earlier commit* (and the ratio column) measure the checkout "
            f"`{_commit_of(Path(before))}` in the same run, interleaved with this one where the "
            "module says so (`make bench BENCH_BEFORE=PATH`, or `python -m bench --before PATH`).",
        ]
    out += ["", "## Results", ""]
    out.append("| " + " | ".join(HEADERS) + " |")
    out.append("|" + "|".join("---" for _ in HEADERS) + "|")
    for name, result in zip(names, report.results, strict=True):
        cells = (name, *_cells(result)[1:])
        out.append("| " + " | ".join(_md(cell) for cell in cells) + " |")
    notes = _noted(report.results)
    if notes:
        out += ["", "## Notes", ""]
        out += [f"{index}. **{result.name}**: {_md(result.remark)}" for index, result in notes]
    out.append("")
    return "\n".join(out)


def _commit_of(path: Path) -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(path), "log", "-1", "--format=%h %s"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()[:80]
    except (OSError, subprocess.SubprocessError):
        return str(path)


def write_docs(report: Report, path: Path = DOCS_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(markdown(report), encoding="utf-8")
    return path
