"""The reference platform: many terminals over any listener, one session per connection."""
from __future__ import annotations

import logging
import math
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any

import anyio

from ..codec import (Message, ServerTimeResponse, TerminalAuth, TerminalRegister,
                     TerminalRegisterResponse)
from ..errors import TransportError
from ..frame import Header, Version
from ..session import TERMINAL, Event, MessageReceived, PlatformSession, ReplyReceived
from ..transport import open_listener
from ._driver import SessionDriver
from ._terminal_state import (DEFAULT_MAX_MESSAGES, DEFAULT_MAX_POSITIONS, PhoneDict,
                              TerminalRecord, phone_key)

__all__ = ["Platform", "AckFilter"]

log = logging.getLogger("jt808.platform")

#: ``(phone, header, message) -> bool``: False leaves the message unacknowledged.
AckFilter = Callable[[str, Header, Message], bool]

_RESULT_OK, _RESULT_FAILED = 0, 1
# province WORD, city WORD, maker BYTE[5], model BYTE[20], id BYTE[7], colour BYTE (2013)
_REGISTER_2013_FIXED = 2 + 2 + 5 + 20 + 7 + 1
_LOCATION_REPORT, _GENERAL_REPLY = 0x0200, 0x8001


class Platform:
    """A JT/T 808 platform for tests and demos.

    ::

        async with Platform() as platform:
            await platform.serve(["tcp://127.0.0.1:0", "udp://127.0.0.1:0"])
            url = platform.url("tcp")                      # where terminals connect
            await platform.wait_for(lambda: "13800138000" in platform.terminals)
            reply = await platform.request("13800138000", QueryTerminalParams())

    Registration (0x0100) is answered with 0x8100 and an auth code generated once per
    phone (``auth_codes`` may preset some); 0x0102 with the right code gets 0x8001 ok,
    with a wrong one 0x8001 failure. Every terminal message that wants a general reply
    gets 0x8001, except the first ``drop_reports`` location reports (0x0200) and those
    ``ack_filter`` refuses. ``drop_frame(header)`` loses incoming frames on purpose
    (e.g. one packet of a split upload). ``silent`` sends nothing at all.
    ``trace(line)`` gets one line per message in both directions (also logged at INFO);
    the lines are built only when ``trace`` is set or the ``jt808.platform`` logger is
    enabled for INFO. Each ``TerminalRecord`` keeps the last ``max_messages`` messages
    and ``max_positions`` positions (older ones dropped, counted).
    """

    def __init__(self, *, drop_reports: int = 0, ack_filter: AckFilter | None = None,
                 drop_frame: Callable[[Header], bool] | None = None, silent: bool = False,
                 auth_codes: dict[str, str] | None = None,
                 trace: Callable[[str], None] | None = None,
                 session_options: dict[str, Any] | None = None,
                 max_messages: int = DEFAULT_MAX_MESSAGES,
                 max_positions: int = DEFAULT_MAX_POSITIONS) -> None:
        self.drop_reports = drop_reports
        self.ack_filter = ack_filter
        self.drop_frame = drop_frame
        self.silent = silent
        self.trace = trace
        self.session_options = dict(session_options or {})
        self.max_messages = max_messages
        self.max_positions = max_positions
        self.terminals: dict[str, TerminalRecord] = PhoneDict()
        self.connections: dict[str, SessionDriver] = PhoneDict()
        self.bound_addresses: list[tuple[str, Any]] = []
        self._auth_codes: dict[str, str] = PhoneDict()
        self._auth_codes.update({phone_key(k): v for k, v in (auth_codes or {}).items()})
        self._listeners: list[Any] = []
        self._tg: anyio.abc.TaskGroup | None = None
        self._changed = anyio.Event()
        self._waiting = 0                       # wait_for calls in progress
        self._handlers: dict[int, Callable[[SessionDriver, Header, Any], None]] = {
            TerminalRegister.MSG_ID: self._on_register, TerminalAuth.MSG_ID: self._on_auth,
            0x0004: self._on_time_query, 0x0003: self._on_logout,
        }

    # -- lifecycle -----------------------------------------------------------------
    async def __aenter__(self) -> Platform:
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        return self

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        await self.aclose()
        assert self._tg is not None
        self._tg.cancel_scope.cancel()
        return await self._tg.__aexit__(*exc_info)

    async def aclose(self) -> None:
        for listener in self._listeners:
            await listener.aclose()
        self._listeners.clear()
        for driver in list(self.connections.values()):
            driver.closed = True
        if self._tg is not None:
            self._tg.cancel_scope.cancel()

    async def serve(self, listen_urls: Iterable[str | Any] | str | Any) -> None:
        """Listen on every URL now (errors raise here), accept in the background.

        An item may also be an open listener object (``address``, ``accept()``/``async
        for``, ``aclose()``; its ``scheme`` attribute names it, e.g. ``SmsCentreListener``);
        the platform closes it."""
        if self._tg is None:
            raise RuntimeError("use 'async with Platform() as platform' before serve()")
        single = isinstance(listen_urls, str) or hasattr(listen_urls, "aclose")
        for url in [listen_urls] if single else listen_urls:
            if isinstance(url, str):
                listener = await open_listener(url)
                scheme = url.split(":", 1)[0]
            else:
                listener, scheme = url, getattr(url, "scheme", type(url).__name__)
            self._listeners.append(listener)
            self.bound_addresses.append((scheme, listener.address))
            log.info("listening on %s %s", scheme, listener.address)
            self._tg.start_soon(self._accept_loop, listener)

    def url(self, scheme: str = "tcp") -> str:
        """``scheme://host:port`` of the first listener of ``scheme``."""
        for bound_scheme, address in self.bound_addresses:
            if bound_scheme == scheme:
                if isinstance(address, tuple):
                    return f"{scheme}://{address[0]}:{address[1]}"
                return f"{scheme}://{address}"
        raise KeyError(f"not listening on {scheme}")

    def address(self, scheme: str = "tcp") -> Any:
        for bound_scheme, address in self.bound_addresses:
            if bound_scheme == scheme:
                return address
        raise KeyError(f"not listening on {scheme}")

    async def _accept_loop(self, listener: Any) -> None:
        try:
            async for transport in listener:
                assert self._tg is not None
                self._tg.start_soon(self._serve_connection, transport)
        except TransportError as exc:
            log.info("listener stopped: %s", exc)

    async def _serve_connection(self, transport: Any) -> None:
        bearer = getattr(transport, "bearer", None) or (
            "udp" if getattr(transport, "kind", "stream") == "datagram" else "tcp")
        session = PlatformSession(bearer=bearer, **self.session_options)
        peer = getattr(transport, "remote_address", "")
        driver = SessionDriver(session, transport, drop_frame=self.drop_frame,
                               silent=lambda: self.silent, trace=self._trace,
                               trace_enabled=self._tracing,
                               name=f"[{bearer} {peer}]")
        if session.version is None:
            driver.inspect = lambda header, body: self._learn_version(driver, header, body)
        driver.on_event = lambda event: self._on_event(driver, event)
        log.info("%s connected", driver.name)
        try:
            await driver.run()
        finally:
            with anyio.CancelScope(shield=True):
                await transport.aclose()
            phone = session.phone
            if phone and self.connections.get(phone) is driver:
                del self.connections[phone]
                self.terminals[phone].authenticated = False
            log.info("%s disconnected", driver.name)
            self._notify()

    def _learn_version(self, driver: SessionDriver, header: Header, body: bytes) -> None:
        """2011 and 2013 headers look alike: tell them apart by the first frame.

        A 0x0100 body shorter than the 2013 layout's fixed part (37 bytes: its model is
        20 bytes, 2011's 8) is 2011; a phone known as 2011 stays 2011 on a new link.
        """
        driver.inspect = None                    # only the first frame decides
        if header.version is not Version.V2013 or driver.session.version is not None:
            return
        record = self.terminals.get(header.phone)
        if (header.msg_id == TerminalRegister.MSG_ID and header.packet is None
                and len(body) < _REGISTER_2013_FIXED) or (
                record is not None and record.version is Version.V2011):
            driver.session.version = Version.V2011
            log.info("%s: JT/T 808-2011 terminal", header.phone)

    # -- events --------------------------------------------------------------------
    def _on_event(self, driver: SessionDriver, event: Event) -> None:
        if isinstance(event, (MessageReceived, ReplyReceived)):
            message = event.message if isinstance(event, MessageReceived) else event.reply
            header = event.header
            record = self._record(header.phone)
            if self.connections.get(header.phone) is not driver:
                self.connections[header.phone] = driver
                record.connections += 1
                driver.name = f"[{header.phone}]"
            record.record(header, message)
            record.version = driver.session.version
            if isinstance(event, MessageReceived):
                self._answer(driver, record, header, message)
        self._notify()

    def _answer(self, driver: SessionDriver, record: TerminalRecord, header: Header,
                message: Message) -> None:
        handler = self._handlers.get(header.msg_id)
        if handler is not None:
            handler(driver, header, message)
        elif TERMINAL.expected_reply(header.msg_id) == _GENERAL_REPLY:
            if self._should_ack(record, header, message):
                driver.session.reply(header, _RESULT_OK, driver.now())
            else:
                record.unacknowledged.append((header, message))

    def _should_ack(self, record: TerminalRecord, header: Header, message: Message) -> bool:
        if header.msg_id == _LOCATION_REPORT and self.drop_reports > 0:
            self.drop_reports -= 1
            return False
        return self.ack_filter is None or self.ack_filter(record.phone, header, message)

    def _on_register(self, driver: SessionDriver, header: Header,
                     message: TerminalRegister) -> None:
        record = self._record(header.phone)
        record.registration = message
        if record.auth_code is None:
            record.auth_code = self._auth_codes.get(header.phone) or secrets.token_hex(4)
        response = TerminalRegisterResponse(header.serial, _RESULT_OK, record.auth_code)
        driver.session.send(response, driver.now())

    def _on_auth(self, driver: SessionDriver, header: Header, message: TerminalAuth) -> None:
        record = self._record(header.phone)
        ok = record.auth_code is not None and message.auth_code == record.auth_code
        record.authenticated = ok
        if not ok:
            log.warning("%s: wrong auth code %r", header.phone, message.auth_code)
        driver.session.reply(header, _RESULT_OK if ok else _RESULT_FAILED, driver.now())

    def _on_time_query(self, driver: SessionDriver, header: Header, message: Message) -> None:
        driver.session.send(ServerTimeResponse(datetime.now(timezone.utc)), driver.now())

    def _on_logout(self, driver: SessionDriver, header: Header, message: Message) -> None:
        self._record(header.phone).authenticated = False
        driver.session.reply(header, _RESULT_OK, driver.now())

    def _record(self, phone: str) -> TerminalRecord:
        record = self.terminals.get(phone)
        if record is None:
            record = self.terminals[phone] = TerminalRecord(
                phone_key(phone), max_messages=self.max_messages,
                max_positions=self.max_positions)
            if phone in self._auth_codes:
                record.auth_code = self._auth_codes[phone]
        return record

    # -- commands ------------------------------------------------------------------
    async def request(self, phone: str, message: Message, timeout: float | None = 30.0
                      ) -> Message:
        """Send a platform command to ``phone`` and return its reply.

        ``ResponseTimeout`` when none comes within ``timeout`` s (or the session's retries
        run out), ``TransportError`` when the terminal is not connected or disconnects.
        """
        return await self._driver(phone).request(message, timeout)

    async def send(self, phone: str, message: Message) -> int:
        """Send ``message`` to ``phone`` without waiting for anything; returns the serial."""
        return await self._driver(phone).send(message, expect_reply=False)

    def _driver(self, phone: str) -> SessionDriver:
        driver = self.connections.get(phone)
        if driver is None or driver.closed:
            raise TransportError(f"terminal {phone} is not connected")
        return driver

    async def disconnect(self, phone: str) -> None:
        """Close the link to ``phone`` (the terminal sees the server go away)."""
        driver = self.connections.get(phone)
        if driver is not None:
            await driver.aclose()

    # -- waiting -------------------------------------------------------------------
    async def wait_for(self, predicate: Callable[[], Any], timeout: float | None = 10.0) -> Any:
        """Wait until ``predicate()`` is truthy (checked after every event); return it.

        ``TimeoutError`` after ``timeout`` seconds.
        """
        self._waiting += 1
        try:
            with anyio.fail_after(math.inf if timeout is None else timeout):
                while not (result := predicate()):
                    await self._changed.wait()
        finally:
            self._waiting -= 1
        return result

    async def wait_message(self, phone: str, msg_id: int, count: int = 1,
                           timeout: float | None = 10.0) -> Message:
        """Wait until ``phone`` sent ``count`` messages ``msg_id``; return the last."""
        def ready() -> list[Message] | None:
            record = self.terminals.get(phone)
            found = record.messages(msg_id) if record else []
            return found if len(found) >= count else None
        return (await self.wait_for(ready, timeout))[-1]

    def _notify(self) -> None:
        if self._waiting:                       # nobody waits: no Event churn per message
            self._changed.set()
            self._changed = anyio.Event()

    def _tracing(self) -> bool:
        return self.trace is not None or log.isEnabledFor(logging.INFO)

    def _trace(self, line: str) -> None:
        log.info("%s", line)
        if self.trace is not None:
            self.trace(line)
