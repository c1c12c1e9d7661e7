"""The deploy tests share one reader of the platform files (platform_files.py): --import-mode=importlib puts no
test folder on sys.path, so this one goes there."""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))
