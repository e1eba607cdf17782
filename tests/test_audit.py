"""The dependency audit (scripts/audit_dependencies.py) is honest: a vulnerability fails the run, an
audit that could not reach the vulnerability database says so and is no pass.

pip-audit's answer is the outside world here: a stand-in prints what pip-audit prints in each case.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "audit_dependencies.py"


def run_with(
    tmp_path: Path, *, stdout: str = "", stderr: str = "", status: int = 0
) -> subprocess.CompletedProcess:
    fake = tmp_path / "pip-audit"
    fake.write_text(
        f"#!{sys.executable}\nimport sys\n"
        f"sys.stdout.write({stdout!r})\nsys.stderr.write({stderr!r})\nsys.exit({status})\n"
    )
    fake.chmod(0o755)
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        env={"PIP_AUDIT": str(fake)},
        capture_output=True,
        text=True,
        check=False,
    )


def report(*dependencies: dict) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


def test_a_known_vulnerability_fails_the_run(tmp_path):
    vuln = {"id": "PYSEC-2026-1", "fix_versions": ["5.2.20"], "description": "x"}
    done = run_with(
        tmp_path, stdout=report({"name": "django", "version": "5.2.19", "vulns": [vuln]}), status=1
    )
    assert done.returncode == 1
    assert "VULNERABLE django 5.2.19: PYSEC-2026-1 (fixed in 5.2.20)" in done.stdout


def test_packages_that_could_not_be_audited_are_a_visible_skip_not_a_pass(tmp_path):
    reason = "Dependency not found on PyPI and could not be audited: django (5.2.19)"
    done = run_with(tmp_path, stdout=report({"name": "django", "skip_reason": reason}))
    assert done.returncode == 0
    assert "AUDIT NOT DONE for 1 of 1 packages" in done.stdout
    assert "no known vulnerabilities" not in done.stdout.lower()


def test_an_unreachable_service_is_a_visible_skip(tmp_path):
    done = run_with(tmp_path, stderr="requests.exceptions.ConnectionError: Max retries exceeded\n", status=1)
    assert done.returncode == 0
    assert done.stdout.startswith("AUDIT NOT DONE")


def test_a_clean_audit_says_it_was_done(tmp_path):
    done = run_with(tmp_path, stdout=report({"name": "django", "version": "5.2.20", "vulns": []}))
    assert (done.returncode, done.stdout.strip()) == (0, "audit done: 1 packages, no known vulnerabilities.")


@pytest.mark.parametrize("stderr", ["Traceback ...\nKeyError: 'x'\n", ""])
def test_pip_audit_failing_otherwise_fails_the_run(tmp_path, stderr):
    assert run_with(tmp_path, stderr=stderr, status=1).returncode == 2
