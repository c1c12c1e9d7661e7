"""The supervisor on real subprocesses: output prefixed per process, backoff, and giving up on a parent that
keeps failing fast (exit 1) rather than restarting it for ever."""

from __future__ import annotations

import io
import os
import re
import sys

import pytest

from azura_cluster.supervisor import MAX_FAST_PARENT_FAILURES, Program, Supervisor

pytestmark = pytest.mark.asyncio

ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": os.pathsep.join(sys.path)}


async def test_a_parent_failing_fast_ends_the_cluster_with_1_and_a_crashing_child_is_restarted_meanwhile(
    caplog: pytest.LogCaptureFixture,
) -> None:
    output = io.BytesIO()
    parent = Program("parent", "azura_no_such_module", ENV, essential=True)  # python -m fails at once (exit 1)
    child = Program("child.1", "azura_no_such_module_either", ENV)
    supervisor = Supervisor([parent, child], output=output, stop_grace_s=5, stable_s=30, first_backoff_s=0.1)
    caplog.set_level("INFO", logger="azura_cluster.supervisor")
    assert await supervisor.run() == 1
    assert parent.starts == MAX_FAST_PARENT_FAILURES and child.starts >= 2
    lines = output.getvalue().decode().splitlines()
    assert any(re.fullmatch(r"parent  \| .*No module named azura_no_such_module", line) for line in lines), lines
    assert any(re.fullmatch(r"child\.1 \| .*No module named azura_no_such_module_either", line) for line in lines)
    delays = [float(d) for d in re.findall(r"parent exited with 1 after [\d.]+ s; restarting it in ([\d.]+) s",
                                           caplog.text)]
    assert delays == [0.1, 0.2, 0.4, 0.8]  # exponential, then it gives up instead of a fifth restart
    assert f"parent failed {MAX_FAST_PARENT_FAILURES} times in a row" in caplog.text
    assert parent.process is not None and child.process is not None
    assert parent.process.returncode is not None and child.process.returncode is not None
