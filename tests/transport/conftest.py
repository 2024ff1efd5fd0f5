"""Fixtures of the transport suite; the links themselves are in ``transport_links``."""
from __future__ import annotations

import pytest
from transport_links import LINKS, Link


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _names(**wanted: object) -> list[str]:
    return [name for name, link in LINKS.items()
            if all(getattr(link, key) == value for key, value in wanted.items())]


@pytest.fixture(params=list(LINKS))
def link(request: pytest.FixtureRequest) -> Link:
    """Every transport in turn."""
    return LINKS[request.param]


@pytest.fixture(params=_names(kind="stream"))
def stream_link(request: pytest.FixtureRequest) -> Link:
    return LINKS[request.param]


@pytest.fixture(params=_names(kind="datagram"))
def datagram_link(request: pytest.FixtureRequest) -> Link:
    return LINKS[request.param]


@pytest.fixture(params=_names(sees_close=True))
def closing_link(request: pytest.FixtureRequest) -> Link:
    """The transports on which a peer's close is visible (not UDP, not SMS)."""
    return LINKS[request.param]
