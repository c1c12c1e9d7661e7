"""Reading the deployment files the way their platforms do, for the tests beside this module."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
VARIABLE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*[A-Z0-9])=", re.MULTILINE)
# The names Azura itself reads (other services' own variables, such as Lavalink's LAVALINK_SERVER_PASSWORD or
# Postgres' POSTGRES_DB, are theirs).
AZURA_NAME = re.compile(r"\b(AZURA_[A-Z0-9_]*[A-Z0-9]|DATABASE_URL|LAVALINK_(?:URI|PASSWORD|NODES)|PORT)\b")
DEVELOPMENT_SECTION = "# --- Development"


def env_example() -> str:
    return (ROOT / ".env.example").read_text()


def documented_variables() -> set[str]:
    """Every variable .env.example documents (set or commented out)."""
    return set(VARIABLE.findall(env_example()))


def deployment_variables() -> set[str]:
    """The documented variables a deployment may set: all but the sandbox's, in the Development section."""
    text = env_example()
    return set(VARIABLE.findall(text.split(DEVELOPMENT_SECTION, 1)[0]))


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())  # merges <<: anchors
    return loaded


def fly() -> dict[str, Any]:
    return tomllib.loads((ROOT / "fly.toml").read_text())


def app_json() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "app.json").read_text())
    return loaded


def k8s_documents() -> list[tuple[Path, dict[str, Any]]]:
    found: list[tuple[Path, dict[str, Any]]] = []
    for path in sorted((ROOT / "deploy" / "k8s").glob("*.yaml")):
        found.extend((path, doc) for doc in yaml.safe_load_all(path.read_text()) if doc)
    return found


def named_in_text(path: Path) -> set[str]:
    """The Azura variables a file names anywhere, comments included (where it says why it sets none)."""
    return set(AZURA_NAME.findall(path.read_text()))


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    logical: list[str] = []
    current = ""
    for line in text.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line.rstrip("\\").strip() + " "
        if not line.endswith("\\"):
            logical.append(current.strip())
            current = ""
    return [(entry.split(None, 1)[0].upper(), entry.split(None, 1)[1] if " " in entry else "") for entry in logical]
