"""A reference platform served from a blocking portal, for the simulator tests."""
from __future__ import annotations

import contextlib
from typing import Iterator

import anyio.from_thread

from jt808.platform import Platform


@contextlib.contextmanager
def running_platform(**options) -> Iterator[tuple[Platform, str]]:
    with anyio.from_thread.start_blocking_portal() as portal:
        platform = Platform(**options)
        with portal.wrap_async_context_manager(platform):
            portal.call(platform.serve, "tcp://127.0.0.1:0")
            yield platform, platform.url("tcp")
