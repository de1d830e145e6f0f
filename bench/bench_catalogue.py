"""Catalogue list API, page of 20 (DESIGN §8): server CPU per request, req/s, queries, and the
conditional GET (304); measured beside an earlier commit in the same run when one is given.

Steps, for this checkout and (with `python -m bench --before PATH`) an earlier one: a
uniquely named throwaway database each (PostgreSQL beside DATABASE_URL's, else a temporary
SQLite file), `migrate` and `load_catalogue`, a physiotherapist with an API token; SQL
queries counted in-process with Django's test client; then gunicorn servers with 2 workers
on free loopback ports: the earlier checkout with its sync workers, this one with sync
workers and with threaded workers (gthread, which keeps connections alive), and this one
answering conditional GETs. A pure-Python closed-loop load generator (CLIENTS processes)
drives one server at a time; the servers take turns, round by round (interleaved), so a
change in the machine's load touches every variant alike. Server CPU per request comes from
/proc/PID/stat of the gunicorn processes, steadier than req/s on a shared machine. Servers
and databases (only those this run created) are removed at the end, even on error.

bench/catalogue_helpers.py holds the helpers this module runs in subprocesses with the
benchmark's environment, against either checkout (the harness never imports Django).
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from bench.harness import (
    Result,
    ThrowawayDatabase,
    before_tree,
    fmt,
    run_python,
    summarise,
    throwaway_database,
)

BASE_DIR = Path(__file__).resolve().parent.parent
BIN_DIR = Path(sys.executable).parent
HELPERS = Path(__file__).resolve().parent / "catalogue_helpers.py"
PATH = "/api/v1/exercises/?page=1"
PAGE_SIZE = 20
WORKERS = 2
THREADS = 4  # per gthread worker
CLIENTS = 4
WARMUP_SECONDS = 2.0
RUNS = 3
RUN_SECONDS = 4.0
BUDGET_CPU_MS = 2.5
BUDGET_304_CPU_MS = 0.7
BUDGET_SPEEDUP = 2.0
BUDGET_QUERIES = 2
QUIET_CORES = 0.25  # the machine counts as quiet when others use less than this
QUIET_WAIT_SECONDS = 60
JSON_MARK = "BENCH_JSON "
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SYNC: tuple[str, ...] = ()
GTHREAD = ("--worker-class", "gthread", "--threads", str(THREADS))
CHOSEN = "this commit, gthread"  # the server `make web`, the Dockerfile and compose run


def bench_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY="bench-only",  # noqa: S106 - a throwaway key for a throwaway database
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def _python(env: dict[str, str], *args: str, tree: Path = BASE_DIR, timeout: float = 300) -> str:
    return run_python(env, *args, timeout=timeout, cwd=tree)


def _helper(env: dict[str, str], *args: str, tree: Path = BASE_DIR) -> dict:
    """Run catalogue_helpers.py against the checkout `tree` (first on the import path)."""
    env = {**env, "PYTHONPATH": str(tree)}
    return _json_from(_python(env, str(HELPERS), *args, tree=tree))


def _json_from(output: str) -> dict:
    for line in reversed(output.splitlines()):
        if line.startswith(JSON_MARK):
            return json.loads(line[len(JSON_MARK) :])
    raise RuntimeError(f"no result line in the helper's output:\n{output[-2000:]}")


# --- gunicorn ---------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
        return [int(child) for child in text.split()]
    except OSError:
        children = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    children.append(int(entry.name))
        return children


def _cpu_seconds(pids: list[int]) -> float:
    """user + system CPU seconds of these processes so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
    return total / CLOCK_TICKS


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # user nice system idle iowait irq softirq steal
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


def _background_cores(seconds: float = 1.0) -> float:
    """Cores the whole machine kept busy over `seconds` (everything but this idle process)."""
    before, _ = _machine_busy()
    time.sleep(seconds)
    after, _ = _machine_busy()
    return (after - before) / seconds


def wait_for_quiet() -> float:
    """Wait (bounded) until other work on the machine stops; return the background load left.

    The benchmark shares the machine's cores with whatever else runs (a test suite, say), which
    would be measured as a slow server. The load found is reported in the result's note.
    """
    deadline = time.monotonic() + QUIET_WAIT_SECONDS
    cores = _background_cores()
    announced = False
    while cores > QUIET_CORES and time.monotonic() < deadline:
        if not announced:
            print(
                f"   other work is using {cores:.1f} cores; waiting up to "
                f"{QUIET_WAIT_SECONDS} s for the machine to be quiet",
                file=sys.stderr,
                flush=True,
            )
            announced = True
        cores = _background_cores(2.0)
    return cores


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def workers(self) -> list[int]:
        return _children(self.process.pid)

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""


@contextmanager
def gunicorn(
    env: dict[str, str], token: str, tree: Path, options: tuple[str, ...]
) -> Iterator[Server]:
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="bench-gunicorn-") as folder:
        log_path = Path(folder) / "gunicorn.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    str(BIN_DIR / "gunicorn"),
                    "config.wsgi",
                    "--workers",
                    str(WORKERS),
                    *options,
                    "--bind",
                    f"127.0.0.1:{port}",
                ],
                cwd=tree,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so we can stop all of it
                preexec_fn=_die_with_parent,
            )
        server = Server(process, port, log_path)
        try:
            _wait_ready(server, token)
            yield server
        finally:
            _stop(process)


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM gunicorn if the benchmark dies (Linux), so a killed
    benchmark leaves no server behind; its workers exit when their master does."""
    with suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1


def _wait_ready(server: Server, token: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited {server.process.returncode}:\n{server.log_tail()}")
        try:
            status, body, _ = _get(server.port, token)
        except OSError as error:
            last = str(error)
            time.sleep(0.2)
            continue
        if status != 200:
            raise RuntimeError(f"GET {PATH} answered {status}: {body[:500]!r}\n{server.log_tail()}")
        results = json.loads(body)["results"]
        if len(results) != PAGE_SIZE:
            raise RuntimeError(f"GET {PATH} gave {len(results)} exercises, not {PAGE_SIZE}")
        if len(server.workers) < WORKERS:  # both workers booted, so neither boots while timed
            time.sleep(0.2)
            continue
        return
    raise RuntimeError(f"gunicorn not ready after {timeout:.0f} s ({last}):\n{server.log_tail()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()  # gunicorn's master stops its workers gracefully on SIGTERM
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # whatever is left of the group we started
    process.wait(timeout=5)


def _get(port: int, token: str) -> tuple[int, bytes, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", PATH, headers={"Authorization": f"Token {token}"})
        response = connection.getresponse()
        return response.status, response.read(), response.getheader("ETag") or ""
    finally:
        connection.close()


# --- the load generator -------------------------------------------------------------------------
def client_loop(
    port: int, headers: dict[str, str], expected: int, start_at: float, end_at: float
) -> dict:
    """One closed-loop client: request, read the whole answer, repeat until `end_at`.

    Runs in its own process. Counts only answers completed inside [start_at, end_at]. Sync
    workers close the connection after every answer and http.client reconnects (a TCP
    connect per request, as behind a proxy without keep-alive); gthread workers keep it open.
    """
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: list[float] = []
    errors = 0
    while time.monotonic() < start_at:
        time.sleep(min(0.01, max(0.0, start_at - time.monotonic())))
    cpu_before = time.process_time()
    while time.monotonic() < end_at:
        began = time.perf_counter()
        try:
            connection.request("GET", PATH, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            errors += 1
            time.sleep(0.01)  # bounded: never spin on a broken server
            continue
        took = time.perf_counter() - began
        if time.monotonic() > end_at:
            break
        if status == expected:
            latencies.append(took)
        else:
            errors += 1
    cpu = time.process_time() - cpu_before
    connection.close()
    return {"latencies": latencies, "errors": errors, "cpu": cpu}


@dataclass
class Run:
    seconds: float
    requests: int
    errors: int
    latencies: list[float]
    server_cpu: float  # CPU seconds of gunicorn's master and workers during the run
    client_cpu: float  # CPU seconds of the client processes during the run
    database_cpu: float  # CPU seconds of the PostgreSQL backends serving the run (0 for SQLite)
    machine_busy: float  # busy CPU seconds of the whole machine during the run

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.server_cpu / max(self.requests, 1)

    @property
    def other_cpu(self) -> float:
        """CPU seconds of everything else on the machine: other people's work, the kernel."""
        return max(0.0, self.machine_busy - self.server_cpu - self.client_cpu - self.database_cpu)


@dataclass
class Variant:
    """One server answering one kind of request, measured in turns with the others."""

    label: str
    server: Server
    database: ThrowawayDatabase
    headers: dict[str, str]
    expected: int = 200
    runs: list[Run] = field(default_factory=list)


def _timed_run(pool, variant: Variant, seconds: float) -> Run:
    server = variant.server
    pids = [server.process.pid, *server.workers]
    database_pids = variant.database.backend_pids()
    start_at = time.monotonic() + 0.3
    end_at = start_at + seconds
    pending = pool.starmap_async(
        client_loop,
        [(server.port, variant.headers, variant.expected, start_at, end_at)] * CLIENTS,
        chunksize=1,
    )
    time.sleep(max(0.0, start_at - time.monotonic()))
    server_before, (busy_before, _) = _cpu_seconds(pids), _machine_busy()
    database_before = _cpu_seconds(database_pids)
    time.sleep(max(0.0, end_at - time.monotonic()))
    server_after, (busy_after, _) = _cpu_seconds(pids), _machine_busy()
    database_after = _cpu_seconds(database_pids)
    outcomes = pending.get(timeout=seconds + 60)
    latencies = [latency for outcome in outcomes for latency in outcome["latencies"]]
    return Run(
        seconds=seconds,
        requests=len(latencies),
        errors=sum(outcome["errors"] for outcome in outcomes),
        latencies=latencies,
        server_cpu=server_after - server_before,
        client_cpu=sum(outcome["cpu"] for outcome in outcomes),
        database_cpu=database_after - database_before,
        machine_busy=busy_after - busy_before,
    )


def measure_interleaved(variants: list[Variant]) -> None:
    """A warm-up of each variant, then RUNS rounds in which every variant runs once."""
    context = multiprocessing.get_context("spawn")  # clean processes, nothing inherited
    with context.Pool(processes=CLIENTS) as pool:
        for variant in variants:
            _timed_run(pool, variant, WARMUP_SECONDS)
        for index in range(RUNS):
            wait_for_quiet()
            for variant in variants:
                variant.runs.append(_timed_run(pool, variant, RUN_SECONDS))
                run = variant.runs[-1]
                print(
                    f"   round {index + 1}, {variant.label}: {run.rps:.0f} req/s, "
                    f"{run.cpu_ms:.2f} ms server CPU per request",
                    file=sys.stderr,
                    flush=True,
                )


# --- the benchmark ------------------------------------------------------------------------------
@contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """Turn SIGTERM into an exception while we run, so `finally` stops gunicorn and drops the
    database."""

    def unwind(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    previous = signal.signal(signal.SIGTERM, unwind)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass
class Prepared:
    tree: Path
    database: ThrowawayDatabase
    env: dict[str, str]
    token: str
    exercises: int
    inprocess: dict


def _prepare(stack: ExitStack, label: str, tree: Path) -> Prepared:
    database = stack.enter_context(throwaway_database(f"bench_catalogue_{label}"))
    env = bench_env(database.url)
    _python(env, "manage.py", "migrate", "--no-input", tree=tree)
    _python(env, "manage.py", "load_catalogue", tree=tree)
    setup = _helper(env, "setup", tree=tree)
    wait_for_quiet()
    inprocess = _helper(env, "inprocess", setup["token"], tree=tree)
    return Prepared(tree, database, env, setup["token"], setup["exercises"], inprocess)


def run() -> list[Result]:
    before = before_tree()
    with _sigterm_unwinds(), ExitStack() as stack:
        now = _prepare(stack, "now", BASE_DIR)
        conditional = _helper(now.env, "conditional", now.token)
        earlier = _prepare(stack, "before", before) if before else None
        auth = {"Authorization": f"Token {now.token}"}
        variants = []
        if earlier is not None:
            server = stack.enter_context(gunicorn(earlier.env, earlier.token, earlier.tree, SYNC))
            variants.append(
                Variant(
                    "earlier commit, sync",
                    server,
                    earlier.database,
                    {"Authorization": f"Token {earlier.token}"},
                )
            )
        sync = stack.enter_context(gunicorn(now.env, now.token, BASE_DIR, SYNC))
        threaded = stack.enter_context(gunicorn(now.env, now.token, BASE_DIR, GTHREAD))
        _, _, etag = _get(threaded.port, now.token)
        variants += [
            Variant("this commit, sync", sync, now.database, auth),
            Variant(CHOSEN, threaded, now.database, auth),
            Variant(
                "this commit, gthread, conditional GET",
                threaded,
                now.database,
                {**auth, "If-None-Match": etag},
                expected=304,
            ),
        ]
        measure_interleaved(variants)
    return _results(now, earlier, conditional, variants, before)


def _cpu_ms(variant: Variant) -> list[float]:
    return [run.cpu_ms for run in variant.runs]


def _variant_note(variant: Variant) -> str:
    runs = variant.runs
    seconds = sum(run.seconds for run in runs)
    requests = sum(run.requests for run in runs)
    errors = sum(run.errors for run in runs)
    database_ms = 1000 * sum(run.database_cpu for run in runs) / max(requests, 1)
    other = sum(run.other_cpu for run in runs) / seconds
    latency = summarise([1000 * latency for run in runs for latency in run.latencies])
    rps = summarise([run.rps for run in runs]).median
    return (
        f"{rps:.0f} req/s (median of {len(runs)} runs x {RUN_SECONDS:.0f} s, {CLIENTS} "
        f"closed-loop clients, {WORKERS} workers), {requests} answers, {errors} errors; "
        f"latency p50 {fmt(latency.median)} ms, p99 {fmt(latency.p99)} ms; PostgreSQL "
        f"{database_ms:.2f} ms CPU per request; other work on the machine {other:.2f} cores"
    )


def _results(
    now: Prepared,
    earlier: Prepared | None,
    conditional: dict,
    variants: list[Variant],
    before: Path | None,
) -> list[Result]:
    by_label = {variant.label: variant for variant in variants}
    chosen = by_label[CHOSEN]
    rows: list[Result] = []
    earlier_variant = by_label.get("earlier commit, sync")
    for variant in variants:
        expected = variant.expected == 304
        if variant is chosen:
            budget, check = f"≤ {BUDGET_CPU_MS} ms", lambda ms: ms <= BUDGET_CPU_MS
        elif expected:
            budget, check = f"≤ {BUDGET_304_CPU_MS} ms", lambda ms: ms <= BUDGET_304_CPU_MS
        else:
            budget, check = "(report)", None
        ratio = None
        if earlier_variant is not None and variant is not earlier_variant:
            ratio = summarise(_cpu_ms(earlier_variant)).median / max(
                summarise(_cpu_ms(variant)).median, 1e-9
            )
        rows.append(
            Result.from_samples(
                f"catalogue {'conditional GET (304)' if expected else 'list'}: server CPU "
                f"per request, {variant.label}",
                _cpu_ms(variant),
                budget,
                "ms",
                check,
                ratio=ratio,
                note=_variant_note(variant)
                + (
                    "; ratio: the earlier commit's CPU per request over this one's" if ratio else ""
                ),
            )
        )
    chosen_rps = [run.rps for run in chosen.runs]
    if earlier_variant is not None:
        earlier_rps = summarise([run.rps for run in earlier_variant.runs]).median
        rows.append(
            Result.from_samples(
                f"catalogue list: req/s, {CHOSEN} vs earlier commit, sync",
                chosen_rps,
                f"≥ {BUDGET_SPEEDUP:g} x the earlier commit's",
                "req/s",
                lambda median: median >= BUDGET_SPEEDUP * earlier_rps,
                ratio=summarise(chosen_rps).median / max(earlier_rps, 1e-9),
                note=f"the earlier commit ({before}) answered {earlier_rps:.0f} req/s in the "
                "same rounds; req/s depends on what else the 2 shared cores do, the CPU rows "
                "above much less",
            )
        )
    else:
        rows.append(
            Result.from_samples(
                f"catalogue list: req/s, {CHOSEN}",
                chosen_rps,
                "(report: give --before to compare)",
                "req/s",
            )
        )
    for label, prepared in (("this commit", now), ("earlier commit", earlier)):
        if prepared is None:
            continue
        queries = prepared.inprocess["queries"]
        sql = "; ".join(statement[:60] for statement in prepared.inprocess["sql"])
        rows.append(
            Result.from_samples(
                f"catalogue list: SQL queries per request, {label}",
                queries,
                f"≤ {BUDGET_QUERIES} queries" if prepared is now else "(report)",
                "queries",
                passed=max(queries) <= BUDGET_QUERIES if prepared is now else None,
                note=f"token auth, test client in-process, {len(queries)} requests after a "
                f"first one ({prepared.inprocess['first_queries']}); {prepared.exercises} "
                f"exercises; {sql}",
            )
        )
        per_request_ms = [1000 * sample for sample in prepared.inprocess["seconds"]]
        rows.append(
            Result.from_samples(
                f"catalogue list: in-process time per request, {label}",
                per_request_ms,
                "(diagnostic)",
                "ms",
                note=f"Django test client, one process, {len(per_request_ms)} requests, no "
                "HTTP server, the database connection closed after each request",
            )
        )
    on_table = conditional["exercise_queries"]
    rows.append(
        Result.from_samples(
            "catalogue conditional GET (304): queries on the exercise table",
            on_table,
            "0",
            "queries",
            passed=max(on_table) == 0 and set(conditional["statuses"]) == {304},
            note=f"{len(on_table)} conditional GETs in-process, answered "
            f"{sorted(set(conditional['statuses']))}; all queries per request: "
            f"{max(conditional['queries'])} ({'; '.join(s[:60] for s in conditional['sql'])})",
        )
    )
    return rows
