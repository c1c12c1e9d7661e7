"""Where a child's token index comes from: its environment (honcho/Heroku, AZURA_CHILD_INDEX, a StatefulSet
ordinal), or nowhere, in which case the parent assigns one."""

from __future__ import annotations

import pytest

from azura_child.config import ChildConfig, ConfigError, process_index

BASE = {"AZURA_CHILD_TOKENS": "a,b,c", "AZURA_CLUSTER_SECRET": "s"}


def test_the_index_comes_from_honcho_then_the_index_then_the_ordinal_else_from_the_parent() -> None:
    assert process_index({"HONCHO_PROCESS_NAME": "child.2", "AZURA_CHILD_INDEX": "3"}) == 2
    assert process_index({"AZURA_CHILD_INDEX": "3", "AZURA_CHILD_ORDINAL": "0"}) == 3
    assert process_index({"AZURA_CHILD_ORDINAL": "0"}) == 1  # a StatefulSet's first pod
    assert process_index({"DYNO": "worker"}) is None and process_index({}) is None
    with pytest.raises(ConfigError, match="AZURA_CHILD_ORDINAL must be 0 or more"):
        process_index({"AZURA_CHILD_ORDINAL": "-1"})
    with pytest.raises(ConfigError, match="AZURA_CHILD_INDEX must be 1 or more"):
        process_index({"AZURA_CHILD_INDEX": "0"})


def test_a_child_without_an_index_waits_for_one_and_a_fixed_one_takes_its_token() -> None:
    replica = ChildConfig.from_env(BASE)
    assert (replica.token, replica.tokens, replica.token_index) == (None, ("a", "b", "c"), 0)
    pod = ChildConfig.from_env({**BASE, "AZURA_CHILD_ORDINAL": "2"})
    assert (pod.token, pod.token_index) == ("c", 3)
    own = ChildConfig.from_env({**BASE, "AZURA_CHILD_TOKEN": "mine", "AZURA_CHILD_ORDINAL": "2"})
    assert (own.token, own.token_index) == ("mine", 0)
    with pytest.raises(ConfigError, match="child 4 has no token"):
        ChildConfig.from_env({**BASE, "AZURA_CHILD_ORDINAL": "3"})
    with pytest.raises(ConfigError, match="a child needs a token: set AZURA_CHILD_TOKEN, or AZURA_CHILD_TOKENS"):
        ChildConfig.from_env({"AZURA_CLUSTER_SECRET": "s"})
