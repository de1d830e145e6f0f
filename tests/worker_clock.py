"""Run Celery on the suite's clock: `python -m tests.worker_clock <celery arguments>`.

The `celery_worker` fixture sets SUITE_CLOCK to "<moment> <real epoch seconds>": the test's
clock read `moment` at that real instant and ticks from there. The worker travels to the same
moving point before Celery starts, and its pool processes (forked) inherit the travel, so the
test and the worker read one clock, give or take the milliseconds between their reads.
"""

import datetime
import os
import sys
import time

import time_machine


def main() -> None:
    moment, real_anchor = os.environ["SUITE_CLOCK"].split()
    elapsed = datetime.timedelta(seconds=time.time() - float(real_anchor))
    time_machine.travel(datetime.datetime.fromisoformat(moment) + elapsed, tick=True).start()

    from celery.__main__ import main as celery

    sys.argv = ["celery", *sys.argv[1:]]
    celery()


if __name__ == "__main__":
    main()
