"""Known vulnerabilities in the locked dependencies: pip-audit, then PyPI's own list.

pip-audit asks PyPI about each exact version. Where that answer cannot be had
(some networks let only PyPI's package pages through), PyPI's package page still
lists the vulnerabilities of the latest release: for a locked version that is the
latest, that list is exact, and it is checked instead. Anything still unchecked is
named. A finding fails the run unless `.ci/vulnerability-waivers.txt` waives its
id with a reason.

    python .ci/audit_dependencies.py requirements.lock [more.lock ...]
"""

import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

WAIVERS = Path(__file__).with_name("vulnerability-waivers.txt")


def waivers() -> dict[str, str]:
    found = {}
    for line in WAIVERS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            vuln_id, _, reason = line.partition(" ")
            if not reason.strip():
                sys.exit(f"{WAIVERS.name}: {vuln_id} is waived without a reason")
            found[vuln_id] = reason.strip()
    return found


def pinned(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text().splitlines():
        if match := re.match(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;\\]+)", line):
            pins[re.sub(r"\[.*\]", "", match.group(1)).lower().replace("_", "-")] = match.group(2)
    return pins


def pip_audit(lock: Path) -> dict:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip_audit",
            "-r",
            str(lock),
            "--no-deps",
            "--disable-pip",
            "-s",
            "pypi",
            "-f",
            "json",
            "--progress-spinner",
            "off",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return json.loads(result.stdout or '{"dependencies": []}')


def latest_release_vulnerabilities(name: str, version: str) -> list[str] | None:
    """PyPI's list for the package's latest release, if `version` is it; else None."""
    with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=20) as page:
        data = json.load(page)
    if data["info"]["version"] != version:
        return None
    return [v["id"] for v in data.get("vulnerabilities", [])]


def main(locks: list[str]) -> int:
    waived = waivers()
    findings, unchecked = [], []
    for lock in map(Path, locks):
        pins = pinned(lock)
        report = pip_audit(lock)
        audited = set()
        for dep in report.get("dependencies", []):
            if "skip_reason" in dep:
                continue
            audited.add(dep["name"].lower())
            findings += [(dep["name"], dep["version"], v["id"]) for v in dep.get("vulns", [])]
        for name, version in sorted(pins.items()):
            if name in audited:
                continue
            ids = latest_release_vulnerabilities(name, version)
            if ids is None:
                unchecked.append(f"{name}=={version}")
            else:
                findings += [(name, version, vuln_id) for vuln_id in ids]
    failing = [f for f in findings if f[2] not in waived]
    for name, version, vuln_id in findings:
        note = f"waived: {waived[vuln_id]}" if vuln_id in waived else "NOT WAIVED"
        print(f"{name}=={version}: {vuln_id} ({note})")
    if unchecked:
        print(
            "Not checked (older than the latest release, and PyPI's per-version data is "
            f"out of reach): {', '.join(unchecked)}"
        )
    print(f"{len(findings)} known vulnerabilities, {len(failing)} not waived.")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["requirements.lock"]))
