"""Benchmarks against the budgets of DESIGN §8. `make bench` (python -m bench) runs them all.

Each module `bench/bench_<what>.py` exposes `run() -> list[bench.harness.Result]`; the harness
discovers them, runs each in turn and prints one table.
"""
