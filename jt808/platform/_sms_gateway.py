"""The platform's SMS end on an SMS centre (``hal.modem_sim.InProcessSmsCentre`` or any
object with the same ``on_submit`` / ``inject``): a listener the ``Platform`` serves like
tcp or udp::

    listener = SmsCentreListener(centre, "+8610648990001")
    await platform.serve(listener)              # Platform.serve takes listener objects

Every complete message a modem submits to ``platform_number`` (the centre joins the
parts of a concatenated 8-bit SMS) is one datagram; the first from a sender number
opens a new ``SmsCentreTransport`` (one per sender, like udp's one per peer address),
handed out by ``accept()``. ``send`` injects the datagram from ``platform_number`` into
that sender's modem (the simulator splits one over 140 octets into concatenated parts).

The centre calls ``on_submit`` in the simulator's thread: messages go through a
thread-safe queue that ``accept()`` drains (a worker thread waits on it), so accepting
must go on for transports to receive, as ``Platform`` does. A previous ``on_submit``
is still called and is restored by ``aclose()``. Bounded: at most ``max_peers``
transports and ``max_queued`` datagrams waiting per transport (more are dropped and
counted in ``dropped``).
"""
from __future__ import annotations

import queue
from typing import Any, Callable, ClassVar

import anyio

from ..errors import TransportError
from ..transport import (MAX_SMS_DATAGRAM, ListenerIterationMixin, check_datagram,
                         number_matches)

__all__ = ["SmsCentreListener", "SmsCentreTransport"]

_POLL = 0.1          # s a worker thread waits on the queue before looking at cancellation


class SmsCentreTransport:
    """Datagrams to and from one sender number (a terminal's modem), bearer ``sms``."""

    kind: ClassVar[str] = "datagram"
    bearer: ClassVar[str] = "sms"
    max_datagram: int = MAX_SMS_DATAGRAM

    def __init__(self, listener: SmsCentreListener, number: str, max_queued: int) -> None:
        self._listener = listener
        self.remote_address = number
        self._send, self._receive = anyio.create_memory_object_stream[bytes](max_queued)
        self.datagrams_sent = 0
        self.dropped = 0
        self.closed = False

    def _deliver(self, datagram: bytes) -> None:
        try:
            self._send.send_nowait(datagram)
        except anyio.WouldBlock:
            self.dropped += 1
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            pass

    async def send(self, datagram: bytes) -> None:
        check_datagram(datagram, self.max_datagram)
        if self.closed:
            raise TransportError(f"sms to {self.remote_address}: transport closed")
        centre, own = self._listener.centre, self._listener.address
        try:
            await anyio.to_thread.run_sync(centre.inject, self.remote_address, own,
                                           bytes(datagram))
        except ValueError as exc:        # the centre knows no modem under that number
            raise TransportError(f"sms to {self.remote_address}: {exc}") from exc
        self.datagrams_sent += 1

    async def receive(self) -> bytes:
        try:
            return await self._receive.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            return b""

    async def aclose(self) -> None:
        if not self.closed:
            self.closed = True
            self._send.close()
            self._receive.close()
            self._listener._forget(self)

    def __repr__(self) -> str:
        return f"<SmsCentreTransport {self.remote_address}>"


class SmsCentreListener(ListenerIterationMixin):
    """Serves ``platform_number`` on ``centre``: one ``SmsCentreTransport`` per sender."""

    scheme: ClassVar[str] = "sms"

    def __init__(self, centre: Any, platform_number: str, *, max_peers: int = 1000,
                 max_queued: int = 64) -> None:
        self.centre = centre
        self.address = platform_number
        self.max_peers, self.max_queued = max_peers, max_queued
        self.peers: dict[str, SmsCentreTransport] = {}
        self.dropped = 0
        self._inbox: queue.Queue[tuple[str, bytes]] = queue.Queue(max_queued * 16)
        self._closed = False
        self._previous: Callable[[str, str, bytes], None] | None = centre.on_submit
        centre.on_submit = self._on_submit

    def _on_submit(self, sender: str, dest: str, data: bytes) -> None:
        """In the simulator's thread."""
        if self._previous is not None:
            self._previous(sender, dest, data)
        if not self._closed and data and number_matches(dest, self.address):
            try:
                self._inbox.put_nowait((sender, bytes(data)))
            except queue.Full:
                self.dropped += 1

    async def accept(self) -> SmsCentreTransport:
        while True:
            if self._closed:
                raise TransportError("sms listener closed") from anyio.ClosedResourceError()
            item = await anyio.to_thread.run_sync(self._next_submitted, abandon_on_cancel=True)
            if item is None:
                continue
            sender, data = item
            transport, new = self._route(sender)
            if transport is None:
                self.dropped += 1
                continue
            transport._deliver(data)
            if new:
                return transport

    def _next_submitted(self) -> tuple[str, bytes] | None:
        """In a worker thread: the next queued message, or None after ``_POLL`` s."""
        try:
            return self._inbox.get(timeout=_POLL)
        except queue.Empty:
            return None

    def _route(self, sender: str) -> tuple[SmsCentreTransport | None, bool]:
        transport = self.peers.get(sender)
        if transport is not None:
            return transport, False
        if len(self.peers) >= self.max_peers:
            return None, False
        transport = self.peers[sender] = SmsCentreTransport(self, sender, self.max_queued)
        return transport, True

    def _forget(self, transport: SmsCentreTransport) -> None:
        if self.peers.get(transport.remote_address) is transport:
            del self.peers[transport.remote_address]

    async def aclose(self) -> None:
        """Stop listening (accepted transports stay open) and give the centre back."""
        self._closed = True
        if self.centre.on_submit == self._on_submit:
            self.centre.on_submit = self._previous

    def __repr__(self) -> str:
        return f"<SmsCentreListener {self.address} peers={len(self.peers)}>"
