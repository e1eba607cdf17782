"""The dependency audit, honest about what it checked.

pip-audit says "No known vulnerabilities found" even when it could audit nothing (every package
"could not be audited" because the vulnerability service was out of reach). This wrapper reads its
JSON report and says which of three things happened:

1. a known vulnerability: listed, exit status 1 (the run fails);
2. packages that could not be audited: "AUDIT NOT DONE" with the reason, exit status 0: a visible
   skip, never a pass;
3. every package audited and none vulnerable: "audit done", exit status 0.

pip-audit itself failing for another reason than the network is exit status 2.
Usage: python scripts/audit_dependencies.py [requirements file] (default requirements.txt);
PIP_AUDIT names the pip-audit command (default: the one next to this Python).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess  # nosec B404
import sys
from pathlib import Path

UNREACHABLE = (
    "ConnectionError",
    "NewConnectionError",
    "Max retries exceeded",
    "Temporary failure in name resolution",
    "Name or service not known",
    "timed out",
    "Network is unreachable",
)


# Reasons shown when packages could not be audited: all alike when the service is out of reach.
SHOWN = 3


def _command(requirements: str) -> list[str]:
    default = str(Path(sys.executable).with_name("pip-audit"))
    pip_audit = shlex.split(os.environ.get("PIP_AUDIT", default))
    return [*pip_audit, "-r", requirements, "--progress-spinner", "off", "--format", "json"]


def main(requirements: str = "requirements.txt") -> int:
    done = subprocess.run(_command(requirements), capture_output=True, text=True, check=False)  # nosec B603
    try:
        report = json.loads(done.stdout)
    except ValueError:
        if any(marker in done.stderr for marker in UNREACHABLE):
            print("AUDIT NOT DONE: the vulnerability database could not be reached.")
            print(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "")
            return 0
        print(f"pip-audit failed (exit status {done.returncode}):\n{done.stderr}", file=sys.stderr)
        return 2
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            name = f"{dependency['name']} {dependency.get('version', '')}"
            print(f"VULNERABLE {name}: {vuln.get('id')} (fixed in {fixed})")
    if skipped:
        print(
            f"AUDIT NOT DONE for {len(skipped)} of {len(dependencies)} packages; pip-audit says, for example:"
        )
        for dependency in skipped[:SHOWN]:
            print(f"  {dependency['skip_reason']}")
    if vulnerable:
        print(f"{len(vulnerable)} packages with known vulnerabilities.")
        return 1
    if not skipped:
        print(f"audit done: {len(dependencies)} packages, no known vulnerabilities.")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
