"""``udp://host:port``: a connected UDP client, and a listener that splits one bound
socket into one datagram transport per peer address.

The socket is driven directly (non-blocking, ``anyio.wait_readable``) rather than
through ``anyio.create_udp_socket``, whose asyncio backend drops datagrams past an
internal queue of 100 and swallows ICMP errors: here a refused port shows up as a
``TransportError`` caused by ``ConnectionRefusedError`` on the next call.

The listener has no background task: whichever task needs a datagram reads the
socket and files what it reads under the sender's address, waking the others.
"""
from __future__ import annotations

import socket
from collections import deque
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import SplitResult

import anyio
from anyio.abc import AsyncResource

from ..errors import TransportError
from ._base import ListenerIterationMixin, check_datagram, translate_errors
from ._url import host_port, url_options

__all__ = ["UdpTransport", "UdpPeer", "UdpListener", "open_transport", "open_listener",
           "MAX_DATAGRAM"]

MAX_DATAGRAM = 65507          # the IPv4 UDP payload limit
#: Datagrams kept per accepted peer that nobody is reading; older ones are dropped.
PEER_QUEUE = 256
#: Peers that sent something but were not accepted yet; more new peers are dropped.
PENDING_PEERS = 64

Address = tuple[str, int]


class _DatagramSocket:
    """A non-blocking datagram socket awaited with anyio."""

    def __init__(self, family: int) -> None:
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.setblocking(False)

    async def receive_from(self) -> tuple[bytes, Address]:
        while True:
            try:
                data, address = self.sock.recvfrom(MAX_DATAGRAM + 1)
                return data, address[:2]
            except BlockingIOError:
                await anyio.wait_readable(self.sock)

    async def send_to(self, data: bytes, address: Address | None = None) -> None:
        while True:
            try:
                self.sock.send(data) if address is None else self.sock.sendto(data, address)
                return
            except BlockingIOError:
                await anyio.wait_writable(self.sock)

    def close(self) -> None:
        if self.sock.fileno() != -1:
            anyio.notify_closing(self.sock)
            self.sock.close()


async def _resolve(host: str, port: int) -> tuple[int, Address]:
    family, *_, address = (await anyio.getaddrinfo(host, port, type=socket.SOCK_DGRAM))[0]
    return family, address[:2]


class UdpTransport(AsyncResource):
    """A UDP socket connected to one ``remote_address``."""

    kind: ClassVar[str] = "datagram"
    max_datagram: int = MAX_DATAGRAM

    def __init__(self, dsock: _DatagramSocket, remote_address: Address) -> None:
        self._dsock = dsock
        self.remote_address = remote_address

    async def send(self, datagram: bytes) -> None:
        check_datagram(datagram, self.max_datagram)
        with translate_errors(f"udp send to {self.remote_address}"):
            await self._dsock.send_to(datagram)

    async def receive(self) -> bytes:
        with translate_errors(f"udp receive from {self.remote_address}"):
            while True:
                data, _ = await self._dsock.receive_from()
                if data:
                    return data

    async def aclose(self) -> None:
        self._dsock.close()
        await anyio.lowlevel.checkpoint()

    def __repr__(self) -> str:
        return f"<UdpTransport peer={self.remote_address}>"


class UdpPeer(AsyncResource):
    """The datagrams one peer address sends to a ``UdpListener``, and replies to it."""

    kind: ClassVar[str] = "datagram"
    max_datagram: int = MAX_DATAGRAM

    def __init__(self, listener: UdpListener, remote_address: Address) -> None:
        self._listener = listener
        self.remote_address = remote_address
        self.queue: deque[bytes] = deque(maxlen=PEER_QUEUE)
        self.closed = False

    async def send(self, datagram: bytes) -> None:
        check_datagram(datagram, self.max_datagram)
        if self.closed:
            raise TransportError(f"udp send to {self.remote_address}: transport is closed")
        with translate_errors(f"udp send to {self.remote_address}"):
            await self._listener.dsock.send_to(datagram, self.remote_address)

    async def receive(self) -> bytes:
        await self._listener.wait_until(lambda: bool(self.queue) or self.closed)
        if self.closed:
            raise TransportError(f"udp receive from {self.remote_address}: transport is closed")
        return self.queue.popleft()

    async def aclose(self) -> None:
        self.closed = True
        self._listener.forget(self)
        await anyio.lowlevel.checkpoint()

    def __repr__(self) -> str:
        return f"<UdpPeer peer={self.remote_address}>"


class UdpListener(AsyncResource, ListenerIterationMixin):
    """One bound UDP socket; ``accept()`` returns a ``UdpPeer`` per new sender address."""

    def __init__(self, dsock: _DatagramSocket) -> None:
        self.dsock = dsock
        self.address: Address = dsock.sock.getsockname()[:2]
        self._peers: dict[Address, UdpPeer] = {}
        self._new_peers: deque[UdpPeer] = deque()
        self._reading = False
        self._read_scope: anyio.CancelScope | None = None
        self._changed = anyio.Event()
        self.closed = False

    async def accept(self) -> UdpPeer:
        await self.wait_until(lambda: bool(self._new_peers))
        return self._new_peers.popleft()

    def forget(self, peer: UdpPeer) -> None:
        if self._peers.get(peer.remote_address) is peer:
            del self._peers[peer.remote_address]
        if self._read_scope is not None:
            self._read_scope.cancel()   # the reader may be the closed peer's task
        self._notify()

    def _notify(self) -> None:
        """Wake every task in ``wait_until`` to check its condition again."""
        self._changed.set()
        self._changed = anyio.Event()

    async def wait_until(self, ready: Callable[[], bool]) -> None:
        """Read and file datagrams (or wait for the task that does) until ``ready()``."""
        while not ready():
            if self.closed:
                raise TransportError(f"udp listener {self.address} is closed",
                                     ) from anyio.ClosedResourceError()
            if self._reading:
                await self._changed.wait()
                continue
            self._reading = True
            try:
                with anyio.CancelScope() as self._read_scope, \
                        translate_errors(f"udp receive on {self.address}"):
                    self._file(*await self.dsock.receive_from())
            finally:
                self._read_scope = None
                self._reading = False
                self._notify()

    def _file(self, data: bytes, address: Address) -> None:
        if not data:
            return
        peer = self._peers.get(address)
        if peer is None:
            if len(self._new_peers) >= PENDING_PEERS:
                return
            peer = self._peers[address] = UdpPeer(self, address)
            self._new_peers.append(peer)
        peer.queue.append(data)

    async def aclose(self) -> None:
        self.closed = True
        for peer in list(self._peers.values()):
            peer.closed = True
        self.dsock.close()
        self._notify()
        await anyio.lowlevel.checkpoint()


async def open_transport(url: SplitResult, **options: Any) -> UdpTransport:
    dsock, address = await _socket_at(url, options, "connect to", "connect")
    return UdpTransport(dsock, address)


async def open_listener(url: SplitResult, **options: Any) -> UdpListener:
    dsock, _ = await _socket_at(url, options, "listen on", "bind")
    return UdpListener(dsock)


async def _socket_at(url: SplitResult, options: dict[str, Any], what: str,
                     method: str) -> tuple[_DatagramSocket, Any]:
    """A datagram socket connected or bound (``method``) to the URL's address."""
    host, port = host_port(url)
    url_options(url, {}, options)
    with translate_errors(f"udp {what} {host}:{port}"):
        family, address = await _resolve(host, port)
        dsock = _DatagramSocket(family)
        try:
            getattr(dsock.sock, method)(address)
        except OSError:
            dsock.close()
            raise
    return dsock, address
