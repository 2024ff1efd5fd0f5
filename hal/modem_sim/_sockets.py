"""Socket slots 0-11 behind ``AT+QIOPEN``: real TCP/UDP sockets on the host.

A slot walks the Quectel states (0 initial, 1 opening, 2 connected,
4 closing).  Received bytes are either buffered for ``AT+QIRD`` (access mode 0,
one ``+QIURC: "recv",id`` until a read comes back empty) or pushed at once
(access mode 1, ``+QIURC: "recv",id,len\\r\\n<data>``).
"""
from __future__ import annotations

import collections
import errno
import selectors
import socket
from typing import Callable, Protocol

__all__ = ["SocketSlot", "SocketTable", "Loop", "MAX_SOCKETS", "QIRD_MAX", "QISEND_MAX"]

MAX_SOCKETS = 12
QIRD_MAX = 1500
QISEND_MAX = 1460
RX_LIMIT = 1 << 20          # buffered bytes per slot before we stop reading the socket

STATE_INITIAL, STATE_OPENING, STATE_CONNECTED, STATE_LISTENING, STATE_CLOSING = range(5)

ERR_IN_USE = 563
ERR_DNS = 565
ERR_CONNECT = 566
ERR_UNSUPPORTED = 555
ERR_BIND = 556
ERR_PDP = 561            # (unverified) open while the context is not active


class Loop(Protocol):
    """What the socket table needs from the simulator's event loop."""

    def register(self, sock: socket.socket, events: int, callback: Callable[[int], None]) -> None: ...
    def unregister(self, sock: socket.socket) -> None: ...
    def call_later(self, delay: float, fn: Callable[[], None]) -> object: ...
    def cancel(self, timer: object) -> None: ...
    def urc(self, text: str, raw: bytes = b"") -> None: ...


class SocketSlot:
    """One connectID: its real socket, state and receive buffer."""

    def __init__(self, conn_id: int, cid: int, kind: str, host: str, rport: int,
                 lport: int, mode: int) -> None:
        self.conn_id = conn_id
        self.cid = cid
        self.kind = kind                  # "TCP" | "UDP" | "UDP SERVICE"
        self.host = host
        self.rport = rport
        self.lport = lport
        self.mode = mode                  # 0 buffer, 1 direct push
        self.state = STATE_OPENING
        self.sock: socket.socket | None = None
        self.rx: collections.deque[tuple[bytes, tuple[str, int] | None]] = collections.deque()
        self.rx_bytes = 0
        self.urc_sent = False
        self.total_sent = 0
        self.total_received = 0
        self.total_read = 0
        self.timer: object | None = None

    @property
    def is_datagram(self) -> bool:
        return self.kind != "TCP"

    def state_line(self, port_name: str) -> str:
        return (f'+QISTATE: {self.conn_id},"{self.kind}","{self.host}",{self.rport},'
                f'{self.lport},{self.state},{self.cid},0,{self.mode},"{port_name}"')


class SocketTable:
    """The twelve slots and everything that moves bytes through them."""

    def __init__(self, loop: Loop, *, resolve: Callable[[str, int], tuple[str, int]],
                 connect_timeout: float = 10.0) -> None:
        self._loop = loop
        self._resolve = resolve
        self.connect_timeout = connect_timeout
        self.slots: dict[int, SocketSlot] = {}
        self.open_delay = 0.0
        self.last_error = 0

    # -- open ---------------------------------------------------------------
    def open(self, slot: SocketSlot, fail_code: int | None = None) -> None:
        """Start opening ``slot``; ``+QIOPEN: id,err`` follows asynchronously."""
        if slot.conn_id in self.slots:
            self._loop.call_later(self.open_delay, lambda: self._opened(slot.conn_id, ERR_IN_USE))
            return
        self.slots[slot.conn_id] = slot
        if fail_code is not None:
            self._loop.call_later(self.open_delay, lambda: self._fail(slot, fail_code))
            return
        self._loop.call_later(self.open_delay, lambda: self._start(slot))

    def _start(self, slot: SocketSlot) -> None:
        if self.slots.get(slot.conn_id) is not slot:
            return
        try:
            addr = self._resolve(slot.host, slot.rport)
        except OSError:
            self._fail(slot, ERR_DNS)
            return
        family = socket.AF_INET6 if ":" in addr[0] else socket.AF_INET
        stype = socket.SOCK_STREAM if slot.kind == "TCP" else socket.SOCK_DGRAM
        sock = socket.socket(family, stype)
        sock.setblocking(False)
        slot.sock = sock
        try:
            if slot.lport or slot.kind == "UDP SERVICE":
                sock.bind(("", slot.lport))
        except OSError:
            self._fail(slot, ERR_BIND)
            return
        slot.lport = sock.getsockname()[1] if slot.kind != "TCP" else slot.lport
        if slot.kind == "UDP SERVICE":
            self._connected(slot)
            return
        err = sock.connect_ex(addr)
        if slot.kind == "UDP" or err == 0:
            self._connected(slot) if err == 0 else self._fail(slot, ERR_CONNECT)
        elif err in (errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN):
            self._loop.register(sock, selectors.EVENT_WRITE, lambda ev: self._connect_done(slot))
            slot.timer = self._loop.call_later(self.connect_timeout, lambda: self._fail(slot, ERR_CONNECT))
        else:
            self._fail(slot, ERR_CONNECT)

    def _connect_done(self, slot: SocketSlot) -> None:
        assert slot.sock is not None
        self._loop.unregister(slot.sock)
        err = slot.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if err:
            self._fail(slot, ERR_CONNECT)
        else:
            self._connected(slot)

    def _connected(self, slot: SocketSlot) -> None:
        assert slot.sock is not None
        self._cancel_timer(slot)
        slot.state = STATE_CONNECTED
        if slot.kind == "TCP":
            slot.lport = slot.sock.getsockname()[1]
        self._watch(slot)
        self._opened(slot.conn_id, 0)

    def _fail(self, slot: SocketSlot, code: int) -> None:
        if self.slots.get(slot.conn_id) is slot:
            self._drop(slot)
            del self.slots[slot.conn_id]
        self._opened(slot.conn_id, code)

    def _opened(self, conn_id: int, code: int) -> None:
        if code:
            self.last_error = code
        self._loop.urc(f"+QIOPEN: {conn_id},{code}")

    # -- receive ------------------------------------------------------------
    def _watch(self, slot: SocketSlot) -> None:
        assert slot.sock is not None
        self._loop.register(slot.sock, selectors.EVENT_READ, lambda ev: self._readable(slot))

    def _readable(self, slot: SocketSlot) -> None:
        assert slot.sock is not None
        try:
            data, peer = slot.sock.recvfrom(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            if slot.is_datagram:
                return          # ICMP port unreachable and the like: a datagram just got lost
            data, peer = b"", None
        if not data and not slot.is_datagram:
            self.peer_closed(slot.conn_id)
            return
        self._received(slot, data, peer if slot.kind == "UDP SERVICE" else None)

    def _received(self, slot: SocketSlot, data: bytes, peer: tuple[str, int] | None) -> None:
        slot.total_received += len(data)
        if slot.mode == 1:
            self._push(slot, data, peer)
            return
        slot.rx.append((data, peer))
        slot.rx_bytes += len(data)
        if slot.rx_bytes >= RX_LIMIT and slot.sock is not None:
            self._loop.unregister(slot.sock)
        if not slot.urc_sent:
            slot.urc_sent = True
            self._loop.urc(f'+QIURC: "recv",{slot.conn_id}')

    def _push(self, slot: SocketSlot, data: bytes, peer: tuple[str, int] | None) -> None:
        step = QIRD_MAX if slot.is_datagram is False else max(len(data), 1)
        for i in range(0, len(data), step):
            chunk = data[i:i + step]
            where = f',"{peer[0]}",{peer[1]}' if peer else ""
            self._loop.urc(f'+QIURC: "recv",{slot.conn_id},{len(chunk)}{where}', chunk)
            slot.total_read += len(chunk)

    def read(self, conn_id: int, limit: int) -> tuple[bytes, tuple[str, int] | None]:
        """Take up to ``limit`` buffered bytes (one datagram at most on UDP)."""
        slot = self.slots[conn_id]
        if not slot.rx:
            slot.urc_sent = False
            return b"", None
        out = bytearray()
        peer = slot.rx[0][1]
        while slot.rx and len(out) < limit:
            data, src = slot.rx.popleft()
            take = data[:limit - len(out)]
            out += take
            if len(take) < len(data):
                slot.rx.appendleft((data[len(take):], src))
            if slot.is_datagram:
                break
        slot.rx_bytes -= len(out)
        slot.total_read += len(out)
        if slot.sock is not None and slot.state == STATE_CONNECTED and slot.rx_bytes < RX_LIMIT:
            self._watch(slot)
        return bytes(out), peer

    # -- send ---------------------------------------------------------------
    def send(self, conn_id: int, data: bytes, dest: tuple[str, int] | None = None) -> bool:
        slot = self.slots.get(conn_id)
        if slot is None or slot.sock is None or slot.state != STATE_CONNECTED:
            return False
        try:
            if dest is not None:
                slot.sock.sendto(data, self._resolve(*dest))
            else:
                n = slot.sock.send(data)
                if n != len(data):
                    return False       # send buffer full: the modem answers SEND FAIL
        except OSError:
            return slot.is_datagram    # a lost datagram still counts as sent
        slot.total_sent += len(data)
        return True

    # -- close --------------------------------------------------------------
    def peer_closed(self, conn_id: int) -> bool:
        """The remote side (or a fault) closed the socket: state 4, ``"closed"`` URC."""
        slot = self.slots.get(conn_id)
        if slot is None or slot.state != STATE_CONNECTED:
            return False
        self._drop(slot)
        slot.state = STATE_CLOSING
        self._loop.urc(f'+QIURC: "closed",{conn_id}')
        return True

    def close(self, conn_id: int) -> None:
        slot = self.slots.pop(conn_id, None)
        if slot is not None:
            self._drop(slot)

    def kill_context(self, cid: int, *, free: bool) -> None:
        """PDP context gone: its sockets die (freed on QIDEACT, state 4 on a network drop)."""
        for conn_id, slot in list(self.slots.items()):
            if slot.cid != cid:
                continue
            self._drop(slot)
            if free:
                del self.slots[conn_id]
            else:
                slot.state = STATE_CLOSING

    def close_all(self) -> None:
        for conn_id in list(self.slots):
            self.close(conn_id)

    def _drop(self, slot: SocketSlot) -> None:
        self._cancel_timer(slot)
        if slot.sock is not None:
            self._loop.unregister(slot.sock)
            slot.sock.close()
            slot.sock = None

    def _cancel_timer(self, slot: SocketSlot) -> None:
        if slot.timer is not None:
            self._loop.cancel(slot.timer)
            slot.timer = None
