"""The simulated EC25: a selectors loop over two ptys and the real sockets."""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import heapq
import itertools
import queue
import selectors
import socket
import threading
import time
from typing import Any, Callable, Mapping

import attrs

from ._at import AtError, DataMode, Reply
from ._commands import error_reply, execute_line
from ._faults import Faults, garble
from ._gnss import Gnss, Position, PositionSource, gga, rmc
from ._pty import PtyPort
from ._sms import InProcessSmsCentre, SmsCentre, StoredSms, deliver_pdus
from ._sockets import SocketTable
from ._state import ModemConfig, PdpContext, SmsState

__all__ = ["ModemSimulator", "ModemConfig"]

LINE_LIMIT = 4096
BOOT_URCS = ("+CPIN: READY", "+QUSIM: 1", "+QIND: SMS DONE", "+QIND: PB DONE")


class _Timer:
    __slots__ = ("when", "seq", "fn", "alive")

    def __init__(self, when: float, seq: int, fn: Callable[[], None]) -> None:
        self.when, self.seq, self.fn, self.alive = when, seq, fn, True

    def __lt__(self, other: "_Timer") -> bool:
        return (self.when, self.seq) < (other.when, other.seq)


class ModemSimulator:
    """A Quectel EC25 on a pty (AT port) plus a pty streaming NMEA.

    Use as ``with ModemSimulator() as sim:`` and open ``sim.at_port`` /
    ``sim.nmea_port`` with pyserial. Every public method is thread-safe: it
    runs inside the simulator's loop thread and returns when done.
    """

    def __init__(self, *, config: ModemConfig | None = None,
                 position: PositionSource = Position(40.90340, 111.78228, 1125.0),
                 time_to_fix: float = 1.0, gnss_on: bool = False,
                 sms_centre: SmsCentre | None = None,
                 address_map: Mapping[Any, Any] | None = None,
                 connect_timeout: float = 10.0, open_delay: float = 0.0,
                 nmea_interval: float = 1.0, nmea_talker: str = "GP",
                 echo: bool = True, cmee: int = 1, qisde: bool = True,
                 boot_urcs: bool = False, boot_delay: float = 0.0,
                 **config_fields: Any) -> None:
        self.config = attrs.evolve(config or ModemConfig(), **config_fields)
        self.echo, self.cmee, self.qisde = echo, cmee, qisde
        self.urc_port = self.config.port_name
        self.reg_n: dict[str, int] = {}
        self.pdp: dict[int, PdpContext] = {}
        self.faults = Faults()
        self.gnss = Gnss(position, time_to_fix=time_to_fix)
        self.sms = SmsState()
        self.sms_centre: SmsCentre = sms_centre if sms_centre is not None else InProcessSmsCentre()
        self._address_map = dict(address_map or {})
        self.sockets = SocketTable(self, resolve=self._resolve, connect_timeout=connect_timeout)
        self.sockets.open_delay = open_delay
        self._nmea_interval, self._nmea_talker = nmea_interval, nmea_talker
        self._gnss_on, self._boot_urcs, self._boot_delay = gnss_on, boot_urcs, boot_delay
        self._sel = selectors.DefaultSelector()
        self._timers: list[_Timer] = []
        self._seq = itertools.count()
        self._posted: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._inbuf = bytearray()
        self._line = bytearray()
        self._data_mode: DataMode | None = None
        self._data = bytearray()
        self._busy = False
        self._held_urcs: list[bytes] = []
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._started_at = time.monotonic()
        self.at = PtyPort()
        self.nmea = PtyPort(max_pending=1 << 16, drop_oldest=True)

    # -- lifecycle ----------------------------------------------------------
    @property
    def at_port(self) -> str:
        return self.at.path

    @property
    def nmea_port(self) -> str:
        return self.nmea.path

    def start(self) -> "ModemSimulator":
        if self._thread is not None:
            return self
        self._started_at = time.monotonic()
        self._sel.register(self._wake_r, selectors.EVENT_READ, self._drain_wake)
        self._sel.register(self.at, selectors.EVENT_READ, self._at_event)
        self._sel.register(self.nmea, selectors.EVENT_READ, self._nmea_event)
        self.sms_centre.attach(self.config.number, self.receive_sms)
        if self._gnss_on:
            self.gnss.start(self.now())
        if self._boot_urcs:       # pyserial flushes input on open: delay them past it
            self.call_later(self._boot_delay, self._boot_urcs_now)
        self.call_later(self._nmea_interval, self._nmea_tick)
        self._thread = threading.Thread(target=self._run, name="modem-sim", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._stopping:
            return
        self._stopping = True
        self._wake()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)
        self.sms_centre.detach(self.config.number)
        self.sockets.close_all()
        self.at.close()
        self.nmea.close()
        self._sel.close()
        self._wake_r.close()
        self._wake_w.close()

    def __enter__(self) -> "ModemSimulator":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def now(self) -> float:
        return time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self._started_at

    # -- the loop (also the socket table's Loop interface) --------------------
    def register(self, sock: socket.socket, events: int, callback: Callable[[int], None]) -> None:
        try:
            self._sel.register(sock, events, callback)
        except KeyError:
            self._sel.modify(sock, events, callback)

    def unregister(self, sock: socket.socket) -> None:
        try:
            self._sel.unregister(sock)
        except (KeyError, ValueError):
            pass

    def _boot_urcs_now(self) -> None:
        for text in BOOT_URCS:
            self.urc(text)

    def call_later(self, delay: float, fn: Callable[[], None]) -> _Timer:
        timer = _Timer(time.monotonic() + delay, next(self._seq), fn)
        heapq.heappush(self._timers, timer)
        return timer

    def cancel(self, timer: object) -> None:
        assert isinstance(timer, _Timer)
        timer.alive = False

    def _run(self) -> None:
        while not self._stopping:
            self._set_write_interest()
            timeout = 0.5
            if self._timers:
                timeout = min(timeout, max(0.0, self._timers[0].when - time.monotonic()))
            for key, mask in self._sel.select(timeout):
                if self._stopping:
                    return
                key.data(mask)
            self._run_timers()

    def _run_timers(self) -> None:
        now = time.monotonic()
        while self._timers and self._timers[0].when <= now:
            timer = heapq.heappop(self._timers)
            if timer.alive:
                timer.fn()

    def _set_write_interest(self) -> None:
        for port, callback in ((self.at, self._at_event), (self.nmea, self._nmea_event)):
            events = selectors.EVENT_READ | (selectors.EVENT_WRITE if port.has_pending else 0)
            if self._sel.get_key(port).events != events:
                self._sel.modify(port, events, callback)

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"\0")
        except OSError:
            pass

    def _drain_wake(self, mask: int) -> None:
        try:
            self._wake_r.recv(4096)
        except OSError:
            pass
        while True:
            try:
                fn = self._posted.get_nowait()
            except queue.Empty:
                return
            fn()

    def post(self, fn: Callable[[], None]) -> None:
        """Queue ``fn`` to run in the loop thread; do not wait for it."""
        if self._thread is None or self._stopping:
            fn()
            return
        self._posted.put(fn)
        self._wake()

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` in the loop thread and return its result (or raise its error)."""
        if self._thread is None or self._thread is threading.current_thread() or self._stopping:
            return fn()
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def job() -> None:
            try:
                future.set_result(fn())
            except BaseException as exc:  # handed back to the caller
                future.set_exception(exc)
        self._posted.put(job)
        self._wake()
        return future.result(10)

    # -- ports --------------------------------------------------------------
    def _nmea_event(self, mask: int) -> None:
        if mask & selectors.EVENT_READ:
            self.nmea.read()          # whatever the client writes there is dropped
        if mask & selectors.EVENT_WRITE:
            self.nmea.flush()

    def _nmea_tick(self) -> None:
        self.call_later(self._nmea_interval, self._nmea_tick)
        if not self.gnss.active or self.gnss.outport != "usbnmea":
            return
        pos = self.gnss.position(self.elapsed()) if self.gnss.fixed(self.now()) else None
        when = dt.datetime.now(dt.timezone.utc)
        self.nmea.write((rmc(pos, when, self._nmea_talker) + gga(pos, when, self._nmea_talker)).encode())

    def _at_event(self, mask: int) -> None:
        if mask & selectors.EVENT_WRITE:
            self.at.flush()
        if mask & selectors.EVENT_READ:
            data = self.at.read()
            if data:
                self._inbuf += data
                self._pump()

    def _write_at(self, data: bytes) -> None:
        if self.faults.garble_next and data:
            self.faults.garble_next = False
            data = garble(data)
        self.at.write(data)

    def urc(self, text: str, raw: bytes = b"") -> None:
        """Send an unsolicited result (held while a command or data entry is in progress)."""
        if self.urc_port not in (self.config.port_name, "all"):
            return                   # it went to another port
        payload = b"\r\n" + text.encode("latin-1") + b"\r\n" + (raw + b"\r\n" if raw else b"")
        if self._busy or self._data_mode is not None:
            self._held_urcs.append(payload)
        else:
            self._write_at(payload)

    # -- input state machine --------------------------------------------------
    def _pump(self) -> None:
        while self._inbuf and not self._busy:
            if self._data_mode is not None:
                self._feed_data()
            else:
                self._feed_command_byte(self._inbuf.pop(0))

    def _feed_command_byte(self, byte: int) -> None:
        if byte in (0x1A, 0x1B) or (byte == 0x0A and not self._line):
            return                   # stray Ctrl-Z / ESC (reference §2) or LF after CR
        if self.echo:
            self.at.write(bytes([byte]))
        if byte == 0x0D:
            line, self._line = self._line.decode("latin-1"), bytearray()
            reply = execute_line(self, line)
            if reply is not None:
                self._respond(reply)
        elif byte in (0x08, 0x7F):
            del self._line[-1:]
        elif len(self._line) < LINE_LIMIT:
            self._line.append(byte)

    def _feed_data(self) -> None:
        mode = self._data_mode
        assert mode is not None
        if mode.length is not None:
            take = bytes(self._inbuf[:mode.length - len(self._data)])
            del self._inbuf[:len(take)]
            self._data += take
            if mode.echo:
                self.at.write(take)
            if len(self._data) == mode.length:
                self._end_data(lambda: mode.on_data(bytes(self._data)))
            return
        byte = self._inbuf.pop(0)
        if byte == 0x1A:
            self._end_data(lambda: mode.on_data(bytes(self._data)))
        elif byte == 0x1B:
            self._end_data(mode.on_cancel or (lambda: Reply(final="OK")))
        elif len(self._data) >= mode.limit:
            self._end_data(lambda: Reply(final="ERROR"))
        else:
            if mode.echo:
                self.at.write(bytes([byte]))
            self._data.append(byte)

    def _end_data(self, make_reply: Callable[[], Reply]) -> None:
        try:
            reply = make_reply()
        except AtError as err:
            reply = error_reply(self, err)
        self._data_mode, self._data = None, bytearray()
        self._respond(reply)

    def _respond(self, reply: Reply) -> None:
        if self.faults.reply_delay > 0:
            self._busy = True
            self.call_later(self.faults.reply_delay, lambda: self._finish(reply))
        else:
            self._finish(reply)

    def _finish(self, reply: Reply) -> None:
        self._busy = False
        self._write_at(reply.encode())
        if reply.data_mode is not None:
            self._data_mode, self._data = reply.data_mode, bytearray()
        else:
            held, self._held_urcs = self._held_urcs, []
            for payload in held:
                self._write_at(payload)
        self._pump()

    # -- name resolution ----------------------------------------------------
    def _resolve(self, host: str, port: int) -> tuple[str, int]:
        target: Any = self._address_map.get((host, port),
                                            self._address_map.get(host, (host, port)))
        if isinstance(target, str):
            target = (target, port)
        info = socket.getaddrinfo(target[0], target[1], proto=socket.IPPROTO_TCP)
        return str(info[0][4][0]), int(info[0][4][1])

    # -- SMS ------------------------------------------------------------------
    def submit_sms(self, pdu: bytes) -> None:
        """Called by ``AT+CMGS``: hand a complete message to the centre (raises PduError)."""
        whole = self.sms.joiner.feed(pdu, self.now())
        if whole is not None:
            self.sms_centre.submit(self.config.number, whole[0], whole[1])

    def receive_sms(self, sender: str, data: bytes) -> None:
        """An SMS from ``sender`` arrives (the centre's deliver callback).

        Asynchronous: the delivery is queued onto this simulator's loop and the
        caller does not wait, so two simulators submitting to each other at the
        same time (each inside its own loop thread) cannot deadlock.
        """
        def arrive() -> None:
            ref, self.sms.next_ref = self.sms.next_ref, (self.sms.next_ref + 1) % 256
            for pdu, tpdu_len in deliver_pdus(sender, data, ref=ref, smsc=self.config.smsc):
                self._arrive(pdu, tpdu_len)
        self.post(arrive)

    def inject_pdu(self, pdu: bytes) -> None:
        """An SMS-DELIVER PDU (SCA octets included) arrives as is."""
        self.call(lambda: self._arrive(pdu, len(pdu) - pdu[0] - 1))

    def _arrive(self, pdu: bytes, tpdu_len: int) -> None:
        mt = self.sms.cnmi[1] if len(self.sms.cnmi) > 1 else 1
        if mt == 2:
            self.urc(f"+CMT: ,{tpdu_len}", pdu.hex().upper().encode())
            return
        sms = self.sms
        if sms.waiting or sms.store.full:
            # Store full: like a real network after "memory capacity exceeded", the
            # message stays undelivered (no +CMTI) until the host deletes one.
            sms.deferred += 1
            if len(sms.waiting) >= sms.waiting_limit:
                sms.lost += 1
                return
            sms.waiting.append((pdu, tpdu_len))
            return
        self._store_and_notify(pdu, tpdu_len)

    def _store_and_notify(self, pdu: bytes, tpdu_len: int) -> None:
        index = self.sms.store.add(StoredSms(0, pdu, tpdu_len))
        mt = self.sms.cnmi[1] if len(self.sms.cnmi) > 1 else 1
        if index is not None and mt == 1:
            self.urc(f'+CMTI: "{self.sms.memories[2]}",{index}')

    def sms_space_freed(self) -> None:
        """After ``AT+CMGD``: the network retries the messages waiting for space, in order."""
        while self.sms.waiting and not self.sms.store.full:
            self._store_and_notify(*self.sms.waiting.popleft())

    # -- faults ---------------------------------------------------------------
    def close_socket(self, conn_id: int) -> bool:
        """The peer closes socket ``conn_id``: state 4 and ``+QIURC: "closed",id``."""
        return bool(self.call(lambda: self.sockets.peer_closed(conn_id)))

    def drop_pdp(self, cid: int = 1) -> None:
        """The network drops context ``cid``: ``+QIURC: "pdpdeact",cid``, its sockets die."""
        def drop() -> None:
            self.pdp.setdefault(cid, PdpContext()).active = False
            self.sockets.kill_context(cid, free=False)
            self.urc(f'+QIURC: "pdpdeact",{cid}')
        self.call(drop)

    def fail_sends(self, count: int = 1) -> None:
        """Answer ``SEND FAIL`` to the next ``count`` sends (data is not sent)."""
        self.call(lambda: setattr(self.faults, "send_fail", count))

    def delay_replies(self, seconds: float) -> None:
        """Hold every command reply ``seconds`` (0 turns it off)."""
        self.call(lambda: setattr(self.faults, "reply_delay", seconds))

    def garble_next_output(self) -> None:
        """Flip one bit in the next reply or URC written to the AT port."""
        self.call(lambda: setattr(self.faults, "garble_next", True))

    def set_echo(self, on: bool = True) -> None:
        """Turn command echo on or off behind the host's back (like a modem reboot)."""
        self.call(lambda: setattr(self, "echo", on))

    def fail_next_open(self, code: int = 566, count: int = 1) -> None:
        """Make the next ``count`` ``AT+QIOPEN`` end in ``+QIOPEN: id,<code>``."""
        def arm() -> None:
            self.faults.open_fail_code, self.faults.open_fail_count = code, count
        self.call(arm)

    def emit_urc(self, text: str) -> None:
        """Send any URC line (e.g. a boot URC) to the AT port."""
        self.call(lambda: self.urc(text))
