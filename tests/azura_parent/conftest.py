"""Fixtures for the end-to-end tests of the parent: one real cluster per test module."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio


def _load_helper(path: Path) -> None:
    """--import-mode=importlib puts no test folder on sys.path: load a shared helper by file, once."""
    if path.stem not in sys.modules:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module
        spec.loader.exec_module(module)


_load_helper(Path(__file__).with_name("e2e_cluster.py"))
_load_helper(Path(__file__).parent / "commands" / "command_fakes.py")

from e2e_cluster import Cluster, start_cluster  # noqa: E402


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Cluster]:
    """A module may set ``CLUSTER_OPTIONS = {"speed": 2.0, "idle_timeout_s": 1}`` for its own cluster."""
    options = getattr(request.module, "CLUSTER_OPTIONS", {})
    c = await start_cluster(tmp_path_factory.mktemp("azura-e2e"), **options)
    try:
        yield c
    finally:
        await c.stop()


@pytest_asyncio.fixture(loop_scope="module")
async def c(cluster: Cluster) -> AsyncIterator[Cluster]:
    """The module's cluster, cleaned up after the test."""
    try:
        yield cluster
    finally:
        await cluster.cleanup()


@pytest_asyncio.fixture(loop_scope="function")
async def fresh(tmp_path: Path) -> AsyncIterator[Cluster]:
    """A cluster of the test's own, in real time: for fault tests that kill and restart its processes."""
    c = await start_cluster(tmp_path, speed=1.0)
    try:
        yield c
    finally:
        await c.stop()
