"""The deploy tests share one reader of the platform files (platform_files.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path


def _load_helper(path: Path) -> None:
    """--import-mode=importlib puts no test folder on sys.path: load a shared helper by file, once."""
    if path.stem not in sys.modules:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module
        spec.loader.exec_module(module)


_load_helper(Path(__file__).with_name("platform_files.py"))
