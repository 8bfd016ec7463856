"""wrk, the load generator the benches measure a page and its floor with: run it, read its report.

wrk (Debian's package: `apt-get install wrk`) is written in C. One of its threads opens and
sends several thousand requests a second, more than gunicorn serves on the core it leaves, so
the figures are the server's and not the client's; the Python clients the benches used before
could not send more than 1,100 to 2,400 a second, which held the fastest app back the most and
so made a slow page look closer to it (BENCHMARKS.md).
"""

import re
import resource
import shutil
import subprocess
from dataclasses import dataclass, replace

INSTALL_HINT = "wrk is not installed; on Debian or Ubuntu: apt-get install wrk"
PERCENTILES = (50, 75, 90, 99)

_SECONDS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_BYTES = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}
_TOTALS = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h), ([\d.]+)(B|KB|MB|GB|TB) read")
_PERCENTILE = re.compile(r"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$")
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)")
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


class WrkError(RuntimeError):
    """wrk is missing, failed, or measured something other than the page asked for."""


@dataclass(frozen=True)
class Report:
    """What one run of `wrk --latency` printed."""

    requests: int
    seconds: float
    bytes_read: int
    requests_per_second: float
    latency_ms: dict[int, float]
    socket_errors: int = 0
    failed_responses: int = 0
    cpu_seconds: float | None = None

    @property
    def bytes_per_response(self) -> float:
        return self.bytes_read / self.requests

    @property
    def cores_used(self) -> float | None:
        """wrk's own CPU time over the run's length: 1.0 would be a core it kept busy."""
        return None if self.cpu_seconds is None else self.cpu_seconds / self.seconds


def parse(output: str) -> Report:
    """wrk's report, as its `--latency` option prints it; a WrkError if a figure is missing."""
    totals = rate = None
    latency: dict[int, float] = {}
    socket_errors = failed = 0
    for line in output.splitlines():
        if found := _TOTALS.match(line):
            count, elapsed, time_unit, size, size_unit = found.groups()
            totals = (
                int(count),
                float(elapsed) * _SECONDS[time_unit],
                round(float(size) * _BYTES[size_unit]),
            )
        elif found := _PERCENTILE.match(line):
            latency[int(found[1])] = float(found[2]) * _SECONDS[found[3]] * 1000
        elif found := _RATE.match(line):
            rate = float(found[1])
        elif found := _SOCKET_ERRORS.search(line):
            socket_errors = sum(int(number) for number in found.groups())
        elif found := _NON_2XX.search(line):
            failed = int(found[1])
    if totals is None or rate is None or set(latency) != set(PERCENTILES):
        raise WrkError(f"wrk's report lacks figures (run with --latency?):\n{output}")
    requests, seconds, bytes_read = totals
    if requests == 0:
        raise WrkError(f"wrk completed no request:\n{output}")
    return Report(requests, seconds, bytes_read, rate, latency, socket_errors, failed)


def require_wrk() -> str:
    """The path of wrk, or a WrkError that says how to install it."""
    path = shutil.which("wrk")
    if path is None:
        raise WrkError(INSTALL_HINT)
    return path


def run(url: str, *, seconds: int, threads: int = 1, connections: int = 4) -> Report:
    """`wrk` against `url` on this machine for `seconds`: every response a 2xx, none dropped.

    Only 127.0.0.1 is loaded: a bench measures our own servers, never anyone else's.
    """
    if not url.startswith("http://127.0.0.1:"):
        raise WrkError(f"the benches load 127.0.0.1 only, not {url}")
    command = [
        require_wrk(),
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=10s",
        "--latency",
        url,
    ]
    # The servers are children that are still running: only wrk ends, so the children's CPU
    # time grows by wrk's own alone.
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        finished = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 30, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise WrkError(f"wrk did not finish within {seconds + 30} s") from error
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if finished.returncode != 0:
        raise WrkError(f"wrk failed ({finished.returncode}): {finished.stderr or finished.stdout}")
    report = parse(finished.stdout)
    if report.socket_errors or report.failed_responses:
        raise WrkError(
            f"{url}: {report.failed_responses} responses were not 2xx or 3xx and "
            f"{report.socket_errors} connections failed:\n{finished.stdout}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return replace(report, cpu_seconds=cpu)
