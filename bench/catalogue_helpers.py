"""The catalogue benchmark's helpers, run in subprocesses with the benchmark's environment:
`python bench/catalogue_helpers.py setup | inprocess TOKEN [--profile] | conditional TOKEN`.

Run as a script, from the checkout being measured (its directory first on PYTHONPATH), so
the same helpers measure this commit and an earlier one; they import nothing from `bench`.
"""

from __future__ import annotations

import json
import sys
import time

PATH = "/api/v1/exercises/?page=1"
PAGE_SIZE = 20
QUERY_SAMPLES = 10
INPROCESS_SAMPLES = 300
JSON_MARK = "BENCH_JSON "


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
    print(JSON_MARK + json.dumps({"token": token, "exercises": Exercise.objects.count()}))


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


def _conditional(token: str) -> None:
    """Conditional GETs with the first answer's ETag: statuses and queries, in-process."""
    _django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    etag = client.get(PATH)["ETag"]
    statuses, counts, on_table, statements = [], [], [], []
    for _ in range(QUERY_SAMPLES):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(PATH, HTTP_IF_NONE_MATCH=etag)
        statuses.append(response.status_code)
        statements = [query["sql"] for query in captured.captured_queries]
        counts.append(len(statements))
        on_table.append(sum('"exercises_exercise"' in sql for sql in statements))
    print(
        JSON_MARK
        + json.dumps(
            {
                "statuses": statuses,
                "queries": counts,
                "exercise_queries": on_table,
                "sql": statements,
            }
        )
    )


if __name__ == "__main__":
    command, *rest = sys.argv[1:] or ["?"]
    if command == "setup":
        _setup()
    elif command == "inprocess":
        _inprocess(rest[0], profile="--profile" in rest)
    elif command == "conditional":
        _conditional(rest[0])
    else:
        sys.exit(
            "usage: python bench/catalogue_helpers.py setup | inprocess TOKEN [--profile] "
            "| conditional TOKEN"
        )
