"""Which tokens the bots of a multi-bot child process log in with: with a fixed process index i, the slice
(i-1)*K+1 … i*K of AZURA_CHILD_TOKENS; without one, each bot gets its own index from the parent over its own
Link (one TokenBook for all). Bad AZURA_CHILD_BOTS settings are refused with a message naming the variable."""

from __future__ import annotations

import pytest

from azura_child.config import ChildConfig, ConfigError
from azura_common.koe.koe import Koe
from azura_common.koe.link import ChildLink, Children
from azura_common.koe.remote import ChildConnection, RemoteSession
from azura_sandbox.testing import Sandbox
from azura_sandbox.waiting import eventually

BASE = {"AZURA_CLUSTER_SECRET": "s", "AZURA_CHILD_TOKENS": "t1,t2,t3,t4,t5"}


def test_a_fixed_process_index_takes_its_slice_of_the_tokens_and_the_last_process_what_is_left() -> None:
    second = ChildConfig.from_env({**BASE, "AZURA_CHILD_INDEX": "2", "AZURA_CHILD_BOTS": "2"})
    assert second.bots == 2 and [second.bot_token(s) for s in (1, 2)] == [("t3", 3), ("t4", 4)]
    third = ChildConfig.from_env({**BASE, "HONCHO_PROCESS_NAME": "child.3", "AZURA_CHILD_BOTS": "2"})
    assert third.bots == 1 and third.bot_token(1) == ("t5", 5)  # the list ends: one bot left for it
    single = ChildConfig.from_env({**BASE, "AZURA_CHILD_INDEX": "4"})
    assert single.bots == 1 and single.bot_token(1) == ("t4", 4)  # AZURA_CHILD_BOTS unset: today's behaviour
    assigned = ChildConfig.from_env({**BASE, "AZURA_CHILD_BOTS": "3"})
    assert assigned.bots == 3 and all(assigned.bot_token(s) == (None, 0) for s in (1, 2, 3))


def test_bad_bot_counts_are_refused_naming_the_setting() -> None:
    for bad in ("0", "two", "-1", "65"):
        with pytest.raises(ConfigError, match="AZURA_CHILD_BOTS must be a whole number from 1 to 64"):
            ChildConfig.from_env({**BASE, "AZURA_CHILD_BOTS": bad})
    with pytest.raises(ConfigError, match="AZURA_CHILD_TOKEN is one bot's token but AZURA_CHILD_BOTS=2"):
        ChildConfig.from_env({**BASE, "AZURA_CHILD_TOKEN": "own", "AZURA_CHILD_BOTS": "2"})
    with pytest.raises(ConfigError, match=r"child process 4 runs 2 bots .* needs at least 7"):
        ChildConfig.from_env({**BASE, "AZURA_CHILD_INDEX": "4", "AZURA_CHILD_BOTS": "2"})


@pytest.mark.asyncio
@pytest.mark.slow
async def test_bots_of_a_process_without_an_index_each_get_one_from_the_parent_over_their_own_link() -> None:
    sb = await Sandbox.start(voice_channels=1)
    children: Children | None = None
    try:
        names = ["kid-1", "kid-2", "kid-3"]
        # No AZURA_CHILD_INDEX: replicas sharing one environment; the parent hands out the indices.
        child = await sb.spawn_bots(names, bots=2, wait=False, env={"AZURA_CHILD_INDEX": ""})
        koe = Koe(local_factory=None)
        children = Children([ChildLink(ChildConnection(child.address, sb.secret), koe)])
        koe.use_children(children)
        children.start()
        await child.wait_serving()
        await eventually(lambda: len(children.links) == 2 and all(link.up for link in children.links), timeout=20,
                         what="both bots' links up")
        first, second = children.links
        assert (first.address, second.address) == (child.address, f"{child.address}#2")
        assert {first.token_index, second.token_index} == {1, 2}
        assert children.tokens.holders() == {first.token_index: first.address, second.token_index: second.address}
        ids = {sb.discord.world.bots[name].user_id for name in names[:2]}
        assert {first.bot_user_id, second.bot_user_id} == ids == set(sb.discord.connected_bots())
        # Each link hands out its own bot: two channels of one server, two bots of one process.
        a = await children.acquire(sb.guild.id, sb.voices[0].id)
        b = await children.acquire(sb.guild.id, sb.voices[0].id + 1)
        assert isinstance(a, RemoteSession) and isinstance(b, RemoteSession) and {a.bot_id, b.bot_id} == ids
    finally:
        if children is not None:
            await children.close()
        await sb.stop()
