"""AZURA_SHARD_COUNT / AZURA_SHARD_IDS: both bots read them, and a bad value is named with the others."""

from __future__ import annotations

import pytest

from azura_child.config import ChildConfig
from azura_common.config import ConfigError, ShardSettings, shard_settings
from azura_parent.config import ParentConfig

PARENT = {"AZURA_PARENT_TOKEN": "t"}
CHILD = {"AZURA_CHILD_TOKEN": "t", "AZURA_CLUSTER_SECRET": "s"}


def test_unset_or_auto_is_what_discord_recommends_and_a_number_is_that_many() -> None:
    assert shard_settings({}) == ShardSettings(None, None)
    assert shard_settings({"AZURA_SHARD_COUNT": "auto"}) == ShardSettings(None, None)
    assert shard_settings({"AZURA_SHARD_COUNT": " AUTO "}) == ShardSettings(None, None)
    assert shard_settings({"AZURA_SHARD_COUNT": "4"}) == ShardSettings(4, None)
    assert shard_settings({"AZURA_SHARD_COUNT": "4", "AZURA_SHARD_IDS": "2, 3"}) == ShardSettings(4, (2, 3))
    assert ParentConfig.from_env({**PARENT, "AZURA_SHARD_COUNT": "4"}).shards == ShardSettings(4, None)
    assert ChildConfig.from_env({**CHILD, "AZURA_SHARD_COUNT": "2", "AZURA_SHARD_IDS": "1"}).shards == \
        ShardSettings(2, (1,))
    assert ParentConfig.from_env(PARENT).shards == ChildConfig.from_env(CHILD).shards == ShardSettings()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AZURA_SHARD_COUNT": "0"}, "AZURA_SHARD_COUNT must be a number of shards .1 or more. or auto, not '0'"),
        ({"AZURA_SHARD_COUNT": "four"}, "AZURA_SHARD_COUNT must be a number"),
        ({"AZURA_SHARD_COUNT": "-2"}, "AZURA_SHARD_COUNT must be a number"),
        ({"AZURA_SHARD_IDS": "0,1"}, "AZURA_SHARD_IDS needs AZURA_SHARD_COUNT set to a number"),
        ({"AZURA_SHARD_COUNT": "auto", "AZURA_SHARD_IDS": "0"}, "AZURA_SHARD_IDS needs AZURA_SHARD_COUNT"),
        ({"AZURA_SHARD_COUNT": "4", "AZURA_SHARD_IDS": "1,x"}, "AZURA_SHARD_IDS must be comma-separated"),
        ({"AZURA_SHARD_COUNT": "4", "AZURA_SHARD_IDS": "1,1"}, "AZURA_SHARD_IDS lists a shard twice"),
        ({"AZURA_SHARD_COUNT": "4", "AZURA_SHARD_IDS": "3,4"}, r"shard 4 does not exist with AZURA_SHARD_COUNT=4 "
                                                               r"\(shards are 0 to 3\)"),
    ],
)
def test_a_bad_shard_setting_is_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        shard_settings(env)
    with pytest.raises(ConfigError, match=message):
        ParentConfig.from_env({**PARENT, **env})
    with pytest.raises(ConfigError, match=message):
        ChildConfig.from_env({**CHILD, **env})


def test_a_shard_problem_is_listed_with_the_others() -> None:
    with pytest.raises(ConfigError) as caught:
        ParentConfig.from_env({"AZURA_SHARD_COUNT": "x", "AZURA_IDLE_TIMEOUT_S": "soon"})
    problems = caught.value.problems
    assert any("AZURA_PARENT_TOKEN" in p for p in problems)
    assert any("AZURA_SHARD_COUNT" in p for p in problems)
    assert any("AZURA_IDLE_TIMEOUT_S" in p for p in problems)
