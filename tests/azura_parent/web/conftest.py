"""Fixtures of the dashboard's end-to-end tests: one real cluster with its dashboard per test module."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

if "web_cluster" not in sys.modules:  # --import-mode=importlib: load the shared helper by file, once
    spec = importlib.util.spec_from_file_location("web_cluster", Path(__file__).with_name("web_cluster.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["web_cluster"] = module
    spec.loader.exec_module(module)

from web_cluster import WebCluster, start_web_cluster


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebCluster]:
    """A module may set ``WEB_CLUSTER = {"children": 0}`` for its own cluster."""
    options = getattr(request.module, "WEB_CLUSTER", {})
    cluster = await start_web_cluster(tmp_path_factory.mktemp("azura-web"), **options)
    try:
        yield cluster
    finally:
        await cluster.stop()
