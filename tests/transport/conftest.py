"""Fixtures of the transport suite; the links themselves are in ``transport_links``."""
from __future__ import annotations

import pytest
from transport_links import LINKS, Link


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=list(LINKS))
def link(request: pytest.FixtureRequest) -> Link:
    """Each transport in turn, as ``Link(factory, frames, largest, window, sees_close)``."""
    return LINKS[request.param]
