"""The import rules of DESIGN.md, enforced: who may import discord, wavelink, grpc and the generated pb."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("azura_common", "azura_child", "azura_parent", "azura_sandbox", "azura_cluster")
PB = "azura_common.koe.pb"

# Modules (repo-relative, posix; a trailing "/" or a bare stem covers a package) allowed to import each
# guarded name. Everything else may not.
WAVELINK_ALLOWED = (  # the player adapter, the node and this process's Lavalink
    "azura_common/koe/local/player.py",
    "azura_common/koe/local/lavalink.py",
    "azura_common/koe/local/node.py",
)
PB_ALLOWED = (
    "azura_common/koe/convert.py",
    "azura_common/koe/remote.py",
    "azura_common/koe/link/",
    "azura_child/servicer",
    "azura_child/routing.py",
    "azura_common/koe/pb/",
)
GRPC = ("grpc", "grpc_health", "grpc_reflection", "grpc_status")
GRPC_ALLOWED = (  # the transport modules and the harness that checks a child's health
    "azura_common/koe/convert.py",
    "azura_common/koe/remote.py",
    "azura_common/koe/link/",
    "azura_child/servicer",
    "azura_child/app.py",
    "azura_child/auth.py",
    "azura_child/decoding.py",
    "azura_child/routing.py",
    "azura_sandbox/testing.py",
    "azura_common/healthcheck.py",  # the operator's health probe: a grpc.health.v1 client, nothing more
    "azura_common/health_server.py",  # the parent's grpc.health.v1 server, nothing more
)
DISCORD_ALLOWED = (  # the bot-facing modules
    "azura_common/voicebot.py",
    "azura_common/nowplaying",
    "azura_common/voice_status.py",
    "azura_parent/bot.py",
    "azura_parent/recovery.py",
    "azura_parent/commands/",
    "azura_parent/web/",  # the dashboard reads the parent's Discord cache (members, roles, voice) as commands do
    "azura_common/replies.py",
    "azura_child/app.py",
    "azura_child/bot.py",
)
IO = ("discord", *GRPC, "wavelink", "asyncio", "aiohttp", PB)
# Pure logic: no I/O frameworks at all.
PURE = {
    "azura_common/koe/queue.py": IO,
    "azura_common/koe/session.py": IO,
    "azura_common/koe/errors.py": IO,
    "azura_common/koe/link/leases.py": IO,
    "azura_common/koe/link/tokens.py": IO,
    "azura_cluster/backoff.py": IO,
    "azura_common/rules/": IO,
    "azura_common/i18n/": IO,
    "azura_common/koe/koe.py": ("discord", *GRPC, "wavelink", "aiohttp", PB),
    "azura_common/koe/local/session": ("discord", *GRPC, "wavelink", "aiohttp", PB),  # session.py and session_*.py
    "azura_common/koe/records.py": IO,
    "azura_common/koe/autoplay.py": IO,
    "azura_common/koe/lyrics.py": IO,
    "azura_common/koe/local/node_choice.py": IO,
    "azura_common/koe/validation.py": IO,
    "azura_common/koe/parked.py": ("discord", *GRPC, "wavelink", "aiohttp", PB),
    "azura_common/koe/failover.py": ("discord", *GRPC, "wavelink", "aiohttp", PB),
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


def _under(rel: str, prefixes: tuple[str, ...]) -> bool:
    return rel.startswith(prefixes)


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_import_rules(path: Path) -> None:
    rel = _rel(path)
    imports = _imports(path)
    if not _under(rel, DISCORD_ALLOWED):
        assert not _uses(imports, "discord"), f"{rel}: Discord types stay in the bot-facing modules"
    if not _under(rel, WAVELINK_ALLOWED):
        assert not _uses(imports, "wavelink"), f"{rel}: only the player adapter (koe/local/player.py) talks to wavelink"
    if not _under(rel, GRPC_ALLOWED):
        for name in GRPC:
            assert not _uses(imports, name), f"{rel}: only the transport modules speak gRPC ({name})"
    if not _under(rel, PB_ALLOWED):
        assert not _uses(imports, PB), f"{rel}: only convert/remote/link/the child servicer see pb"
    for prefix, banned in PURE.items():
        if rel.startswith(prefix):
            for name in banned:
                assert not _uses(imports, name), f"{rel} is pure logic and must not import {name}"
    if rel.startswith("azura_common/") or rel.startswith("azura_sandbox/fake_lavalink/"):
        assert not _uses(imports, "azura_parent") and not _uses(imports, "azura_child"), rel


def test_every_rule_names_a_place_that_exists() -> None:
    # A rule about a path nobody has any more guards nothing: keep the lists in step with the tree.
    planned = {"azura_parent/commands/", "azura_common/rules/"}  # the command layer's new home
    rels = [_rel(p) for package in PACKAGES for p in (ROOT / package).rglob("*.py")]
    for place in {*WAVELINK_ALLOWED, *PB_ALLOWED, *GRPC_ALLOWED, *DISCORD_ALLOWED, *PURE} - planned:
        assert any(r.startswith(place) for r in rels), f"{place} names no module"


def test_rule_checker_sees_relative_imports(tmp_path: Path) -> None:
    # The checker itself must catch `from .pb import x`, or the rules above could pass vacuously.
    probe = ROOT / "azura_common" / "koe" / "queue.py"
    imports = _imports(probe)
    assert _uses(imports, "azura_common.koe.session") or _uses(imports, "azura_common.koe.errors")
