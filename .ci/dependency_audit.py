"""`make audit`: pip-audit on the installed dependencies, saying plainly when it could not check.

pip-audit reports "No known vulnerabilities found" and exits 0 even when it could not look a
single package up (no network, or an index that is not PyPI): this says how many packages were
checked, names those that were not, and fails unless every one was.
"""

import json
import subprocess
import sys


def main() -> int:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip_audit",
            "--local",
            "--skip-editable",  # the app itself, installed from this tree
            "--format",
            "json",
            "--progress-spinner",
            "off",
            "--timeout",
            "15",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print(
            "pip-audit could NOT check the dependencies: the vulnerability service did not answer."
        )
        print(run.stderr.strip())
        return 2
    dependencies = report["dependencies"]
    dependencies = [d for d in dependencies if "editable" not in d.get("skip_reason", "")]
    unchecked = [d for d in dependencies if "skip_reason" in d]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            print(
                f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} ({fixed})"
            )
    if unchecked:
        names = ", ".join(sorted(d["name"] for d in unchecked))
        reasons = sorted({d["skip_reason"].partition(":")[0] for d in unchecked})
        print(
            f"pip-audit could NOT check {len(unchecked)} of {len(dependencies)} packages "
            f"({'; '.join(reasons)}): {names}"
        )
        print("This is not a pass: run `make audit` where PyPI's vulnerability data is reachable.")
        return 2
    if vulnerable:
        return 1
    print(f"pip-audit checked all {len(dependencies)} packages: no known vulnerability.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
