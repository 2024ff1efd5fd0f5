"""``Terminal``: the async core that joins one transport to one ``TerminalSession``.

Use it as an async context manager (it owns a task group)::

    async with Terminal("tcp://127.0.0.1:6808", phone="13800138000",
                        register_info=TerminalRegister(...)) as terminal:
        await terminal.connect()
        await terminal.login()
        reply = await terminal.report_location(report)

or let ``await terminal.run()`` connect, log in, report positions from the GNSS HAL
every parameter 0x0029 seconds and reconnect with backoff until ``close()``.

Each link lives in one task that opens the transport (a URL anew per connect), serves
it and closes it, so a transport owning a task group (a modem URL with a device path:
``quectel+tcp:///dev/ttyUSB2?host=…``, ``sms:///dev/ttyUSB2?number=…``) is closed by the
task that opened it. The retry bearer (which of 0x0002-0x0007 apply) is the ``bearer=``
option, else the open transport's: its ``bearer`` attribute, ``sms`` for an SMS
transport, ``udp`` for any other datagram transport, else ``tcp`` (before the first
connect it is guessed from the URL scheme). Per link one driver task reads the transport into the session, one writes what the
session queues (in order), one sleeps until ``session.get_timer()``. Platform commands
are answered by the handler table of ``_handlers`` (override with ``on(msg_id, fn)``).
Positions that cannot be reported (link down, or a 0x0200 that timed out) go to the
blind-area store and are uploaded with 0x0704 type 1 after the next authentication,
oldest first, each batch deleted only once the platform's 0x8001 acknowledges it.

SMS fallback (JT/T 808: "when the data link fails, the terminal may use SMS as the
bearer"): with ``sms_fallback=`` (an ``sms://…?number=<platform SMS number>`` URL, or
any URL/transport object whose link reaches the platform by SMS), once ``run()`` has
failed to open the primary transport ``sms_fallback_after`` times in a row it serves the
SMS link instead (bearer ``sms``: parameters 0x0006/0x0007), logs in and keeps reporting
0x0200 over it, while every ``primary_retry_interval`` s it opens (and closes) a probe of
the primary URL; when one opens it drops the SMS link and goes back. ``on_sms_fallback``
tells which. Over SMS the blind-area positions are not uploaded (stored alarms are): the
backlog waits for the data link, so SMS carries one 0x0200 per report interval and no
burst. A transport object given as ``sms_fallback`` is closed with its first link (use a
URL to fall back more than once); a primary given as an object is never probed.

Auth code, encryption, upgrade, alarms, vehicle control:

- The auth code of a successful 0x8100 is kept in ``<store_path>.auth.json`` (or
  ``auth_path``; see ``_auth_file``), so a restarted terminal authenticates without
  registering; a refused code is removed and the re-registration's code replaces it.
  A code in the file wins over the ``auth_code`` argument.
- ``rsa_key`` (an ``RsaKeyPair``) or ``rsa_key_path`` (PEM, created when missing) is the
  terminal's key, else one is generated on first use. ``await enable_encryption(e, n)``
  (or the facade's ``set_encryption(True, e, n)``) takes the platform key (else the one
  its 0x8A00 brings), turns on body encryption of the seed's encryptable ids, and sends
  0x0A00 with our key (again after each authentication, and after each 0x8A00), so the
  session decrypts the platform's encrypted bodies.
- 0x8108: the session reassembles the subpackets (2019 asks for lost ones with 0x0005; a
  2013 terminal waits for the platform to send them). The terminal answers 0x0001, calls
  ``on_upgrade(upgrade_type, manufacturer_id, firmware_version, package)`` (sync hooks run
  in a worker thread; returns 0 ok / 1 failed / 2 cancelled) and reports 0x0108 with that
  result (kept and sent after the next authentication if the link is down). No hook:
  0x0001 result 3 (not supported).
- Alarms: ``set_alarm(bits)`` / ``clear_alarm(bits)`` change the ``alarm_flag`` of every
  report (bits: an int mask, ``ALARM_BITS`` names or bit numbers); a change is reported at
  once with 0x0200. A report that raises a clear-on-reply bit (``_alarms``: 0, 20, 21,
  22, 27, 28, 31; and 3 before 2019) is critical: it is kept in the blind-area store as
  kind ``"alarm"`` until a 0x8001 with result 0 or 4 confirms it, and re-sent (as 0x0200,
  oldest first, before the position backlog) after the next authentication. Those bits
  clear when the platform confirms a report carrying them, or by 0x8203 (which also drops
  the matching stored alarms); the other bits hold until ``clear_alarm``.
- 0x8500: ``on_vehicle_control(message)`` is called, then 0x0500 with the current
  position is sent. 0x8203: the confirmed bits are cleared and 0x0001 is sent.
"""
from __future__ import annotations

import contextlib
import datetime
import logging
import math
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Awaitable, Callable

import anyio

from ..codec import (LocationBatchReport, LocationReport, Message, TerminalAuth,
                     TerminalRegister, UpgradeResult, decode_body, encode_body)
from ..errors import JT808Error, RemoteProtocolError, ResponseTimeout, TransportError
from ..frame import Header, Version
from ..session import (AUTHENTICATED, MessageReceived, PeerKeyReceived, ReplyReceived,
                       RequestTimedOut, RsaKeyPair, TerminalSession, UnmatchedReply)
from ..transport import open_transport
from ._alarms import CONFIRMABLE_MASK, CONFIRMED_RESULTS, alarm_mask, clear_on_reply_mask
from ._auth_file import AuthCodeFile, auth_path_for
from ._blind_store import BlindAreaStore
from ._encryption import EncryptionMixin
from ._handlers import DEFAULT_HANDLERS, Handler
from ._param_store import ParamStore
from ._reporting import Reporter

__all__ = ["Terminal"]

log = logging.getLogger("jt808.terminal")
_CLOSE_TIMEOUT = 10.0     # seconds a cancelled terminal waits for its link to close

BEARERS = ("tcp", "udp", "sms")
BLIND_KIND = "position"
ALARM_KIND = "alarm"
Listener = Callable[[Message, Header], Any]


class _Waiter:
    __slots__ = ("event", "reply", "error")

    def __init__(self) -> None:
        self.event = anyio.Event()
        self.reply: Message | None = None
        self.error: BaseException | None = None

    def resolve(self, reply: Message | None = None, error: BaseException | None = None) -> None:
        if not self.event.is_set():
            self.reply, self.error = reply, error
            self.event.set()


def bearer_of_scheme(scheme: str) -> str:
    """The bearer a URL scheme suggests before its transport is open: ``sms`` for
    ``sms`` and ``…-sms``/``…+sms`` schemes, ``udp`` for ``udp``/``…+udp``, else ``tcp``."""
    parts = scheme.lower().replace("-", "+").split("+")
    if "sms" in parts:
        return "sms"
    return "udp" if "udp" in parts else "tcp"


def bearer_of_transport(transport: Any) -> str:
    """The retry bearer of an open transport: its own ``bearer`` attribute if it has one,
    ``sms`` for an SMS transport, ``udp`` for any other datagram transport, else ``tcp``."""
    own = getattr(transport, "bearer", None)
    if own in BEARERS:
        return own
    from ..transport._sms import SmsTransport
    if isinstance(transport, SmsTransport):
        return "sms"
    return "udp" if getattr(transport, "kind", "stream") == "datagram" else "tcp"


class Terminal(EncryptionMixin):
    """A JT/T 808 terminal on one link. See the module docstring."""

    blind_batch = 10          # positions per 0x0704 blind-area upload
    min_backoff = 1.0         # reconnect delays (s), doubling up to max_backoff
    max_backoff = 60.0

    def __init__(self, url_or_transport: Any, *, phone: str,
                 version: Version = Version.V2013,
                 register_info: TerminalRegister | None = None,
                 auth_code: str | None = None, imei: str = "", app_version: str = "",
                 gnss: Any = None, modem_info: Any = None, camera: Any = None,
                 store_path: str | Path | None = None,
                 params: dict[int, Any] | None = None,
                 params_path: str | Path | None = None,
                 auth_path: str | Path | None = None,
                 rsa_key: RsaKeyPair | None = None,
                 rsa_key_path: str | Path | None = None,
                 bearer: str | None = None,
                 sms_fallback: Any = None,
                 sms_fallback_after: int = 3,
                 primary_retry_interval: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._target = self._primary = url_or_transport
        if sms_fallback_after < 1 or primary_retry_interval <= 0:
            raise ValueError("sms_fallback_after must be >= 1 and primary_retry_interval > 0")
        self.sms_fallback = sms_fallback
        self.sms_fallback_after = sms_fallback_after
        self.primary_retry_interval = primary_retry_interval
        self.on_sms_fallback = False    # run() is on the SMS fallback link (_sms_fallback)
        self.version = Version(version)
        self.params = ParamStore(params, params_path)
        if bearer is not None and bearer not in BEARERS:
            raise ValueError(f"bearer must be one of {', '.join(BEARERS)}, got {bearer!r}")
        self._bearer_option = bearer
        if bearer is None:
            bearer = (bearer_of_scheme(url_or_transport.split(":", 1)[0])
                      if isinstance(url_or_transport, str) else
                      bearer_of_transport(url_or_transport))
        self.session = TerminalSession(phone, self.version, bearer=bearer,
                                       params=self.params.link_params())
        self.auth_file = AuthCodeFile(auth_path_for(store_path, auth_path), phone)
        self.session.auth_code = self.auth_file.load() or auth_code
        self._rsa_key, self._rsa_key_path = rsa_key, rsa_key_path
        self.encryption_enabled = False
        self.on_upgrade: Callable[..., Any] | None = None
        self.on_vehicle_control: Callable[..., Any] | None = None
        self.pending_upgrade_result: UpgradeResult | None = None
        self.register_info = register_info
        self.imei, self.app_version = imei, app_version
        self.gnss, self.modem_info, self.camera = gnss, modem_info, camera
        self.clock = clock
        self.handlers: dict[int, Handler] = dict(DEFAULT_HANDLERS)
        self.listeners: list[Listener] = []
        self.areas: dict[tuple[int, int], Message] = {}      # (set msg id, area id) -> area
        self.reporter = Reporter(self)
        self._store_path = store_path
        self._tmpdir: str | None = None
        self.store: BlindAreaStore | None = None
        self._tg: anyio.abc.TaskGroup | None = None
        self._transport: Any = None
        self._datagram = False
        self._outbox: Any = None
        self._conn_scope: anyio.CancelScope | None = None
        self._conn_done = anyio.Event()
        self._conn_done.set()
        self._link_lost = anyio.Event()
        self._closed = anyio.Event()
        self._wake = anyio.Event()
        self._waiters: dict[int, _Waiter] = {}
        self._uploading = False
        self._running = False         # run() owns the link: it drops a dead one (§5.3)
        self._alarms_in_flight: set[int] = set()
        self._alarm_serials: dict[int, int] = {}       # serial of a sent alarm -> store id
        self._media_id = 0
        self.error: BaseException | None = None      # last connection error (for status)

    # -- lifetime -------------------------------------------------------------------
    async def __aenter__(self) -> "Terminal":
        self._open_store()
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> bool | None:
        try:
            # Shielded: when we leave because the caller's scope was cancelled, the link
            # must still be closed (by its own task) and the task group exited, or the
            # caller's cancel scope stack is left broken.
            with anyio.move_on_after(_CLOSE_TIMEOUT, shield=True):
                try:
                    await self.close()
                except Exception:                        # noqa: BLE001 - keep unwinding
                    log.exception("closing the terminal failed")
            self._tg.cancel_scope.cancel()
            return await self._tg.__aexit__(*exc)
        finally:
            self._tg = None
            self._close_store()

    def _open_store(self) -> None:
        if self.store is not None:
            return
        path = self._store_path
        if path is None:
            self._tmpdir = tempfile.mkdtemp(prefix="jt808-blind-")
            path = Path(self._tmpdir) / "blind.sqlite"
        self.store = BlindAreaStore(path)

    def _close_store(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def _require_tg(self) -> anyio.abc.TaskGroup:
        if self._tg is None:
            raise RuntimeError("use the Terminal inside 'async with terminal:'")
        return self._tg

    # -- state ----------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._transport is not None

    @property
    def authenticated(self) -> bool:
        return self.connected and self.session.state == AUTHENTICATED

    @property
    def auth_code(self) -> str | None:
        return self.session.auth_code

    def on(self, msg_id: int, handler: Handler | None) -> None:
        """Answer platform message ``msg_id`` with ``await handler(terminal, message, header)``
        instead of the default (``None`` restores the default)."""
        if handler is None:
            self.handlers[msg_id] = DEFAULT_HANDLERS.get(msg_id, DEFAULT_HANDLERS[None])
        else:
            self.handlers[msg_id] = handler

    def next_media_id(self) -> int:
        self._media_id = self._media_id % 0xFFFFFFFF + 1
        return self._media_id

    def add_listener(self, listener: Listener) -> None:
        """``listener(message, header)`` sees every message from the platform."""
        self.listeners.append(listener)

    # -- connection -----------------------------------------------------------------
    async def connect(self) -> None:
        """Open the link (a URL is opened anew each time) and start its driver tasks.

        The link lives in one task of the terminal's task group that opens the
        transport, serves it and closes it: a transport that owns a task group (a
        modem URL with a device path opens the AT port's reader) must be closed by the
        task that opened it."""
        tg = self._require_tg()
        if self.connected:
            return
        await self._conn_done.wait()
        try:
            await tg.start(self._connection, self._target)
        except TransportError as exc:
            self.error = exc
            raise

    async def _connection(self, target: Any, *, task_status: Any) -> None:
        transport = await open_transport(target) if isinstance(target, str) else target
        try:
            self._link_up(transport)
            send, receive = anyio.create_memory_object_stream(math.inf)
            self._outbox = send
            scope = self._conn_scope = anyio.CancelScope()
            done = self._conn_done = anyio.Event()
        except BaseException:
            await transport.aclose()
            raise
        task_status.started()
        await self._drive(transport, receive, scope, done)

    def _link_up(self, transport: Any) -> None:
        self.error = None
        self._transport = transport
        self._datagram = getattr(transport, "kind", "stream") == "datagram"
        bearer = "sms" if self.on_sms_fallback else (
            self._bearer_option or bearer_of_transport(transport))
        if bearer != self.session.bearer:
            self.session.bearer = bearer
            self.session.update_params(self.params.link_params())
        self.session.connection_made(self.clock())
        self.session.pending.clear()
        self.session.data_to_send() if not self._datagram else self.session.datagrams_to_send()
        self._link_lost = anyio.Event()

    async def disconnect(self) -> None:
        """Drop the link (pending requests fail with ``TransportError``)."""
        if self._conn_scope is not None:
            self._conn_scope.cancel()
        await self._conn_done.wait()

    async def close(self) -> None:
        """Stop ``run()`` and drop the link."""
        self._closed.set()
        await self.disconnect()

    async def _drive(self, transport: Any, outgoing: Any, scope: anyio.CancelScope,
                     done: anyio.Event) -> None:
        try:
            with scope:
                async with anyio.create_task_group() as tg:
                    tg.start_soon(self._write_loop, transport, outgoing, scope)
                    tg.start_soon(self._timer_loop)
                    await self._read_loop(transport)
                    tg.cancel_scope.cancel()
        finally:
            self._link_down(transport)
            try:
                # No shielding scope here: a transport that opened a task group (the
                # modem's AT port) must exit it in the scopes it was entered in. close()
                # ends the link before the terminal's task group is cancelled.
                with contextlib.suppress(Exception):
                    await transport.aclose()
            finally:
                done.set()

    async def _read_loop(self, transport: Any) -> None:
        while True:
            try:
                data = await transport.receive()
            except TransportError as exc:
                self.error = exc
                return
            if not data:
                return
            self.session.receive_data(data, self.clock())
            self._process_events()
            self._flush()

    async def _write_loop(self, transport: Any, outgoing: Any, scope: anyio.CancelScope) -> None:
        async for chunk in outgoing:
            try:
                await transport.send(chunk)
            except (TransportError, ValueError) as exc:
                self.error = exc
                scope.cancel()
                return

    async def _timer_loop(self) -> None:
        while True:
            timer = self.session.get_timer()
            self._wake = anyio.Event()
            delay = math.inf if timer is None else max(0.0, timer - self.clock())
            with anyio.move_on_after(delay):
                await self._wake.wait()
            now = self.clock()
            timer = self.session.get_timer()
            if timer is not None and timer <= now:
                self.session.handle_timer(now)
                self._process_events()
                self._flush()

    def _link_down(self, transport: Any) -> None:
        if self._transport is not transport:
            return
        self._transport = None
        if self._outbox is not None:
            self._outbox.close()
            self._outbox = None
        self.session.pending.clear()
        lost = TransportError("the link to the platform was lost")
        for waiter in self._waiters.values():
            waiter.resolve(error=lost)
        self._link_lost.set()

    def _flush(self) -> None:
        """Hand what the session queued to the writer task (order kept)."""
        if self._datagram:
            chunks = self.session.datagrams_to_send()
        else:
            data = self.session.data_to_send()
            chunks = [data] if data else []
        if self._outbox is not None:
            for chunk in chunks:
                self._outbox.send_nowait(chunk)
        self._wake.set()

    # -- events ---------------------------------------------------------------------
    def _process_events(self) -> None:
        while (event := self.session.next_event()) is not None:
            if isinstance(event, ReplyReceived):
                self._notify(event.reply, event.header)
                if event.header.msg_id == 0x8100 and event.reply.result == 0:
                    self.auth_file.save(event.reply.auth_code)
                waiter = self._waiters.get(event.request_serial)
                if waiter is not None:
                    waiter.resolve(event.reply)
            elif isinstance(event, RequestTimedOut):
                waiter = self._waiters.get(event.request_serial)
                if waiter is not None:
                    waiter.resolve(error=ResponseTimeout(
                        f"no reply to 0x{event.request.msg_id:04X} serial {event.request_serial}"
                        f" after {event.attempts} attempts"))
                self._link_dead(event)
            elif isinstance(event, MessageReceived):
                self._notify(event.message, event.header)
                self._require_tg().start_soon(self._answer, event.message, event.header)
            elif isinstance(event, UnmatchedReply):
                self._notify(event.message, event.header)
            elif isinstance(event, PeerKeyReceived):
                if self.encryption_enabled:
                    self._require_tg().start_soon(self._send_key_quietly)
            else:
                log.debug("session event %r", event)

    def _link_dead(self, event: RequestTimedOut) -> None:
        """Under ``run()``, a request unanswered after every retransmission on a link that
        looks up means the link is dead (JT/T 808-2013 §5.3): drop it, ``run()``
        reconnects. A half-open TCP connection is found this way."""
        if self._running and not self._datagram and self._conn_scope is not None:
            log.info("no reply to 0x%04X after %d attempts: dropping the link",
                     event.request.msg_id, event.attempts)
            self._conn_scope.cancel()

    def _notify(self, message: Message, header: Header) -> None:
        for listener in list(self.listeners):
            try:
                listener(message, header)
            except Exception:                       # a user callback must not kill the link
                log.exception("listener failed on 0x%04X", header.msg_id)

    async def _answer(self, message: Message, header: Header) -> None:
        handler = self.handlers.get(header.msg_id, self.handlers[None])
        try:
            await handler(self, message, header)
        except Exception:                           # a handler bug must not kill the link
            log.exception("answering 0x%04X failed", header.msg_id)
            with contextlib.suppress(JT808Error):
                self.reply(header, 1)

    # -- sending --------------------------------------------------------------------
    def _check_link(self) -> None:
        if not self.connected:
            raise TransportError("not connected to the platform")

    async def send(self, message: Message) -> int:
        """Send ``message`` expecting no reply; returns its serial."""
        self._check_link()
        serial = self.session.send(message, self.clock(), expect_reply=False)
        self._flush()
        return serial

    def reply(self, header: Header, result: int = 0) -> int:
        """The general answer 0x0001 to the platform message with ``header``; a message
        that came in subpackets is answered with the serial of its last packet."""
        self._check_link()
        if header.packet is not None and header.packet[0] > 1:
            total, index = header.packet
            header = header._replace(serial=(header.serial - index + total) & 0xFFFF)
        serial = self.session.reply(header, result, self.clock())
        self._flush()
        return serial

    async def request_serial(self, message: Message, timeout: float | None = None
                             ) -> tuple[int, Message]:
        """Like :meth:`request` but returns ``(serial, reply)``; a ``ResponseTimeout``
        raised here carries the request's ``serial`` attribute."""
        self._check_link()
        serial = self.session.send(message, self.clock())
        waiter = self._waiters[serial] = _Waiter()
        self._flush()
        try:
            with anyio.move_on_after(math.inf if timeout is None else timeout):
                await waiter.event.wait()
        finally:
            self._waiters.pop(serial, None)
        if not waiter.event.is_set():
            self.session.pending.pop(serial, None)
            waiter.error = ResponseTimeout(f"no reply to 0x{message.msg_id:04X} serial {serial}"
                                           f" within {timeout} s")
        if waiter.error is not None:
            waiter.error.serial = serial            # type: ignore[attr-defined]
            raise waiter.error
        return serial, waiter.reply

    async def request(self, message: Message, timeout: float | None = None) -> Message:
        """Send ``message`` and return its reply (``ResponseTimeout`` after the standard's
        retransmissions or ``timeout`` seconds; ``TransportError`` if the link drops)."""
        return (await self.request_serial(message, timeout))[1]

    # -- login ----------------------------------------------------------------------
    async def register(self, info: TerminalRegister | None = None) -> Message:
        """0x0100; a result 0 reply stores the auth code. Returns the 0x8100."""
        info = info or self.register_info
        if info is None:
            raise JT808Error("no auth code and no register_info to register with")
        return await self.request(info)

    async def authenticate(self) -> Message:
        """0x0102 with the stored code; on success the blind-area upload starts."""
        message = TerminalAuth(self.session.auth_code or "", self.imei, self.app_version)
        reply = await self.request(message)
        if reply.result == 0:
            self.on_authenticated()
        return reply

    def on_authenticated(self) -> None:
        """Start what follows a successful 0x0102 (also when it was sent by other means,
        e.g. the facade): our RSA key (0x0A00) when encryption is on, a kept 0x0108
        upgrade result, then the blind-area upload."""
        self._require_tg().start_soon(self._after_auth)
        self.start_blind_upload()

    async def _after_auth(self) -> None:
        if self.encryption_enabled:
            await self._send_key_quietly()
        result = self.pending_upgrade_result
        if result is not None:
            with contextlib.suppress(ResponseTimeout, TransportError):
                reply = await self.request(result)
                if self.pending_upgrade_result is result and reply.result == 0:
                    self.pending_upgrade_result = None

    async def login(self) -> Message:
        """Register if there is no auth code, authenticate, register again if the platform
        refuses the code. Returns the 0x8001 to the last 0x0102 (check ``.result``)."""
        if not self.session.auth_code:
            await self.register()
        reply = await self.authenticate()
        if reply.result != 0 and self.register_info is not None:
            self.session.auth_code = None
            self.auth_file.save(None)
            if (await self.register()).result == 0:
                reply = await self.authenticate()
        return reply

    # -- location and blind area ----------------------------------------------------
    async def report_location(self, report: LocationReport, *, critical: bool = False
                              ) -> Message | None:
        """0x0200; returns the platform's 0x8001, or ``None`` when the position went to
        the blind-area store (link down, not authenticated, or no reply). A ``critical``
        report (an alarm that must be confirmed) is stored as kind ``"alarm"`` first and
        deleted only once a 0x8001 with result 0 or 4 confirms it."""
        alarm_id = self._store(ALARM_KIND, report) if critical else None
        if alarm_id is not None:
            self._alarms_in_flight.add(alarm_id)
        try:
            return await self._send_report(report, alarm_id)
        finally:
            self._alarms_in_flight.discard(alarm_id)

    async def _send_report(self, report: LocationReport, alarm_id: int | None
                           ) -> Message | None:
        if not self.authenticated:
            if alarm_id is None:
                self.store_blind(report)
            return None
        try:
            serial, reply = await self.request_serial(report)
        except (ResponseTimeout, TransportError) as exc:
            if alarm_id is None:
                self.store_blind(report)
            else:
                self._remember_alarm(getattr(exc, "serial", -1), alarm_id)
            return None
        if alarm_id is not None:
            self._remember_alarm(serial, alarm_id)
        self._report_answered(report, reply, alarm_id)
        if reply.result == 0 and self.store is not None and self.store.count():
            self.start_blind_upload()
        return reply

    def _report_answered(self, report: LocationReport, reply: Message,
                         alarm_id: int | None) -> None:
        """The standard's clear-on-reply rule, and the stored alarm's confirmation."""
        if reply.result not in CONFIRMED_RESULTS:
            return
        self.reporter.alarm_flag &= ~(report.alarm_flag & clear_on_reply_mask(self.version))
        if alarm_id is not None and self.store is not None:
            self.store.delete([alarm_id])

    def _remember_alarm(self, serial: int, alarm_id: int) -> None:
        """Which stored alarm went out with which serial (for a 0x8203 naming it)."""
        self._alarm_serials[serial] = alarm_id
        while len(self._alarm_serials) > 64:
            del self._alarm_serials[next(iter(self._alarm_serials))]

    def _store(self, kind: str, report: LocationReport) -> int:
        if self.store is None:
            self._open_store()
        return self.store.append(kind, encode_body(report, self.version), _position_time(report))

    def store_blind(self, report: LocationReport) -> None:
        self._store(BLIND_KIND, report)

    def start_blind_upload(self) -> None:
        if not self._uploading and self._tg is not None:
            self._uploading = True
            self._tg.start_soon(self._upload_blind)

    async def _upload_blind(self) -> None:
        try:
            # Over the SMS fallback only alarms go: the position backlog waits for the data
            # link (one 0x0704 of 10 positions is ~3 SMS; see _sms_fallback).
            if await self._resend_alarms() and not self.on_sms_fallback:
                await self._upload_positions()
        finally:
            self._uploading = False

    def _decoded(self, items: list) -> list[tuple[int, LocationReport]]:
        """(store id, report) of stored items; undecodable ones are dropped."""
        good, bad = [], []
        for item in items:
            try:
                good.append((item.id, decode_body(0x0200, item.body, self.version)))
            except RemoteProtocolError:
                bad.append(item.id)
        self.store.delete(bad)
        return good

    async def _resend_alarms(self) -> bool:
        """Critical alarm reports kept unconfirmed, one 0x0200 each, oldest first."""
        while self.authenticated and self.store is not None:
            items = [i for i in self.store.oldest(self.blind_batch, ALARM_KIND)
                     if i.id not in self._alarms_in_flight]
            if not items:
                return True
            for alarm_id, report in self._decoded(items):
                try:
                    serial, reply = await self.request_serial(report)
                except (ResponseTimeout, TransportError) as exc:
                    self._remember_alarm(getattr(exc, "serial", -1), alarm_id)
                    return False
                self._remember_alarm(serial, alarm_id)
                self._report_answered(report, reply, alarm_id)
                if reply.result not in CONFIRMED_RESULTS:
                    return False
        return False

    async def _upload_positions(self) -> None:
        while self.authenticated and self.store is not None:
            items = self.store.oldest(self.blind_batch, BLIND_KIND)
            if not items:
                return
            decoded = self._decoded(items)
            if not decoded:
                continue
            try:
                reply = await self.request(LocationBatchReport(1, tuple(r for _, r in decoded)))
            except (ResponseTimeout, TransportError):
                return
            if reply.result != 0:
                return
            self.store.delete(item.id for item in items)

    # -- alarms ---------------------------------------------------------------------
    @property
    def alarm_flag(self) -> int:
        return self.reporter.alarm_flag

    def set_alarm(self, bits: Any) -> int:
        """Raise alarm ``bits`` (mask, ``ALARM_BITS`` name(s) or bit numbers); a change is
        reported at once (critical when it raises a clear-on-reply bit). Returns the flag."""
        return self._change_alarm(self.reporter.alarm_flag | alarm_mask(bits))

    def clear_alarm(self, bits: Any) -> int:
        """Clear alarm ``bits``; a change is reported at once. Returns the flag."""
        return self._change_alarm(self.reporter.alarm_flag & ~alarm_mask(bits))

    def _change_alarm(self, new: int) -> int:
        old, self.reporter.alarm_flag = self.reporter.alarm_flag, new
        raised = new & ~old
        if new != old and self._tg is not None:
            critical = bool(raised & clear_on_reply_mask(self.version))
            self._tg.start_soon(self._report_alarm, critical)
        return new

    async def _report_alarm(self, critical: bool) -> None:
        try:
            await self.report_location(await self.reporter.snapshot(), critical=critical)
        except (JT808Error, OSError) as exc:
            log.warning("alarm report failed: %s", exc)

    def confirm_alarms(self, alarm_type: int, serial: int = 0) -> None:
        """0x8203: clear the confirmed bits; drop stored alarm reports they confirm (all
        of those types for serial 0, else the one sent with ``serial``)."""
        mask = alarm_type & CONFIRMABLE_MASK
        self.reporter.alarm_flag &= ~mask
        if self.store is None or not mask:
            return
        if serial:
            alarm_id = self._alarm_serials.pop(serial, None)
            self.store.delete([] if alarm_id is None else [alarm_id])
            return
        critical = clear_on_reply_mask(self.version)
        items = self._decoded(self.store.oldest(self.store.count(ALARM_KIND), ALARM_KIND))
        self.store.delete(i for i, r in items if r.alarm_flag & critical & ~mask == 0)

    # -- run ------------------------------------------------------------------------
    async def run(self) -> None:
        """Connect, log in, report positions and reconnect (with backoff) until close()."""
        if self._tg is None:
            async with self:
                await self._run()
        else:
            await self._run()

    async def _run(self) -> None:
        self._closed = anyio.Event()
        self._require_tg().start_soon(self.reporter.loop, self._closed)
        backoff = self.min_backoff
        self._running = True
        try:
            await self._reconnect_loop(backoff)
        finally:
            self._running = False

    async def _reconnect_loop(self, backoff: float) -> None:
        failures = 0                      # primary link opens that failed in a row
        while not self._closed.is_set():
            opened, logged_in = await self._link_once()
            if self._closed.is_set():
                break
            failures = 0 if opened else failures + 1
            if logged_in:
                backoff = self.min_backoff
            if self.sms_fallback is not None and failures >= self.sms_fallback_after:
                await self._run_on_sms()
                failures, backoff = 0, self.min_backoff
                continue
            await self._wait_any(timeout=backoff)
            backoff = min(backoff * 2, self.max_backoff)

    async def _link_once(self, *until: anyio.Event) -> tuple[bool, bool]:
        """Connect, log in and serve the link until it is lost, ``close()`` or one of
        ``until``. Returns (the transport opened, the terminal authenticated)."""
        opened = logged_in = False
        try:
            await self.connect()
            opened = True
            reply = await self.login()
            if reply.result == 0:
                logged_in = True
                await self._wait_any(self._link_lost, *until)
            else:
                log.warning("authentication refused (result %d)", reply.result)
        except (TransportError, ResponseTimeout) as exc:
            self.error = exc
            log.info("link failed: %s", exc)
        await self.disconnect()
        return opened, logged_in

    async def _run_on_sms(self) -> None:
        """The SMS fallback (JT/T 808: when the data link fails the terminal may use SMS;
        retry timing from 0x0006/0x0007): the link to ``sms_fallback`` with bearer
        ``sms``, reconnected with backoff, while every ``primary_retry_interval`` s a
        probe opens (and closes) the primary transport; once one opens, the SMS link is
        dropped and ``run()`` goes back to the primary. Reports go on over SMS; the
        blind-area backlog is kept for the data link (only stored alarms are re-sent)."""
        log.warning("primary link failed %d times in a row: falling back to SMS",
                    self.sms_fallback_after)
        primary_back = anyio.Event()
        self._target, self.on_sms_fallback = self.sms_fallback, True
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(self._probe_primary, primary_back)
                backoff = self.min_backoff
                while not (self._closed.is_set() or primary_back.is_set()):
                    _, logged_in = await self._link_once(primary_back)
                    if logged_in:
                        backoff = self.min_backoff
                    await self._wait_any(primary_back, timeout=backoff)
                    backoff = min(backoff * 2, self.max_backoff)
                tg.cancel_scope.cancel()
        finally:
            self._target, self.on_sms_fallback = self._primary, False
        log.info("primary link is back: leaving the SMS fallback")

    async def _probe_primary(self, primary_back: anyio.Event) -> None:
        """Every ``primary_retry_interval`` s try to open the primary transport (a URL;
        a transport object cannot be reopened, so it is never probed)."""
        while isinstance(self._primary, str):
            await anyio.sleep(self.primary_retry_interval)
            with anyio.move_on_after(self.primary_retry_interval):
                try:
                    probe = await open_transport(self._primary)
                except (TransportError, OSError) as exc:
                    log.info("primary link still down: %s", exc)
                    continue
                with contextlib.suppress(Exception):
                    await probe.aclose()
                primary_back.set()
                return

    async def _wait_any(self, *events: anyio.Event, timeout: float = math.inf) -> None:
        """Until one of ``events`` or ``close()``, at most ``timeout`` s."""
        with anyio.move_on_after(timeout):
            async with anyio.create_task_group() as tg:
                async def watch(e: anyio.Event) -> None:
                    await e.wait()
                    tg.cancel_scope.cancel()
                for event in (*events, self._closed):
                    tg.start_soon(watch, event)

    # --- public methods used by command handlers (commands branch) ---
    def apply_params(self, changed: dict[int, Any]) -> None:
        """Make 0x8103 ``changed`` values live: link timing (heartbeat, reply timeouts,
        retries) now, report strategy at the reporter's next wake, server address and
        port (0x0013/0x0018) at the next connect of a ``tcp://``/``udp://`` primary."""
        self.session.update_params(self.params.link_params())
        self._wake.set()                                  # re-arm the heartbeat timer
        self.reporter.wake()
        if {0x0013, 0x0018, 0x0019} & set(changed) and isinstance(self._primary, str):
            from ._server_url import server_url
            target = server_url(self._primary, self.params.get(0x0013),
                                self.params.get(0x0018), self.params.get(0x0019))
            if self._target is self._primary:
                self._target = target
            self._primary = target

    on_control: Callable[..., Any] | None = None         # 0x8105 (message), first
    on_upgrade_file: Callable[..., Any] | None = None    # (path, parsed) -> 0|1|2
    on_power_off: Callable[..., Any] | None = None
    on_reset: Callable[..., Any] | None = None
    on_factory_reset: Callable[..., Any] | None = None
    on_radio_off: Callable[..., Any] | None = None       # (cmd_word 6 or 7)
    download_dir: Any = None       # where 0x8105 upgrades are fetched (default: a temp dir)
    max_upgrade_bytes = 64 * 1024 * 1024
    factory_params: dict[int, Any] | None = None       # 0x8105 word 5 (None: link defaults)

    @property
    def home_target(self) -> Any:
        """The server (URL or transport) outside the 0x8105 emergency state."""
        home = self.__dict__.get("_home")
        return self._target if home is None else home[0]

    @property
    def emergency(self) -> Any:
        """The server of the 0x8105 word 2 emergency state, or ``None``."""
        return None if self.__dict__.get("_home") is None else self._target

    def switch_server(self, target: Any, auth_code: str = "", *,
                      timeout: float | None = None) -> None:
        """0x8105 word 2: serve ``target`` from the next link on (``run()`` reconnects
        now), authenticating with ``auth_code``; back home (``restore_server``) if no
        link there is authenticated within ``timeout`` s."""
        if self.__dict__.get("_home") is None:
            self.__dict__["_home"] = (self._target, self.session.auth_code)
        self._target = target
        if auth_code:
            self.session.auth_code = auth_code
        old_link_lost = self._link_lost if self.connected else None
        self.drop_link()
        if timeout and self._tg is not None:
            self._tg.start_soon(self._emergency_watchdog, target, timeout, old_link_lost)

    async def _emergency_watchdog(self, target: Any, timeout: float,
                                  old_link_lost: anyio.Event | None) -> None:
        with anyio.move_on_after(timeout):
            if old_link_lost is not None:
                await old_link_lost.wait()
            while not (self.authenticated and self._target is target):
                await anyio.sleep(0.2)
            return
        if self._target is target:
            log.warning("no link to %s within %s s: back to the home server", target, timeout)
            self.restore_server()

    def restore_server(self) -> bool:
        """Back to the server (and auth code) before ``switch_server``; False if none."""
        home = self.__dict__.pop("_home", None)
        if home is None:
            return False
        self._target, self.session.auth_code = home
        self.drop_link()
        return True

    async def drain(self, timeout: float = 2.0) -> None:
        """Until what the session queued has been handed to the link (before a command
        that drops it), at most ``timeout`` s."""
        with anyio.move_on_after(timeout):
            while self._outbox is not None and self._outbox.statistics().current_buffer_used:
                await anyio.sleep(0.01)
            await anyio.sleep(0.05)                      # the writer's send in progress

    async def send_upgrade_result(self, result: Any) -> None:
        """0x0108; kept and sent again after the next authentication until acknowledged."""
        self.pending_upgrade_result = result
        try:
            reply = await self.request(result)
        except (ResponseTimeout, TransportError) as exc:
            log.warning("0x0108 not acknowledged, sent again after login: %s", exc)
            return
        if self.pending_upgrade_result is result and reply.result == 0:
            self.pending_upgrade_result = None

    def factory_reset(self) -> None:
        """Parameters back to ``factory_params`` (link defaults when ``None``), persisted
        and applied live."""
        from ..session._retry import LINK_PARAM_DEFAULTS
        defaults = dict(LINK_PARAM_DEFAULTS if self.factory_params is None
                        else self.factory_params)
        self.params.values = defaults
        self.params._save()
        self.apply_params(defaults)

    def drop_link(self) -> None:
        """End the current link; under ``run()`` it reconnects (0x8105 reset/switch)."""
        if self._conn_scope is not None:
            self._conn_scope.cancel()

    async def stop_link(self) -> None:
        """Stop ``run()`` and drop the link (0x8105 power off, radio off)."""
        await self.close()

    # hooks and HALs of the command handlers (set them as attributes)
    voice: Any = None              # hal.modem.VoiceCalls: 0x8400 call back
    audio: Any = None              # hal.audio.AudioRecorder: 0x8804 recording
    on_question: Callable[..., Any] | None = None    # 0x8302 -> answer id (or None)
    on_info: Callable[..., Any] | None = None        # 0x8304 (info_type, content)

    def _kept(self, name: str, make: Callable[[], Any]) -> Any:
        value = self.__dict__.get(name)
        if value is None:
            value = self.__dict__[name] = make()
        return value

    @property
    def text_store(self) -> Any:
        """Events, info menu and info service (``<store>.text.json``)."""
        from ._small_store import path_next_to
        from ._text_store import TextStore
        return self._kept("_text_store", lambda: TextStore(
            path_next_to(self._store_path, "text")))

    @property
    def phone_book(self) -> Any:
        """The 0x8401 phone book (``<store>.phonebook.json``)."""
        from ._phonebook import PhoneBook
        from ._small_store import path_next_to
        return self._kept("_phone_book", lambda: PhoneBook(
            path_next_to(self._store_path, "phonebook")))

    @property
    def media_index(self) -> Any:
        """The media shot (``hal.camera.MediaIndex``, ``<store>.media.sqlite``)."""
        from hal.camera import MediaIndex
        path = None if self._store_path is None else Path(f"{self._store_path}.media.sqlite")
        return self._kept("_media_index", lambda: MediaIndex(path))

    @property
    def recorder(self) -> Any:
        """The driving recorder (``_recorder.Recorder``) answering 0x8700 / 0x8701."""
        from ._recorder import Recorder
        return self._kept("_recorder", lambda: Recorder(self))

    @property
    def events(self) -> dict[int, str]:
        """Events set by 0x8301: id -> content (report one with ``report_event``)."""
        return dict(self.text_store.events)

    @property
    def info_menu(self) -> dict[int, str]:
        """The 0x8303 menu: info type -> name (order one with ``subscribe_info``)."""
        return dict(self.text_store.menu)

    @property
    def questions(self) -> dict[int, Message]:
        """0x8302 questions not answered yet, by the serial they came with."""
        return self._kept("_questions", dict)

    async def report_event(self, event_id: int) -> Message:
        """0x0301 for an event the platform set (0x8301); returns the 0x8001."""
        from ..codec import EventReport
        if event_id not in self.text_store.events:
            raise ValueError(f"event {event_id} was not set by the platform")
        return await self.request(EventReport(event_id))

    async def subscribe_info(self, info_type: int, on: bool = True) -> Message:
        """0x0303: order (or cancel) the menu's ``info_type``; returns the 0x8001."""
        from ..codec import InfoDemand
        if info_type not in self.text_store.menu:
            raise ValueError(f"info type {info_type} is not in the menu")
        reply = await self.request(InfoDemand(info_type, int(on)))
        if reply.result == 0:
            self.text_store.subscribe(info_type, on)
        return reply

    ic_card: Any = None            # async read() -> DriverIdentityReport | None (0x8702)
    on_pass_through: Callable[..., Any] | None = None   # 0x8900 (data_type, data)

    @property
    def pass_through(self) -> Any:
        """0x8900 data no hook took (``_driver_handlers.PassThroughBox``)."""
        from ._driver_handlers import PassThroughBox
        return self._kept("_pass_through", PassThroughBox)

    @property
    def driver(self) -> Any:
        """The last driver record (a ``DriverIdentityReport``), or ``None``."""
        return self.__dict__.get("_driver")

    async def set_driver(self, record: Any, *, report: bool = True) -> None:
        """A driver logged in (a ``DriverIdentityReport``) or out (``None``, or a record
        with status 2); sent as 0x0702 when linked and ``report``."""
        self.__dict__["_driver"] = None if record is None or record.status == 2 else record
        self.reporter.wake()
        if report and self.authenticated and record is not None:
            await self.request(record)

    async def answer_question(self, serial: int, answer_id: int) -> Message:
        """0x0302: the chosen candidate of the 0x8302 that came with ``serial``."""
        from ..codec import QuestionAnswer
        asked = self.questions.get(serial)
        if asked is None or answer_id not in {a.answer_id for a in asked.answers}:
            raise ValueError(f"no pending question {serial} with answer {answer_id}")
        del self.questions[serial]
        return await self.request(QuestionAnswer(serial, answer_id))


_GMT8 = datetime.timezone(datetime.timedelta(hours=8))


def _position_time(report: LocationReport) -> float:
    """When the position was taken (its GMT+8 time), so the blind area uploads positions
    in the order they were taken, not the order they failed to go out (a report that
    times out is stored after a later one that found the link down)."""
    if report.time is None:
        return time.time()
    return report.time.replace(tzinfo=_GMT8).timestamp()
