"""TLS and mTLS between the parent and its children, on real processes with certificates made in the test.

A child serves TLS with its certificate (and with AZURA_TLS_CA demands a client certificate: mTLS); the parent
trusts AZURA_TLS_CA and presents its own certificate. A wrong CA or a missing client certificate keeps the
parent from linking and says why; plaintext beyond loopback is refused unless AZURA_INSECURE_LINKS=1.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from grpc_health.v1 import health_pb2, health_pb2_grpc

from azura_common.koe.link.by_hand import reserve
from azura_common.koe.remote import ChildConnection, RemoteSession
from azura_common.koe.session import Track
from azura_common.tls import LinkTls, read_link_tls
from azura_sandbox.addresses import non_loopback_ipv4
from azura_sandbox.certs import Authority, Issued
from azura_sandbox.fake_discord.world import Channel
from azura_sandbox.fake_lavalink.catalogue import load_tracks
from azura_sandbox.testing import ChildProcess, ParentProcess, Sandbox, free_port

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.slow]

LINKED = "parent ready: 1/1 children linked"
NOT_LINKED = "parent ready: 0/1 children linked"


class DiscoveringParent(ParentProcess):
    """The parent whose DNS answers come from AZURA_TEST_DNS_FILE (see discovery_parent.py)."""

    module = "tests.azura_parent.discovery_parent"


class TlsChild(ChildProcess):
    """A child whose health is asked over TLS (and mTLS), the way the parent reaches it."""

    def __init__(self, env: Mapping[str, str], tls: LinkTls, address: str | None = None) -> None:
        super().__init__(env)
        self.tls = tls
        if address is not None:
            self.address = address

    async def health(self, timeout: float = 1.0) -> str:
        connection = ChildConnection(self.address, "", self.tls)
        try:
            reply = await health_pb2_grpc.HealthStub(connection.channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=timeout
            )
            return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))
        finally:
            await connection.close()


@dataclass
class Certs:
    ca: Authority
    other_ca: Authority  # signs nothing the children or the parent use
    child: Issued  # names 127.0.0.1 and localhost
    named_child: Issued  # names only child.azura.test: dialled by IP, checked by AZURA_TLS_SERVER_NAME
    parent: Issued  # the parent's client certificate
    stranger: Issued  # a client certificate from the other CA


@dataclass
class Setup:
    sb: Sandbox
    certs: Certs
    tmp: Path
    mtls_child: TlsChild

    def parent_env(self, name: str, child: ChildProcess, **tls: str) -> dict[str, str]:
        env = self.sb.parent_env(name, [child], self.tmp / f"{name}.sqlite3")
        return {**env, "AZURA_CHILDREN": child.address, **tls}

    async def start_parent(self, env: Mapping[str, str]) -> ParentProcess:
        parent = ParentProcess(env)
        self.sb.children.append(parent)
        parent.start()
        return parent

    async def start_child(self, name: str, env: Mapping[str, str], tls: LinkTls,
                          address: str | None = None) -> TlsChild:
        child = TlsChild({**self.sb.child_env(name, free_port()), **env}, tls, address)
        self.sb.children.append(child)
        child.start()
        await child.wait_serving()
        return child


def tls_env(issued: Issued, ca: Authority | None = None) -> dict[str, str]:
    env = {"AZURA_TLS_CERT": str(issued.cert), "AZURA_TLS_KEY": str(issued.key)}
    return {**env, "AZURA_TLS_CA": str(ca.ca)} if ca is not None else env


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def setup(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Setup]:
    tmp = tmp_path_factory.mktemp("azura-tls")
    ca = Authority(tmp / "ca")
    other = Authority(tmp / "other", "Other CA")
    certs = Certs(
        ca, other,
        child=ca.issue("child", names=("127.0.0.1", "localhost")),
        named_child=ca.issue("named-child", names=("child.azura.test",)),
        parent=ca.issue("parent", names=("azura-parent",), client=True),
        stranger=other.issue("stranger", names=("azura-parent",), client=True),
    )
    sb = await Sandbox.start(speed=50, voice_channels=4)
    try:
        # The mTLS child: serves TLS and asks every caller for a certificate the CA signed.
        health_tls = read_link_tls(tls_env(certs.parent, ca))
        mtls_child = TlsChild({**sb.child_env("mtls-child", free_port()), **tls_env(certs.child, ca)}, health_tls)
        sb.children.append(mtls_child)
        mtls_child.start()
        await mtls_child.wait_serving()
        yield Setup(sb, certs, tmp, mtls_child)
    finally:
        await sb.stop()


async def play(sb: Sandbox, user: str, channel: Channel, query: str) -> str:
    await sb.discord.user_join_voice(sb.users[user], channel)
    result = await sb.discord.invoke(sb.users[user], sb.guild, sb.text, "play", {"query": query}, timeout_s=10)
    return result.text


def bot_in(sb: Sandbox, channel: Channel) -> int | None:
    bots = {bot.user_id for bot in sb.discord.world.bots.values()}
    return next((uid for uid in sb.discord.voice_members(channel) if uid in bots), None)


async def test_the_parent_plays_through_a_child_over_mtls(setup: Setup) -> None:
    sb, certs = setup.sb, setup.certs
    assert "(mTLS: client certificates required)" in setup.mtls_child.log_text()
    env = setup.parent_env("mtls-parent", setup.mtls_child, **tls_env(certs.parent, certs.ca))
    parent = await setup.start_parent(env)
    await parent.wait_until(logged(parent, LINKED), 30, "the parent to link its child over mTLS")
    # The parent plays in the first channel itself; the second goes to the child, over the mTLS Link and RPCs.
    first = await play(sb, "alice", sb.voices[0], "lofi beats")
    assert not first.startswith("⚠️"), first
    parent_bot = sb.discord.world.bots["mtls-parent"].user_id
    await sb.discord.wait_for(lambda: bot_in(sb, sb.voices[0]) == parent_bot, 10, "the parent in voice-1")
    second = await play(sb, "bob", sb.voices[1], "synthwave")
    assert not second.startswith("⚠️"), second
    child_bot = sb.discord.world.bots["mtls-child"].user_id
    await sb.discord.wait_for(lambda: bot_in(sb, sb.voices[1]) == child_bot, 10, "the mTLS child in voice-2")
    playing = [p for p in sb.lavalink.players_truth() if p["channel_id"] == str(sb.voices[1].id)]
    assert playing and playing[0]["track_title"], playing
    await parent.stop()


async def test_a_child_dialled_by_ip_is_checked_by_the_name_its_certificate_carries(setup: Setup) -> None:
    """The child's certificate names only child.azura.test; the parent dials 127.0.0.1 and checks that name
    (AZURA_TLS_SERVER_NAME). The CA is given as PEM text, as on a platform with only environment variables."""
    sb, certs = setup.sb, setup.certs
    named_tls = read_link_tls({"AZURA_TLS_CA": str(certs.ca.ca), "AZURA_TLS_SERVER_NAME": "child.azura.test"})
    child = await setup.start_child("named-child", tls_env(certs.named_child), named_tls)
    assert "(TLS)" in child.log_text()
    ca_text = certs.ca.ca_pem.decode()
    parent = await setup.start_parent(setup.parent_env(
        "named-parent", child, AZURA_TLS_CA=ca_text, AZURA_TLS_SERVER_NAME="child.azura.test"))
    await parent.wait_until(logged(parent, LINKED), 30, "the parent to link the child by IP over TLS")
    # A RemoteSession works end to end over the same kind of channel.
    connection = ChildConnection(child.address, sb.secret, named_tls)
    session = RemoteSession(connection, sb.guild.id, sb.voices[2].id)
    try:
        await reserve(connection, session.guild_id, session.channel_id)
        await session.connect(sb.text.id)
        found = load_tracks("ytsearch:tls over ip")["data"][:2]
        await session.enqueue([Track(encoded=t["encoded"], title=t["info"]["title"], length_ms=t["info"]["length"])
                               for t in found])
        state = await session.get_state()
        assert state.connected and state.total == 2
        await session.disconnect()
    finally:
        await connection.close()
    # Found by name (discovery) and dialled by the IP the name resolves to: checked against that name.
    dns = setup.tmp / "dns.json"
    dns.write_text(json.dumps({"child.azura.test": ["127.0.0.1"]}))
    found = DiscoveringParent({**setup.parent_env("found-parent", child, AZURA_TLS_CA=ca_text),
                               "AZURA_CHILDREN": f"all:child.azura.test:{child.port}", "AZURA_TEST_DNS_FILE": str(dns)})
    setup.sb.children.append(found)
    found.start()
    await found.wait_until(logged(found, f"child at {child.address} linked (child.azura.test)"), 30,
                           "the parent to link the child it found by name, over TLS")
    # Without the name, the same parent configuration is refused and says what to set.
    unnamed = await setup.start_parent(setup.parent_env("unnamed-parent", child, AZURA_TLS_CA=ca_text))
    await unnamed.wait_until(logged(unnamed, "does not name '127.0.0.1'"), 30, "the name mismatch warning")
    assert "AZURA_TLS_SERVER_NAME" in unnamed.log_text()
    await asyncio.gather(parent.stop(), unnamed.stop(), found.stop())


async def test_a_wrong_ca_or_a_missing_client_certificate_is_refused(setup: Setup) -> None:
    certs = setup.certs
    wrong_ca = await setup.start_parent(
        setup.parent_env("wrong-ca-parent", setup.mtls_child, **tls_env(certs.parent, certs.other_ca)))
    no_client_cert = await setup.start_parent(
        setup.parent_env("no-cert-parent", setup.mtls_child, AZURA_TLS_CA=str(certs.ca.ca)))
    stranger = await setup.start_parent(
        setup.parent_env("stranger-parent", setup.mtls_child, **tls_env(certs.stranger, certs.ca)))
    checks = [
        (wrong_ca, "is not signed by the CA in AZURA_TLS_CA"),
        (no_client_cert, "wants a client certificate its CA signed"),
        (stranger, "wants a client certificate its CA signed"),
    ]
    for parent, why in checks:
        await parent.wait_until(logged(parent, why, warning=True), 30, f"the warning {why!r}")
    for parent, _ in checks:  # the parent waits 20 s for its children before it says how many it linked
        await parent.wait_until(logged(parent, "parent ready:"), 40, "the parent's ready line")
        assert NOT_LINKED in parent.log_text(), parent.log_tail()
    await asyncio.gather(*(parent.stop() for parent, _ in checks))


async def test_plaintext_beyond_loopback_needs_the_explicit_flag(setup: Setup) -> None:
    sb = setup.sb
    here = non_loopback_ipv4()  # an address of this machine that is not loopback
    port = free_port()
    refused_child = ChildProcess({**sb.child_env("plain-child", port), "AZURA_BIND_HOST": here})
    refused_child.start()
    assert await asyncio.to_thread(_exit_code, refused_child) == 2
    assert "AZURA_BIND_HOST" in refused_child.log_text() and "AZURA_INSECURE_LINKS=1" in refused_child.log_text()
    assert "Traceback" not in refused_child.log_text()

    child = ChildProcess({**sb.child_env("plain-child", port), "AZURA_BIND_HOST": here, "AZURA_INSECURE_LINKS": "1"})
    child.address = f"{here}:{port}"
    sb.children.append(child)
    child.start()
    await child.wait_serving()
    assert _warned(child, "AZURA_INSECURE_LINKS=1: serving gRPC on"), child.log_tail()

    refused_parent = ParentProcess(setup.parent_env("plain-parent", child))
    refused_parent.start()
    assert await asyncio.to_thread(_exit_code, refused_parent) == 2
    said = refused_parent.log_text()
    assert f"{here}:{port}" in said and "AZURA_TLS_CA" in said and "AZURA_INSECURE_LINKS=1" in said, said
    assert "Traceback" not in said

    parent = await setup.start_parent({**setup.parent_env("plain-parent", child), "AZURA_INSECURE_LINKS": "1"})
    await parent.wait_until(logged(parent, LINKED), 30, "the parent to link in plaintext with the flag")
    assert _warned(parent, "AZURA_INSECURE_LINKS=1: dialling the children at"), parent.log_tail()
    assert parent.log_text().count("AZURA_INSECURE_LINKS=1:") == 1  # once
    await parent.stop()


def logged(process: ChildProcess | ParentProcess, text: str, *, warning: bool = False) -> Callable[[], Awaitable[bool]]:
    """A check for ``wait_until``: ``text`` is in the process's log (on a WARNING line when ``warning``)."""

    async def check() -> bool:
        return _warned(process, text) if warning else text in process.log_text()

    return check


def _warned(process: ChildProcess | ParentProcess, text: str) -> bool:
    return any("WARNING" in line and text in line for line in process.log_text().splitlines())


def _exit_code(process: ChildProcess | ParentProcess) -> int:
    assert process.process is not None
    return process.process.wait(30)
