"""The rules stay pure: no Discord, no gRPC, no I/O framework, so the slash commands, the buttons (and any
other front end) can share them and they test in microseconds."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import azura_common.rules

RULES = sorted(Path(azura_common.rules.__file__).parent.glob("*.py"))
BANNED = ("discord", "grpc", "wavelink", "aiohttp", "asyncio", "azura_common.koe.pb", "azura_parent", "azura_child")


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add(("." * node.level) + (node.module or ""))
    return names


def test_there_are_rules_to_check() -> None:
    assert {p.stem for p in RULES} >= {"limits", "pages", "parse", "permissions", "remove", "skip", "votes"}


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.name)
def test_a_rule_module_imports_nothing_impure(path: Path) -> None:
    for name in imported(path):
        assert not any(name == b or name.startswith(b + ".") for b in BANNED), f"{path.name} imports {name}"
        assert not name.startswith(".."), f"{path.name}: {name} (rules reach the rest only by absolute import)"
