"""``tcp://host:port``: a TCP byte stream (client) and a TCP listener (server side)."""
from __future__ import annotations

from typing import Any, ClassVar, cast
from urllib.parse import SplitResult

import anyio
from anyio.abc import AsyncResource, SocketAttribute, SocketListener, SocketStream

from ._base import LIBRARY_ERRORS, ListenerIterationMixin, check_max_bytes, translate_errors
from ._url import host_port, url_options

__all__ = ["TcpTransport", "TcpListener", "open_transport", "open_listener"]

_CLIENT_OPTIONS = {"connect_timeout": float}


class TcpTransport(AsyncResource):
    """A connected TCP socket; ``remote_address`` is ``(host, port)`` of the peer."""

    kind: ClassVar[str] = "stream"

    def __init__(self, stream: SocketStream) -> None:
        self._stream = stream
        address = stream.extra(SocketAttribute.remote_address)  # (host, port, ...) for TCP
        self.remote_address = cast("tuple[str, int]", address[:2])
        self._ended = False

    # send/receive are the per-message hot path of a platform holding thousands of links:
    # plain try/except (no context manager, no message string) unless something fails.
    async def send(self, data: bytes) -> None:
        if data:
            try:
                await self._stream.send(data)
            except LIBRARY_ERRORS:
                with translate_errors(f"tcp send to {self.remote_address}"):
                    raise

    async def receive(self, max_bytes: int = 65536) -> bytes:
        if max_bytes < 1:
            check_max_bytes(max_bytes)
        if self._ended:
            return b""
        try:
            return await self._stream.receive(max_bytes)
        except anyio.EndOfStream:
            self._ended = True
            return b""
        except LIBRARY_ERRORS:
            with translate_errors(f"tcp receive from {self.remote_address}"):
                raise

    async def aclose(self) -> None:
        await self._stream.aclose()

    def __repr__(self) -> str:
        return f"<TcpTransport peer={self.remote_address}>"


class TcpListener(AsyncResource, ListenerIterationMixin):
    """Accepts TCP peers; ``address`` is the bound ``(host, port)``."""

    def __init__(self, listener: SocketListener) -> None:
        self._listener = listener
        address = listener.extra(SocketAttribute.local_address)  # (host, port, ...) for TCP
        self.address = cast("tuple[str, int]", address[:2])

    async def accept(self) -> TcpTransport:
        with translate_errors(f"tcp accept on {self.address}"):
            return TcpTransport(await self._listener.accept())

    async def aclose(self) -> None:
        await self._listener.aclose()


async def open_transport(url: SplitResult, **options: Any) -> TcpTransport:
    host, port = host_port(url)
    timeout = url_options(url, _CLIENT_OPTIONS, options).get("connect_timeout")
    with translate_errors(f"tcp connect to {host}:{port}"):
        with anyio.fail_after(timeout):
            return TcpTransport(await anyio.connect_tcp(host, port))


async def open_listener(url: SplitResult, **options: Any) -> TcpListener:
    host, port = host_port(url)
    url_options(url, {}, options)
    with translate_errors(f"tcp listen on {host}:{port}"):
        multi = await anyio.create_tcp_listener(local_host=host, local_port=port)
    # create_tcp_listener gives one listener per address family; keep the first.
    first, *others = multi.listeners
    for other in others:
        await other.aclose()
    return TcpListener(cast(SocketListener, first))  # what create_tcp_listener makes
