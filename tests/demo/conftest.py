from __future__ import annotations

import pytest

from hiremebahamas.config import Settings
from hiremebahamas.demo.loader import LoadResult, load_demo_data
from hiremebahamas.demo.sizes import PRESETS


@pytest.fixture
async def tiny(settings: Settings, runtime: object) -> LoadResult:
    """The tiny preset loaded into the test database (emptied afterwards by `runtime`)."""
    return await load_demo_data(settings, PRESETS["tiny"], seed=7)
