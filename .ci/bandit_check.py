"""Bandit on the app's code: fails on a finding above low severity that `.ci/bandit-ignored.txt`
does not explain, and on an explanation that matches no finding any more."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORED = Path(__file__).with_name("bandit-ignored.txt")


def reviewed() -> dict[tuple[str, str], str]:
    lines = IGNORED.read_text().splitlines()
    entries = [line.split(maxsplit=2) for line in lines if line.strip() and line[0] != "#"]
    return {(path, test): reason for path, test, reason in entries}


def findings() -> list[dict]:
    run = subprocess.run(
        [sys.executable, "-m", "bandit", "-r", "conference", "-f", "json", "-q", "-l"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode not in (0, 1):  # 1: findings; anything else: bandit itself failed
        sys.exit(f"bandit failed:\n{run.stderr}")
    results = json.loads(run.stdout)["results"]
    return [found for found in results if found["issue_severity"] != "LOW"]


def main() -> int:
    explained = reviewed()
    unexplained, matched = [], set()
    for found in findings():
        key = (found["filename"].removeprefix("./"), found["test_id"])
        if key in explained:
            matched.add(key)
        else:
            unexplained.append(
                f"{key[0]}:{found['line_number']} {key[1]} {found['issue_severity']}: "
                f"{found['issue_text']}"
            )
    stale = [f"{path} {test}" for path, test in explained if (path, test) not in matched]
    for line in unexplained:
        print(f"bandit: not reviewed: {line}")
    for line in stale:
        print(f"bandit: {IGNORED.name} explains a finding that is gone: {line}")
    if unexplained or stale:
        return 1
    print(f"bandit: no finding above low severity beyond the {len(matched)} reviewed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
