"""Both bots read their settings from the environment and say which variable is wrong."""

from __future__ import annotations

import pytest

from azura_child.config import ChildConfig, process_index
from azura_common.config import ConfigError, env_seconds
from azura_parent.config import ParentConfig, child_addresses, expand_children


def test_env_seconds() -> None:
    assert env_seconds({}, "X", 3.0) == 3.0
    assert env_seconds({"X": "1.5"}, "X", 3.0) == 1.5
    with pytest.raises(ConfigError, match="X must be a number of seconds"):
        env_seconds({"X": "soon"}, "X", 3.0)


def test_a_child_takes_its_token_and_port_from_honcho() -> None:
    env = {"AZURA_CHILD_TOKENS": "a, b ,c", "HONCHO_PROCESS_NAME": "child.2", "PORT": "5101",
           "AZURA_CLUSTER_SECRET": "s"}
    config = ChildConfig.from_env(env)
    assert (config.token, config.port, config.bind_host) == ("b", 5101, "127.0.0.1")
    assert process_index({"DYNO": "child.3"}) == 3
    with pytest.raises(ConfigError, match="child 4 has no token"):
        ChildConfig.from_env({**env, "HONCHO_PROCESS_NAME": "child.4"})
    with pytest.raises(ConfigError, match="AZURA_CLUSTER_SECRET is required"):
        ChildConfig.from_env({"AZURA_CHILD_TOKEN": "t"})


def test_the_parent_derives_its_children_from_honchos_ports() -> None:
    assert child_addresses({"PORT": "5000", "AZURA_CHILD_COUNT": "2"}) == ["127.0.0.1:5100", "127.0.0.1:5101"]
    assert child_addresses({"AZURA_CHILDREN": "a:1, b:2, unix:/run/azura/c.sock"}) == ["a:1", "b:2",
                                                                                       "unix:/run/azura/c.sock"]
    with pytest.raises(ConfigError, match="host:port"):
        child_addresses({"AZURA_CHILDREN": "nohost"})
    with pytest.raises(ConfigError, match="AZURA_PARENT_TOKEN is required"):
        ParentConfig.from_env({})
    with pytest.raises(ConfigError, match="AZURA_CLUSTER_SECRET is required"):
        ParentConfig.from_env({"AZURA_PARENT_TOKEN": "t", "AZURA_CHILD_COUNT": "1"})


async def test_all_host_port_expands_to_every_address_the_name_has() -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return {"app.internal": ["fdaa::3", "fdaa::2", "fdaa::3"], "empty": []}[host]

    assert await expand_children(["all:app.internal:5100", "10.0.0.9:5100"], resolve) == [
        "[fdaa::2]:5100", "[fdaa::3]:5100", "10.0.0.9:5100"]
    with pytest.raises(ConfigError, match="resolves to no address"):
        await expand_children(["all:empty:1"], resolve)
    assert child_addresses({"AZURA_CHILDREN": "all:app.internal:5100"}) == ["all:app.internal:5100"]
    assert len(await expand_children(["all:localhost:5100"])) >= 1  # the real resolver
