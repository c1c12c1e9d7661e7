"""``LAVALINK_NODES`` with region hints: what the choice of a node is given, and clear errors for bad entries."""

from __future__ import annotations

import pytest

from azura_common.config import ConfigError, LavalinkServer, lavalink_servers


def test_each_node_may_carry_a_region_and_its_own_password() -> None:
    env = {"LAVALINK_NODES": "http://eu:2333|one|EU, http://us:2333||us-east,https://any:443",
           "LAVALINK_PASSWORD": "pw"}
    assert lavalink_servers(env) == (
        LavalinkServer("http://eu:2333", "one", "eu"),
        LavalinkServer("http://us:2333", "pw", "us-east"),
        LavalinkServer("https://any:443", "pw", ""),
    )


@pytest.mark.parametrize(("value", "says"), [
    ("http://a:2333|pw|eu|extra", "uri|password|region"),
    ("a:2333|pw|eu", "http"),
    ("http://a:2333|pw|us east", "region"),
    ("http://a:2333|pw|eu_west", "region"),
    ("http://a:2333|x|eu,http://a:2333/|y|us", "twice"),
])
def test_a_bad_entry_names_the_setting_and_what_is_wrong(value: str, says: str) -> None:
    with pytest.raises(ConfigError, match="LAVALINK_NODES") as error:
        lavalink_servers({"LAVALINK_NODES": value})
    assert says in str(error.value)
