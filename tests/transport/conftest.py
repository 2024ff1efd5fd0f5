"""Links for the transport suite: each one yields ``(near, far)``, two connected
transports of one kind, built from real parts (loopback sockets, ptys, the modem
simulator) where the transport has them."""
from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from jt808.transport import memory_pair, open_listener, open_transport

_names = itertools.count()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@contextlib.asynccontextmanager
async def memory_link() -> AsyncIterator[tuple[Any, Any]]:
    """The URL rendezvous: the first opener and the second opener are joined."""
    name = f"suite-{next(_names)}"
    near = await open_transport(f"memory://{name}")
    far = await open_transport(f"memory://{name}")
    async with near, far:
        yield near, far


@contextlib.asynccontextmanager
async def memory_datagram_link() -> AsyncIterator[tuple[Any, Any]]:
    near, far = memory_pair(f"suite-{next(_names)}", kind="datagram")
    async with near, far:
        yield near, far


@contextlib.asynccontextmanager
async def tcp_link() -> AsyncIterator[tuple[Any, Any]]:
    async with await open_listener("tcp://127.0.0.1:0") as listener:
        host, port = listener.address
        near = await open_transport(f"tcp://{host}:{port}")
        far = await listener.accept()
        async with near, far:
            yield near, far


async def udp_accept(listener: Any, near: Any) -> Any:
    """A UDP listener learns of a peer from its first datagram: send one and eat it."""
    await near.send(b"hello")
    far = await listener.accept()
    assert await far.receive() == b"hello"
    return far


@contextlib.asynccontextmanager
async def udp_link() -> AsyncIterator[tuple[Any, Any]]:
    async with await open_listener("udp://127.0.0.1:0") as listener:
        host, port = listener.address
        near = await open_transport(f"udp://{host}:{port}")
        far = await udp_accept(listener, near)
        async with near, far:
            yield near, far


#: name -> (link factory, frames to move each way, largest frame)
LINKS: dict[str, tuple[Callable[[], Any], int, int]] = {
    "memory": (memory_link, 2000, 1000),
    "memory-datagram": (memory_datagram_link, 1000, 1000),
    "tcp": (tcp_link, 2000, 1000),
    "udp": (udp_link, 1000, 1000),
}


@pytest.fixture(params=sorted(LINKS))
def link(request: pytest.FixtureRequest) -> tuple[Callable[[], Any], int, int]:
    return LINKS[request.param]
