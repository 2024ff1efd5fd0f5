"""A reference ``Platform`` on 127.0.0.1 in a background thread (its own event loop),
so the simulator's command (which runs its own loop) can be called as a user would."""
from __future__ import annotations

import pytest
from simulator_support import running_platform


@pytest.fixture
def platform_url():
    with running_platform() as (platform, url):
        yield platform, url
