"""`python -m bench [word ...] [--write-docs]`: run the benchmarks and print one table.

With words, only modules whose name contains one of them run (`python -m bench catalogue`).
Exit code 0 even when budgets are missed (this is a report); 1 when a module crashed; 2 when
no module matched.
"""

from __future__ import annotations

import argparse
import os
import sys

from bench import harness


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "words", nargs="*", help="run only modules whose name contains one of these"
    )
    parser.add_argument(
        "--write-docs",
        action="store_true",
        help="also write the table as Markdown to docs/benchmarks.md",
    )
    parser.add_argument(
        "--before",
        metavar="PATH",
        help="a checkout of an earlier commit to measure beside this one, in the same run "
        "(its .venv is not used: the same interpreter runs both)",
    )
    args = parser.parse_args(argv)
    if args.before:
        os.environ["BENCH_BEFORE"] = args.before

    if not harness.discover(args.words):
        print(f"No benchmark module matches {' '.join(args.words)!r}.", file=sys.stderr)
        return 2
    report = harness.run_all(args.words)
    print(flush=True)
    print(harness.text_table(report), flush=True)
    if args.write_docs:
        path = harness.write_docs(report)
        print(f"\nwrote {path.relative_to(harness.BASE_DIR)}")
    if report.crashed:
        print(f"\ncrashed: {', '.join(report.crashed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
