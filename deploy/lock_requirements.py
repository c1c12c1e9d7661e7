"""Write requirements.txt: the exact versions of the runtime dependencies (setup.cfg's install_requires and
everything they pull in), for Heroku's Python buildpack and the Docker image.

Run it after changing install_requires (``make requirements``): it installs the package into a throwaway
virtualenv with pip, freezes what pip chose, and keeps each direct dependency's environment marker
(``uvloop ...; sys_platform != "win32"``). tests/deploy/test_requirements.py checks the lock covers setup.cfg.
"""

from __future__ import annotations

import configparser
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
HEADER = """\
# The pinned runtime dependencies of Azura (Heroku's Python buildpack and the Dockerfile install these).
# Generated from setup.cfg's install_requires by `make requirements` (deploy/lock_requirements.py): do not edit.
"""


def direct_requirements(setup_cfg: Path = ROOT / "setup.cfg") -> list[Requirement]:
    parser = configparser.ConfigParser()
    parser.read(setup_cfg)
    lines = parser["options"]["install_requires"].strip().splitlines()
    return [Requirement(line.strip()) for line in lines if line.strip()]


def main() -> int:
    markers = {canonicalize_name(r.name): r.marker for r in direct_requirements() if r.marker is not None}
    with tempfile.TemporaryDirectory(prefix="azura-lock-") as tmp:
        venv.create(tmp, with_pip=True)
        python = str(Path(tmp) / "bin" / "python")
        subprocess.run([python, "-m", "pip", "install", "--quiet", str(ROOT)], check=True)
        frozen = subprocess.run([python, "-m", "pip", "freeze", "--exclude", "azura", "--exclude-editable"],
                                check=True, capture_output=True, text=True).stdout
    pins = []
    for line in sorted(frozen.splitlines(), key=str.lower):
        if "==" not in line:
            continue
        marker = markers.get(canonicalize_name(line.split("==")[0]))
        pins.append(f"{line}; {marker}" if marker is not None else line)
    (ROOT / "requirements.txt").write_text(HEADER + "\n".join(pins) + "\n")
    sys.stdout.write(f"requirements.txt: {len(pins)} pinned packages\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
