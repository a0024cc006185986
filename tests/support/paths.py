"""Where things are: the repository, the engine's fixture workflows, the shipped ones, the test database.

Plain paths and settings only: the root conftest imports them after it has set the environment that
flowengine reads when it is imported.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURE_WORKFLOWS = ROOT / "tests" / "fixtures" / "workflows"
SHIPPED_WORKFLOWS = ROOT / "workflows"
PG_URL = os.environ.get("FLOWENGINE_TEST_POSTGRES_URL")
