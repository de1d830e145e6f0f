"""Catalogue list API, page of 20, no cache: ≥ 400 requests/s with 2 gunicorn workers, ≤ 4 SQL
queries per request (DESIGN §8).

Steps: a throwaway database (PostgreSQL database `bench_catalogue` beside the one DATABASE_URL
names, else a temporary SQLite file), `migrate` and `load_catalogue`, a physiotherapist with an
API token; SQL queries counted in-process with Django's test client; then gunicorn with 2 sync
workers on loopback and a pure-Python closed-loop load generator: CLIENTS processes, each
sending `GET /api/v1/exercises/?page=1` with `Authorization: Token …` in a loop, for a warm-up
and then RUNS timed runs. Gunicorn and the database are removed at the end, even on error.

`python -m bench.bench_catalogue setup|inprocess` are the helpers this module runs in
subprocesses with the benchmark's environment (Django is never imported by the harness).
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
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.harness import Result, fmt, run_python, summarise

BASE_DIR = Path(__file__).resolve().parent.parent
BIN_DIR = Path(sys.executable).parent
PATH = "/api/v1/exercises/?page=1"
PAGE_SIZE = 20
WORKERS = 2
CLIENTS = 4
WARMUP_SECONDS = 2.0
RUNS = 3
RUN_SECONDS = 5.0
BUDGET_RPS = 400
BUDGET_QUERIES = 4
QUIET_CORES = 0.25  # the machine counts as quiet when others use less than this
QUIET_WAIT_SECONDS = 90
MAX_ATTEMPTS = 3 * RUNS
QUERY_SAMPLES = 10
INPROCESS_SAMPLES = 300
DB_NAME = "bench_catalogue"
JSON_MARK = "BENCH_JSON "
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- the throwaway database -----------------------------------------------------------------------
@dataclass
class Database:
    url: str
    vendor: str
    admin_url: str = ""  # PostgreSQL: where to ask which server processes serve the benchmark

    def backend_pids(self) -> list[int]:
        """PostgreSQL backends connected to the benchmark database (none for SQLite)."""
        if not self.admin_url:
            return []
        import psycopg

        with psycopg.connect(self.admin_url) as admin:
            rows = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [DB_NAME]
            ).fetchall()
        return [row[0] for row in rows]


@contextmanager
def bench_database() -> Iterator[Database]:
    source = os.environ.get("DATABASE_URL", "").strip()
    if source.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(source)
        admin_url = urlunsplit(parts._replace(path="/postgres", query=""))
        bench_url = urlunsplit(parts._replace(path=f"/{DB_NAME}"))
        with psycopg.connect(admin_url, autocommit=True) as admin:
            version = admin.execute("SHOW server_version").fetchone()[0].split()[0]
            admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {DB_NAME}")
        try:
            yield Database(bench_url, f"PostgreSQL {version}", admin_url)
        finally:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    else:
        import sqlite3

        with tempfile.TemporaryDirectory(prefix="bench-catalogue-") as folder:
            yield Database(f"sqlite:///{folder}/bench.sqlite3", f"SQLite {sqlite3.sqlite_version}")


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


def _python(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    return run_python(env, *args, timeout=timeout)


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
def gunicorn(env: dict[str, str], token: str) -> Iterator[Server]:
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
                    "--bind",
                    f"127.0.0.1:{port}",
                ],
                cwd=BASE_DIR,
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
            status, body = _get(server.port, token)
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


def _get(port: int, token: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", PATH, headers={"Authorization": f"Token {token}"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- the load generator -------------------------------------------------------------------------
def client_loop(port: int, token: str, start_at: float, end_at: float) -> dict:
    """One closed-loop client: request, read the whole answer, repeat until `end_at`.

    Runs in its own process. Counts only answers completed inside [start_at, end_at]. Gunicorn's
    sync workers close the connection after every answer; http.client then reconnects, so every
    request pays a TCP connect on loopback, as it would behind a proxy without keep-alive.
    """
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Token {token}"}
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
        if status == 200:
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
    def other_cpu(self) -> float:
        """CPU seconds of everything else on the machine: other people's work, the kernel."""
        return max(0.0, self.machine_busy - self.server_cpu - self.client_cpu - self.database_cpu)

    def cores(self, cpu: float) -> float:
        return cpu / self.seconds


def _timed_run(pool, server: Server, database: Database, token: str, seconds: float) -> Run:
    pids = [server.process.pid, *server.workers]
    database_pids = database.backend_pids()
    start_at = time.monotonic() + 0.3
    end_at = start_at + seconds
    pending = pool.starmap_async(
        client_loop, [(server.port, token, start_at, end_at)] * CLIENTS, chunksize=1
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


def measure_load(server: Server, database: Database, token: str) -> tuple[list[Run], int]:
    """A warm-up, then RUNS timed runs of CLIENTS closed-loop clients; (runs, discarded).

    A run during which other work used more than QUIET_CORES is discarded and done again once
    the machine is quiet, at most MAX_ATTEMPTS runs in all (the last ones are kept as they are).
    """
    context = multiprocessing.get_context("spawn")  # clean processes, nothing inherited
    runs: list[Run] = []
    attempts = 0
    with context.Pool(processes=CLIENTS) as pool:
        _timed_run(pool, server, database, token, WARMUP_SECONDS)
        while len(runs) < RUNS:
            attempts += 1
            run = _timed_run(pool, server, database, token, RUN_SECONDS)
            spare = MAX_ATTEMPTS - attempts - (RUNS - len(runs) - 1)
            if run.cores(run.other_cpu) > QUIET_CORES and spare > 0:
                print(
                    f"   run disturbed by other work ({run.cores(run.other_cpu):.2f} cores); "
                    "running it again",
                    file=sys.stderr,
                    flush=True,
                )
                wait_for_quiet()
                continue
            runs.append(run)
    return runs, attempts - len(runs)


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


def run() -> list[Result]:
    with _sigterm_unwinds(), bench_database() as database:
        env = bench_env(database.url)
        _python(env, "manage.py", "migrate", "--no-input")
        _python(env, "manage.py", "load_catalogue")
        setup = _json_from(_python(env, "-m", "bench.bench_catalogue", "setup"))
        token = setup["token"]
        wait_for_quiet()
        inprocess = _json_from(_python(env, "-m", "bench.bench_catalogue", "inprocess", token))
        with gunicorn(env, token) as server:
            background = wait_for_quiet()
            runs, discarded = measure_load(server, database, token)
    return _results(database.vendor, setup, inprocess, runs, background, discarded)


def _results(
    vendor: str,
    setup: dict,
    inprocess: dict,
    runs: list[Run],
    background: float,
    discarded: int,
) -> list[Result]:
    where = f"{vendor}, {setup['exercises']} exercises"
    queries = inprocess["queries"]
    first_query_count = inprocess["first_queries"]
    sql = "; ".join(statement[:70] for statement in inprocess["sql"])
    query_row = Result.from_samples(
        "catalogue list: SQL queries per request",
        queries,
        f"≤ {BUDGET_QUERIES} queries",
        "queries",
        passed=max(queries) <= BUDGET_QUERIES,
        note=(
            f"test client in-process, {len(queries)} requests after a first one "
            f"({first_query_count} queries); {where}; the queries: {sql}"
        ),
    )

    rps = [run.rps for run in runs]
    seconds = sum(run.seconds for run in runs)
    requests = sum(run.requests for run in runs)
    errors = sum(run.errors for run in runs)

    def cores(attribute: str) -> float:
        return sum(getattr(run, attribute) for run in runs) / seconds

    server_cores, client_cores = cores("server_cpu"), cores("client_cpu")
    database_cores, other_cores = cores("database_cpu"), cores("other_cpu")
    busy_cores = cores("machine_busy")
    server_ms = 1000 * sum(run.server_cpu for run in runs) / max(requests, 1)
    database_ms = 1000 * sum(run.database_cpu for run in runs) / max(requests, 1)
    latencies_ms = [1000 * latency for run in runs for latency in run.latencies]
    latency = summarise(latencies_ms)
    waiting = sum(latencies_ms) / 1000 / (CLIENTS * seconds)
    nproc = os.cpu_count() or 0
    disturbed = other_cores > QUIET_CORES or background > QUIET_CORES
    database_text = (
        f"PostgreSQL backends {database_cores:.2f} ({database_ms:.2f} ms per request), "
        if database_ms
        else ""
    )
    throughput_row = Result.from_samples(
        f"catalogue list: throughput, gunicorn {WORKERS} workers",
        rps,
        f"≥ {BUDGET_RPS} req/s",
        "req/s",
        check=lambda median: median >= BUDGET_RPS and errors == 0,
        note=(
            f"{RUNS} runs x {RUN_SECONDS:.0f} s after a {WARMUP_SECONDS:.0f} s warm-up"
            + (f" ({discarded} more discarded: other work was running)" if discarded else "")
            + f", {CLIENTS} closed-loop Python client processes on loopback, a new TCP "
            f"connection per request (gunicorn sync workers close it); {requests} answers, "
            f"{errors} errors; {where}. CPU of this {nproc}-core machine, shared by server, "
            f"clients and database: gunicorn {server_cores:.2f} cores ({server_ms:.2f} ms CPU "
            f"per request: at most {_ceiling(server_ms):.0f} req/s on {WORKERS} cores with "
            f"nothing else running), {database_text}clients {client_cores:.2f}, other work and "
            f"kernel {other_cores:.2f}, machine {busy_cores / max(nproc, 1):.0%} busy; the "
            f"clients spent {waiting:.0%} of their time waiting for answers"
            + (
                " (so the server, not the generator, sets the pace)"
                if waiting >= 0.9
                else " (the generator may be limiting: add clients)"
            )
            + ("; the machine was NOT quiet: this understates the server" if disturbed else "")
        ),
    )
    latency_row = Result.from_samples(
        "catalogue list: latency under load",
        latencies_ms,
        "(report)",
        "ms",
        value=f"p50 {fmt(latency.median)} ms",
        note=(
            f"p50 {fmt(latency.median)} ms, p99 {fmt(latency.p99)} ms, max "
            f"{fmt(latency.maximum)} ms over {latency.n} requests with {CLIENTS} clients "
            f"queueing on {WORKERS} workers (includes the TCP connect)"
        ),
    )
    per_request_ms = [1000 * sample for sample in inprocess["seconds"]]
    inprocess_median = summarise(per_request_ms).median
    inprocess_row = Result.from_samples(
        "catalogue list: in-process time per request",
        per_request_ms,
        "(diagnostic)",
        "ms",
        note=(
            f"Django test client, one process, {len(per_request_ms)} requests, no HTTP server, "
            "database connection closed after each request as CONN_MAX_AGE says: "
            f"{_ceiling(inprocess_median):.0f} req/s on {WORKERS} cores if the view were all "
            "the work"
        ),
    )
    return [throughput_row, query_row, latency_row, inprocess_row]


def _ceiling(milliseconds_per_request: float) -> float:
    return WORKERS * 1000 / milliseconds_per_request if milliseconds_per_request else 0.0


# --- helpers run in subprocesses with the benchmark's environment --------------------------------
def _django():
    import django

    django.setup()


def _setup() -> None:
    """Create a clinic, a physiotherapist and an API token; print the token."""
    _django()
    from knox.models import AuthToken

    from accounts.models import Clinic, Physiotherapist, User
    from exercises.models import Exercise

    clinic = Clinic.objects.create(name="Bench clinic")
    user = User.objects.create_user(email="bench.physio@example.com", full_name="Bench Physio")
    Physiotherapist.objects.create(user=user, clinic=clinic)
    _, token = AuthToken.objects.create(user=user)
    print(JSON_MARK + json.dumps({"token": token.key, "exercises": Exercise.objects.count()}))


def _inprocess(token: str, profile: bool) -> None:
    """Count SQL queries per request and time requests with Django's test client."""
    _django()
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")

    def get():
        response = client.get(PATH)
        if response.status_code != 200:
            raise RuntimeError(f"GET {PATH}: {response.status_code} {response.content[:500]!r}")
        return response

    counts, statements = [], []
    for index in range(QUERY_SAMPLES + 1):
        with CaptureQueriesContext(connection) as captured:
            response = get()
        counts.append(len(captured.captured_queries))
        statements = [query["sql"] for query in captured.captured_queries]
        if index == 0 and len(response.json()["results"]) != PAGE_SIZE:
            raise RuntimeError("the first page does not hold a full page of exercises")

    # The test client keeps the database connection open between requests; a real server
    # closes it at the end of each request unless CONN_MAX_AGE says otherwise. Do the same.
    seconds = []
    for _ in range(INPROCESS_SAMPLES):
        began = time.perf_counter()
        get()
        close_old_connections()
        seconds.append(time.perf_counter() - began)

    if profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(INPROCESS_SAMPLES):
            get()
            close_old_connections()
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)

    print(
        JSON_MARK
        + json.dumps(
            {
                "first_queries": counts[0],
                "queries": counts[1:],
                "sql": statements,
                "seconds": seconds,
            }
        )
    )


if __name__ == "__main__":
    command, *rest = sys.argv[1:] or ["?"]
    if command == "setup":
        _setup()
    elif command == "inprocess":
        _inprocess(rest[0], profile="--profile" in rest)
    else:
        sys.exit("usage: python -m bench.bench_catalogue setup | inprocess TOKEN [--profile]")
