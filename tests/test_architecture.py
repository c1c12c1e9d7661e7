"""The import rules of DESIGN.md, enforced: who may import discord, wavelink, grpc and the generated pb."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("azura_common", "azura_child", "azura_parent", "azura_sandbox")
PB = "azura_common.koe.pb"

# Modules (repo-relative, posix) allowed to import each guarded name. Everything else may not.
WAVELINK_ALLOWED = {"azura_common/koe/local.py"}
PB_ALLOWED_PREFIXES = (
    "azura_common/koe/convert.py",
    "azura_common/koe/remote.py",
    "azura_common/koe/link/",
    "azura_child/servicer.py",
    "azura_common/koe/pb/",
)
# Pure logic: no I/O frameworks at all.
PURE = {
    "azura_common/koe/queue.py": ("discord", "grpc", "wavelink", "asyncio", "aiohttp", PB),
    "azura_common/koe/session.py": ("discord", "grpc", "wavelink", "asyncio", "aiohttp", PB),
    "azura_common/koe/errors.py": ("discord", "grpc", "wavelink", "asyncio", "aiohttp", PB),
    "azura_common/koe/koe.py": ("discord", "grpc", "wavelink", "aiohttp", PB),
}


def _modules() -> list[Path]:
    found: list[Path] = []
    for package in PACKAGES:
        found.extend(p for p in (ROOT / package).rglob("*.py") if "/pb/" not in p.as_posix())
    return sorted(found)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _uses(imports: set[str], name: str) -> bool:
    return any(imp == name or imp.startswith(name + ".") for imp in imports)


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


MODULES = _modules()


def test_the_tree_has_modules_to_check() -> None:
    assert any(_rel(p) == "azura_common/koe/queue.py" for p in MODULES)


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_import_rules(path: Path) -> None:
    rel = _rel(path)
    imports = _imports(path)
    if rel.startswith("azura_common/koe/"):
        assert not _uses(imports, "discord"), f"{rel}: Discord types stay in the bots' modules, never in Koe"
    if rel not in WAVELINK_ALLOWED and not rel.startswith("azura_sandbox/"):
        assert not _uses(imports, "wavelink"), f"{rel}: only local.py talks to wavelink"
    if rel.startswith("azura_sandbox/") and "/testing" not in rel:
        assert not _uses(imports, "wavelink"), f"{rel}: the fakes speak Lavalink's wire protocol"
    if not rel.startswith(PB_ALLOWED_PREFIXES):
        assert not _uses(imports, PB), f"{rel}: only convert/remote/link/the child servicer see pb"
    for banned in PURE.get(rel, ()):
        assert not _uses(imports, banned), f"{rel} is pure logic and must not import {banned}"
    if rel.startswith("azura_common/") or rel.startswith("azura_sandbox/fake_lavalink/"):
        assert not _uses(imports, "azura_parent") and not _uses(imports, "azura_child"), rel


def test_rule_checker_sees_relative_imports(tmp_path: Path) -> None:
    # The checker itself must catch `from .pb import x`, or the rules above could pass vacuously.
    probe = ROOT / "azura_common" / "koe" / "queue.py"
    imports = _imports(probe)
    assert _uses(imports, "azura_common.koe.session") or _uses(imports, "azura_common.koe.errors")
