"""The one-dyno cluster's restart policy and what it gives each process (pure parts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from azura_child.config import ChildConfig
from azura_cluster.__main__ import main, programs
from azura_cluster.backoff import Backoff
from azura_cluster.config import ClusterConfig, ConfigError

ENV = {"AZURA_PARENT_TOKEN": "p", "AZURA_CHILD_TOKENS": "a,b,c", "AZURA_CLUSTER_SECRET": "s",
       "DYNO": "worker.1", "AZURA_CHILD_TOKEN": "one-for-all", "LAVALINK_URI": "http://lavalink:2333",
       "AZURA_CLUSTER_BOTS_PER_CHILD": "1"}


def test_backoff_doubles_on_fast_failures_and_resets_after_a_stable_run() -> None:
    backoff = Backoff(first_s=1.0, factor=2.0, max_s=5.0, stable_s=30.0)
    assert [backoff.after_exit(0.5) for _ in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert backoff.fast_failures == 5
    assert backoff.after_exit(31.0) == 1.0 and backoff.fast_failures == 0  # it had been up a while
    assert backoff.after_exit(2.0) == 1.0 and backoff.fast_failures == 1


def test_each_child_gets_its_own_index_and_socket_and_the_parent_gets_them_all(tmp_path: Path) -> None:
    config = ClusterConfig.from_env({**ENV, "AZURA_CHILD_COUNT": "3"})
    parent, *kids = programs(config, ENV, tmp_path)
    assert (parent.name, parent.essential) == ("parent", True)
    assert parent.env["AZURA_CHILDREN"] == ",".join(f"unix:{tmp_path}/child-{i}.sock" for i in (1, 2, 3))
    for i, kid in enumerate(kids, start=1):
        assert kid.name == f"child.{i}" and kid.module == "azura_child" and not kid.essential
        assert kid.env["AZURA_CHILD_INDEX"] == str(i)
        assert kid.env["AZURA_BIND_HOST"] == f"unix:{tmp_path}/child-{i}.sock"
        # Heroku's DYNO=worker.1 would give every child index 1, a single AZURA_CHILD_TOKEN one bot for all.
        assert "DYNO" not in kid.env and "AZURA_CHILD_TOKEN" not in kid.env
        assert kid.env["LAVALINK_URI"] == "http://lavalink:2333"


def test_child_bots_run_several_to_a_process_each_process_its_slice_of_the_tokens(tmp_path: Path) -> None:
    env = {**ENV, "AZURA_CHILD_TOKENS": "a,b,c,d,e,f,spare", "AZURA_CHILD_COUNT": "6", "AZURA_CHILD_BOTS": "9"}
    del env["AZURA_CLUSTER_BOTS_PER_CHILD"]  # the default: 4 bots to a process
    config = ClusterConfig.from_env(env)
    parent, *kids = programs(config, env, tmp_path)
    assert (config.bots_per_child, config.processes) == (4, 2)  # ceil(6 / 4): a crash takes at most 4 bots
    assert parent.env["AZURA_CHILDREN"] == f"unix:{tmp_path}/child-1.sock,unix:{tmp_path}/child-2.sock"
    children = [ChildConfig.from_env({**kid.env, "AZURA_CLUSTER_SECRET": "s"}) for kid in kids]
    # child.1 runs tokens 1-4, child.2 the two left (never the spare token beyond AZURA_CHILD_COUNT).
    assert [[c.bot_token(slot)[0] for slot in range(1, c.bots + 1)] for c in children] == [
        ["a", "b", "c", "d"], ["e", "f"]]
    assert [[c.bot_token(slot)[1] for slot in range(1, c.bots + 1)] for c in children] == [[1, 2, 3, 4], [5, 6]]
    with pytest.raises(ConfigError, match="AZURA_CLUSTER_BOTS_PER_CHILD must be a whole number from 1"):
        ClusterConfig.from_env({**ENV, "AZURA_CLUSTER_BOTS_PER_CHILD": "0"})


def test_a_cluster_with_too_few_tokens_or_no_parent_token_says_so() -> None:
    assert ClusterConfig.from_env(ENV).children == 2  # the default
    with pytest.raises(ConfigError, match=r"AZURA_CHILD_TOKENS has 3 token\(s\) for AZURA_CHILD_COUNT=4"):
        ClusterConfig.from_env({**ENV, "AZURA_CHILD_COUNT": "4"})
    with pytest.raises(ConfigError, match="AZURA_CHILD_COUNT must be a number"):
        ClusterConfig.from_env({**ENV, "AZURA_CHILD_COUNT": "two"})
    with pytest.raises(ConfigError, match="AZURA_PARENT_TOKEN is required"):
        ClusterConfig.from_env({**ENV, "AZURA_PARENT_TOKEN": ""})
    with pytest.raises(ConfigError, match="too long for a Unix socket path"):
        ClusterConfig.from_env({**ENV, "AZURA_CLUSTER_RUN_DIR": "/" + "d" * 120})


def test_help_lists_what_the_cluster_reads(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--help"])
    assert stopped.value.code == 0
    text = capsys.readouterr().out
    for variable in ("AZURA_CHILD_COUNT", "AZURA_CHILD_TOKENS", "AZURA_PARENT_TOKEN", "AZURA_CLUSTER_SECRET",
                     "AZURA_CLUSTER_RUN_DIR", "AZURA_CLUSTER_STOP_GRACE_S", "AZURA_CLUSTER_STABLE_S",
                     "AZURA_CLUSTER_BOTS_PER_CHILD"):
        assert variable in text
    assert "heroku ps:scale worker=1" in text
