"""How the test suite's time divides between setting tests up, running them and tearing down.

Run: .venv/bin/python -m pytest tests/web -p bench.suite_phases  (PostgreSQL: TEST_DATABASE_URL)

A pytest plugin: it adds up, over every test, the wall-clock and CPU time of each phase and
prints the sums at the end. CPU time (this process and its threads) moves less than wall time
when other work shares the machine. For the slowest single setups, add
`--durations=30 --durations-min=0.2`.
"""

import time
from collections import Counter

import pytest

PHASES = ("setup", "call", "teardown")
WALL: Counter = Counter()
CPU: Counter = Counter()


def _timed(phase: str):
    @pytest.hookimpl(hookwrapper=True)
    def hook(item, *args):
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        WALL[phase] += time.perf_counter() - wall
        CPU[phase] += time.process_time() - cpu

    return hook


pytest_runtest_setup = _timed("setup")
pytest_runtest_call = _timed("call")
pytest_runtest_teardown = _timed("teardown")


def pytest_terminal_summary(terminalreporter):
    for name, sums in [("wall", WALL), ("cpu", CPU)]:
        phases = "  ".join(f"{phase} {sums[phase]:6.1f} s" for phase in PHASES)
        terminalreporter.write_line(f"{name:>4}: {phases}  total {sum(sums.values()):6.1f} s")
