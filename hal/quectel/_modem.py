"""QuectelModem: PDP, sockets, SMS, info and GNSS commands on one ATChannel.

Formats follow quectel-at.md: §2-§4 TCP/IP (buffer access mode 0, fixed-length
QISEND, QIRD loops), §6 SMS (PDU mode, +CMTI, CMGR, CMGD), §7 info, §8 GNSS.
"""
from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Callable
from typing import Any

import anyio
import attrs

from ..errors import (AtProtocolError, ModemError, ModemTimeout, PduError,
                      SocketClosedError, SocketOpenError)
from ._at_parser import Urc
from ._channel import ATChannel, ATResult
from ._pdu import Reassembler, SmsDeliver, decode_deliver, encode_submit

__all__ = ["QuectelModem", "QuectelSocket", "QGpsLoc"]

MAX_SEND = 1460          # AT+QISEND=<id>,<len 1-1460> (§2)
MAX_READ = 1500          # AT+QIRD=<id>,<len 1-1500> (§2)
CONNECT_IDS = range(12)  # connectID 0-11 (§2)
_SEND_FAIL = "SEND FAIL"
_RESCAN = "rescan"       # SMS queue item: list the store (AT+CMGL=4) and read what is there


def _fields(text: str) -> list[str]:
    """'+QIURC: "recv",0,20' -> ['recv', '0', '20'] (quotes stripped)."""
    _, _, rest = text.partition(":")
    return [f.strip().strip('"') for f in rest.split(",")] if rest.strip() else []


def _line(result: ATResult, prefix: str) -> str:
    for line in result.lines:
        if line.startswith(prefix):
            return line[len(prefix):].strip()
    raise AtProtocolError(f"{result.command!r}: no {prefix!r} line in {list(result.lines)!r}")


def _ints(text: str, count: int, what: str) -> list[int]:
    try:
        values = [int(f) for f in text.split(",")[:count]]
    except ValueError:
        values = []
    if len(values) != count:
        raise AtProtocolError(f"{what}: cannot read {count} integers from {text!r}")
    return values


def _quoted_ok(value: str, field: str) -> str:
    if '"' in value or "\r" in value or "\n" in value:
        raise ValueError(f"{field}: {value!r} may not contain quotes or line breaks")
    return value


@attrs.frozen
class QGpsLoc:
    """One ``+QGPSLOC:`` fix in mode 2 (signed decimal degrees), §8."""

    utc: str            # hhmmss.s
    latitude: float
    longitude: float
    hdop: float
    altitude: float     # m
    fix: int            # 2 = 2D, 3 = 3D
    cog: float          # course over ground, degrees
    spkm: float         # km/h
    spkn: float         # knots
    date: str           # ddmmyy
    nsat: int

    @property
    def timestamp(self) -> _dt.datetime:
        """UTC date and time of the fix (JT808 wants GMT+8: convert at the caller)."""
        day, month, year = int(self.date[0:2]), int(self.date[2:4]), 2000 + int(self.date[4:6])
        seconds = float(self.utc[4:])
        base = _dt.datetime(year, month, day, int(self.utc[0:2]), int(self.utc[2:4]),
                            tzinfo=_dt.timezone.utc)
        return base + _dt.timedelta(seconds=seconds)

    @classmethod
    def parse(cls, text: str) -> QGpsLoc:
        """Parse the text after ``+QGPSLOC: `` (11 comma-separated fields)."""
        f = text.split(",")
        try:
            if len(f) != 11 or len(f[9]) != 6 or len(f[0]) < 6:
                raise ValueError("expected 11 fields")
            loc = cls(f[0], float(f[1]), float(f[2]), float(f[3]), float(f[4]), int(f[5]),
                      float(f[6]), float(f[7]), float(f[8]), f[9], int(f[10]))
            loc.timestamp  # noqa: B018  (validates date and time)
        except (ValueError, OverflowError) as exc:    # OverflowError: "inf" seconds
            raise AtProtocolError(f"bad +QGPSLOC fields {text!r}: {exc}") from None
        return loc


class QuectelSocket:
    """One TCP/UDP socket (connectID) in buffer access mode. Create with ``open_socket``."""

    def __init__(self, modem: QuectelModem, connect_id: int, kind: str, cid: int) -> None:
        self._modem = modem
        self.connect_id = connect_id
        self.kind = kind
        self.cid = cid
        self._readable = False          # a "recv" URC came and QIRD has not returned 0 since
        self._push: list[bytes] = []    # bytes from direct-push URCs, if the modem sends them
        self._peer_closed = False
        self._local_closed = False
        self._error: Exception | None = None
        self._wakeup = anyio.Event()

    @property
    def closed(self) -> bool:
        """True once closed by us, by the peer ("closed" URC) or by PDP loss."""
        return self._local_closed or self._peer_closed or self._error is not None

    def _wake(self) -> None:
        self._wakeup.set()
        self._wakeup = anyio.Event()

    def _on_recv(self, data: bytes | None) -> None:
        if data is None:
            self._readable = True
        else:
            self._push.append(data)
        self._wake()

    def _on_closed(self, error: Exception | None = None) -> None:
        self._peer_closed = True
        if error is not None and self._error is None:
            self._error = error
        self._wake()

    async def send(self, data: bytes) -> None:
        """Send all of ``data`` with fixed-length ``AT+QISEND=id,len`` (≤1460 a chunk).

        ``SEND FAIL`` (send buffer full) is retried ``send_retries`` times,
        ``send_retry_delay`` s apart, then raised as :class:`ModemError`.
        """
        view = memoryview(bytes(data))
        for start in range(0, len(view), MAX_SEND):
            await self._send_chunk(bytes(view[start:start + MAX_SEND]))

    async def _send_chunk(self, chunk: bytes) -> None:
        modem = self._modem
        for attempt in range(modem.send_retries + 1):
            self._check_open()
            try:
                await modem.channel.command(f"AT+QISEND={self.connect_id},{len(chunk)}",
                                            data=chunk, timeout=modem.send_timeout)
                return
            except ModemError as exc:
                if exc.final != _SEND_FAIL or attempt == modem.send_retries:
                    self._check_open()
                    raise
            await anyio.sleep(modem.send_retry_delay)

    def _check_open(self) -> None:
        if self._error is not None:
            raise SocketClosedError(f"socket {self.connect_id}: {self._error}")
        if self._local_closed or self._peer_closed:
            raise SocketClosedError(f"socket {self.connect_id} is closed")

    async def receive(self) -> bytes:
        """Next bytes received (at most 1500); ``b""`` at EOF after the peer closed.

        Waits for the ``+QIURC: "recv",id`` URC, then reads with
        ``AT+QIRD=id,1500`` until ``+QIRD: 0`` (over successive calls).
        Raises :class:`SocketClosedError` after PDP loss or a local close.
        """
        while True:
            if self._push:
                return self._push.pop(0)
            if self._local_closed:
                raise SocketClosedError(f"socket {self.connect_id} is closed")
            if self._readable or self._peer_closed:
                chunk = await self._read_once()
                if chunk:
                    return chunk
                if self._peer_closed:
                    if self._error is not None:
                        raise SocketClosedError(f"socket {self.connect_id}: {self._error}")
                    return b""
                continue
            await self._wakeup.wait()

    async def _read_once(self) -> bytes:
        self._readable = False          # a URC during the QIRD sets it again
        try:
            result = await self._modem.channel.command(
                f"AT+QIRD={self.connect_id},{MAX_READ}", timeout=self._modem.command_timeout)
        except ModemError:
            if self._peer_closed:
                return b""
            raise
        count = _ints(_line(result, "+QIRD:"), 1, "+QIRD")[0]
        data = result.data or b""
        if count != len(data):
            raise AtProtocolError(f"+QIRD: {count} announced, {len(data)} bytes read")
        if count:
            self._readable = True       # more may be buffered: read until +QIRD: 0
        return data

    async def aclose(self) -> None:
        """``AT+QICLOSE=id`` (also needed after a peer close before the id is reused)."""
        if self._local_closed:
            return
        self._local_closed = True
        self._wake()
        try:
            await self._modem.channel.command(f"AT+QICLOSE={self.connect_id}",
                                              timeout=self._modem.close_timeout)
        finally:
            self._modem._sockets.pop(self.connect_id, None)


class QuectelModem:
    """High-level Quectel driver on an :class:`ATChannel`.

    ``on_pdp_lost(cid)`` is called (from the reader task; must not block) when
    ``+QIURC: "pdpdeact",cid`` arrives; re-activation is the caller's job
    (:meth:`recover_pdp`). ``clock`` feeds the SMS reassembler's age limit.
    """

    def __init__(self, channel: ATChannel, *, urc_port: str | None = "usbat",
                 on_pdp_lost: Callable[[int], Any] | None = None,
                 sms_storage: str | None = "SM", clock: Callable[[], float] = time.monotonic,
                 reassembler: Reassembler | None = None) -> None:
        self.channel = channel
        self.urc_port = urc_port
        self.on_pdp_lost = on_pdp_lost
        self.sms_storage = sms_storage
        self.clock = clock
        self.reassembler = reassembler or Reassembler()
        self.command_timeout = 5.0
        self.send_timeout = 10.0
        self.send_retries = 3
        self.send_retry_delay = 0.5
        self.close_timeout = 11.0
        self.pdp_timeout = 150.0
        self.sms_timeout = 120.0
        self.bad_sms = 0                 # stored messages dropped as malformed
        self._sockets: dict[int, QuectelSocket] = {}
        self._opening: dict[int, tuple[anyio.Event, list[int]]] = {}
        self._sms_ref = 0
        self._sms_rescan = False         # a +CMTI was not queued: list the store again
        self._sms_send, self._sms_recv = anyio.create_memory_object_stream[Any](64)
        channel.on_urc("+QIURC:", self._on_qiurc)
        channel.on_urc("+QIOPEN:", self._on_qiopen)
        channel.on_urc("+CMTI:", self._on_cmti)
        channel.on_urc("+CMT:", self._on_cmt)
        channel.on_resync(self._after_resync)

    async def _cmd(self, cmd: str, timeout: float | None = None,
                   data: bytes | None = None) -> ATResult:
        return await self.channel.command(cmd, timeout=timeout or self.command_timeout,
                                          data=data)

    def _after_resync(self) -> None:
        """A garbled URC may have been lost: re-poll every socket and the SMS store."""
        for sock in list(self._sockets.values()):
            sock._on_recv(None)          # AT+QIRD answers +QIRD: 0 when nothing is there
        self._sms_rescan = True
        self._queue_sms(_RESCAN)

    # ------------------------------------------------------------------ setup

    async def init(self) -> None:
        """ATE0, AT+CMEE=1, AT+QISDE=0 and AT+QURCCFG="urcport" (unless ``urc_port`` is None)."""
        for cmd in ("ATE0", "AT+CMEE=1", "AT+QISDE=0"):
            await self._cmd(cmd)
        if self.urc_port:
            await self._cmd(f'AT+QURCCFG="urcport","{_quoted_ok(self.urc_port, "urc_port")}"')

    # ------------------------------------------------------------------ PDP

    async def _active_ip(self, cid: int) -> str | None:
        result = await self._cmd("AT+QIACT?")
        for line in result.lines:
            f = _fields(line)
            if line.startswith("+QIACT:") and f and f[0] == str(cid):
                return f[3] if len(f) > 3 else ""
        return None

    async def activate_pdp(self, cid: int = 1, apn: str = "", user: str = "",
                           password: str = "", auth: int = 0) -> str:
        """AT+QICSGP then AT+QIACT (≤150 s); an already-active context is fine. Returns the IP."""
        fields = [_quoted_ok(v, n) for v, n in ((apn, "apn"), (user, "user"), (password, "password"))]
        await self._cmd(f'AT+QICSGP={cid},1,"{fields[0]}","{fields[1]}","{fields[2]}",{auth}')
        ip = await self._active_ip(cid)
        if ip is not None:
            return ip
        try:
            await self._cmd(f"AT+QIACT={cid}", self.pdp_timeout)
        except ModemError:
            ip = await self._active_ip(cid)      # ERROR when it was already active (§2)
            if ip is None:
                raise
            return ip
        return await self._active_ip(cid) or ""

    async def deactivate_pdp(self, cid: int = 1) -> None:
        """AT+QIDEACT (≤40 s); every socket on ``cid`` is closed by the modem."""
        await self._cmd(f"AT+QIDEACT={cid}", 40.0)
        for sock in list(self._sockets.values()):
            if sock.cid == cid:
                sock._on_closed(SocketClosedError(f"PDP context {cid} deactivated"))

    async def recover_pdp(self, cid: int = 1) -> str:
        """After ``pdpdeact``: AT+QIDEACT (errors ignored) then AT+QIACT. Returns the IP."""
        try:
            await self.deactivate_pdp(cid)
        except ModemError:
            pass
        await self._cmd(f"AT+QIACT={cid}", self.pdp_timeout)
        return await self._active_ip(cid) or ""

    # ------------------------------------------------------------------ sockets

    async def open_socket(self, kind: str, host: str, port: int, *, cid: int = 1,
                          timeout: float = 150) -> QuectelSocket:
        """AT+QIOPEN in buffer mode on a free connectID, then wait for ``+QIOPEN: id,err``.

        ``err != 0`` raises :class:`SocketOpenError` (563 "identity used" is
        retried once after AT+QICLOSE); no URC in ``timeout`` s: ModemTimeout.
        """
        if kind not in ("TCP", "UDP"):
            raise ValueError(f"kind: {kind!r} is not 'TCP' or 'UDP'")
        if not 0 < port < 65536:
            raise ValueError(f"port: {port} out of range")
        _quoted_ok(host, "host")
        free = [i for i in CONNECT_IDS if i not in self._sockets and i not in self._opening]
        if not free:
            raise ModemError("no free connectID (all 12 in use)", command="AT+QIOPEN")
        connect_id = free[0]
        for attempt in range(2):
            err = await self._open_once(kind, host, port, cid, connect_id, timeout)
            if err == 0:
                sock = self._sockets[connect_id] = QuectelSocket(self, connect_id, kind, cid)
                return sock
            if err != 563 or attempt:
                raise SocketOpenError(connect_id, err, command="AT+QIOPEN")
            await self._cmd(f"AT+QICLOSE={connect_id}", self.close_timeout)
        raise AssertionError("unreachable")

    async def _open_once(self, kind: str, host: str, port: int, cid: int,
                         connect_id: int, timeout: float) -> int:
        waiter: tuple[anyio.Event, list[int]] = (anyio.Event(), [])
        self._opening[connect_id] = waiter
        try:
            await self._cmd(f'AT+QIOPEN={cid},{connect_id},"{kind}","{host}",{port},0,0')
            with anyio.move_on_after(timeout):
                await waiter[0].wait()
            if not waiter[1]:
                raise ModemTimeout(f"no +QIOPEN: {connect_id} URC in {timeout} s")
            return waiter[1][0]
        finally:
            self._opening.pop(connect_id, None)

    def _on_qiopen(self, urc: Urc) -> None:
        try:
            connect_id, err = _ints(urc.text.partition(":")[2].strip(), 2, "+QIOPEN")
        except AtProtocolError:
            return
        waiter = self._opening.get(connect_id)
        if waiter is not None and not waiter[1]:
            waiter[1].append(err)
            waiter[0].set()

    def _on_qiurc(self, urc: Urc) -> None:
        f = _fields(urc.text)
        if len(f) < 2 or not f[1].isdigit():
            return
        kind, number = f[0], int(f[1])
        if kind == "pdpdeact":
            self._on_pdpdeact(number)
            return
        sock = self._sockets.get(number)
        if sock is None:
            return
        if kind == "recv":
            sock._on_recv(urc.data)
        elif kind == "closed":
            sock._on_closed()

    def _on_pdpdeact(self, cid: int) -> None:
        for sock in list(self._sockets.values()):
            if sock.cid == cid:
                sock._on_closed(SocketClosedError(f"PDP context {cid} lost (pdpdeact)"))
        if self.on_pdp_lost is not None:
            self.on_pdp_lost(cid)

    # ------------------------------------------------------------------ SMS

    async def sms_init(self) -> None:
        """PDU mode, +CMTI indications (AT+CNMI=2,1,0,0,0), storage; queues stored messages."""
        await self._cmd("AT+CMGF=0")
        await self._cmd("AT+CNMI=2,1,0,0,0")
        if self.sms_storage:
            mem = _quoted_ok(self.sms_storage, "sms_storage")
            await self._cmd(f'AT+CPMS="{mem}","{mem}","{mem}"')
        await self._list_stored()

    async def _list_stored(self) -> None:
        """AT+CMGL=4: queue every stored message (read ones too: they were never deleted)."""
        self._sms_rescan = False
        listing = await self._cmd("AT+CMGL=4", self.sms_timeout)
        for line in listing.lines:
            if line.startswith("+CMGL:"):
                f = _fields(line)
                if f and f[0].isdigit():
                    self._queue_sms(int(f[0]))

    def _queue_sms(self, item: int | bytes | str) -> None:
        try:
            self._sms_send.send_nowait(item)
        except anyio.WouldBlock:
            self._sms_rescan = True     # stays stored on the SIM; listed once the queue drains

    def _on_cmti(self, urc: Urc) -> None:
        f = _fields(urc.text)
        if len(f) >= 2 and f[1].isdigit():
            self._queue_sms(int(f[1]))

    def _on_cmt(self, urc: Urc) -> None:
        if urc.data is not None:
            self._queue_sms(urc.data)

    def _next_ref(self) -> int:
        self._sms_ref = (self._sms_ref + 1) & 0xFF
        return self._sms_ref

    async def send_sms(self, number: str, data: bytes) -> list[int]:
        """Send ``data`` as 8-bit SMS (concatenated above 140 octets). Returns the TP-MRs."""
        refs = []
        for pdu, tpdu_len in encode_submit(number, data, ref=self._next_ref()):
            result = await self._cmd(f"AT+CMGS={tpdu_len}", self.sms_timeout,
                                     data=pdu.hex().upper().encode() + b"\x1a")
            refs.append(_ints(_line(result, "+CMGS:"), 1, "+CMGS")[0])
        return refs

    async def receive_sms(self) -> SmsDeliver:
        """Next whole (reassembled) SMS: waits for +CMTI, AT+CMGR, then AT+CMGD.

        Each stored part is deleted right after it is read, so a consumer that
        keeps calling this keeps the SIM store from filling. When an index could
        not be queued (queue full) or after a channel resync (a +CMTI may have
        been garbled), the store is listed again (AT+CMGL=4) once the queue drains.
        """
        while True:
            if self._sms_rescan and not self._sms_recv.statistics().current_buffer_used:
                await self._list_stored()
            item = await self._sms_recv.receive()
            if item == _RESCAN:
                continue                # the flag set with it triggers the listing
            part = await (self._read_stored(item) if isinstance(item, int)
                          else self._decode_hex(item))
            if part is None:
                continue
            whole = self.reassembler.feed(part, self.clock())
            if whole is not None:
                return whole

    async def _read_stored(self, index: int) -> SmsDeliver | None:
        try:
            result = await self._cmd(f"AT+CMGR={index}", self.sms_timeout)
        except ModemError:
            return None                 # e.g. already deleted (CMS 321)
        pdu_line = next((line for i, line in enumerate(result.lines)
                         if i and result.lines[i - 1].startswith("+CMGR:")), None)
        part = await self._decode_hex(pdu_line.encode() if pdu_line else b"")
        await self._cmd(f"AT+CMGD={index}")
        return part

    async def _decode_hex(self, hex_bytes: bytes) -> SmsDeliver | None:
        try:
            return decode_deliver(bytes.fromhex(hex_bytes.decode("latin-1")))
        except (ValueError, PduError):
            self.bad_sms += 1
            return None

    # ------------------------------------------------------------------ info (§7)

    async def _single(self, cmd: str, prefix: str = "") -> str:
        result = await self._cmd(cmd)
        if prefix:
            for line in result.lines:
                if line.startswith(prefix):
                    return line[len(prefix):].strip().strip('"')
        if not result.lines:
            raise AtProtocolError(f"{cmd!r}: empty reply")
        return result.lines[0].strip().strip('"')

    async def imei(self) -> str:
        """AT+GSN (a "+CGSN:" prefix is stripped)."""
        return (await self._single("AT+GSN", "+CGSN:"))

    async def iccid(self) -> str:
        """AT+QCCID (fallbacks AT+CCID, AT+ICCID); a trailing 'F' is stripped."""
        for cmd, prefix in (("AT+QCCID", "+QCCID:"), ("AT+CCID", "+CCID:"),
                            ("AT+ICCID", "+ICCID:")):
            try:
                value = await self._single(cmd, prefix)
            except ModemError:
                continue
            return value.rstrip("Ff")
        raise ModemError("ERROR", command="AT+QCCID/AT+CCID/AT+ICCID")

    async def imsi(self) -> str:
        """AT+CIMI."""
        return await self._single("AT+CIMI", "+CIMI:")

    async def signal(self) -> tuple[int, int]:
        """(rssi 0-31 or 99, ber 0-7 or 99) from AT+CSQ."""
        rssi, ber = _ints(_line(await self._cmd("AT+CSQ"), "+CSQ:"), 2, "+CSQ")
        return rssi, ber

    async def registration(self) -> tuple[int, int]:
        """(n, stat) from AT+CREG? (stat 1 home, 5 roaming)."""
        n, stat = _ints(_line(await self._cmd("AT+CREG?"), "+CREG:"), 2, "+CREG")
        return n, stat

    async def firmware(self) -> str:
        """AT+QGMR (full revision), falling back to AT+CGMR."""
        try:
            return await self._single("AT+QGMR", "+QGMR:")
        except ModemError:
            return await self._single("AT+CGMR", "+CGMR:")

    # ------------------------------------------------------------------ GNSS (§8)

    async def gnss_on(self) -> None:
        """AT+QGPS=1 (CME 504 "session is ongoing" counts as success)."""
        try:
            await self._cmd("AT+QGPS=1")
        except ModemError as exc:
            if exc.code != 504:
                raise

    async def gnss_off(self) -> None:
        """AT+QGPSEND (CME 505 "not active" counts as success)."""
        try:
            await self._cmd("AT+QGPSEND")
        except ModemError as exc:
            if exc.code != 505:
                raise

    async def gnss_location(self) -> QGpsLoc | None:
        """AT+QGPSLOC=2; ``None`` while there is no fix (CME 516)."""
        try:
            result = await self._cmd("AT+QGPSLOC=2")
        except ModemError as exc:
            if exc.code == 516:
                return None
            raise
        return QGpsLoc.parse(_line(result, "+QGPSLOC:"))
