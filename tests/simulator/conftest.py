"""A reference ``Platform`` on 127.0.0.1 in a background thread (its own event loop),
so the simulator's command (which runs its own loop) can be called as a user would."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import anyio.from_thread
import pytest

from jt808.platform import Platform


@contextlib.contextmanager
def running_platform(**options) -> Iterator[tuple[Platform, str]]:
    with anyio.from_thread.start_blocking_portal() as portal:
        platform = Platform(**options)
        with portal.wrap_async_context_manager(platform):
            portal.call(platform.serve, "tcp://127.0.0.1:0")
            yield platform, platform.url("tcp")


@pytest.fixture
def platform_url():
    with running_platform() as (platform, url):
        yield platform, url
