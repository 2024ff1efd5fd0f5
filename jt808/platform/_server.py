"""The reference platform: many terminals over any listener, one session per connection."""
from __future__ import annotations

import codecs
import collections
import logging
import math
from collections.abc import Callable, Iterable
from typing import Any

import anyio

from ..codec import Message, TerminalAuth, TerminalRegister
from ..errors import TransportError
from ..frame import Header, Version
from ..session import PlatformSession, ReassemblyLimits
from ..transport import open_listener
from ._accept import accept_forever
from ._driver import SessionDriver
from ._handlers import TerminalHandlers
from ._links import (DEFAULT_AUTH_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_UDP_PEERS, Link,
                     LinkLimits, LinkTable)
from ._rsa_guard import DEFAULT_RSA_BUDGET
from ._terminal_state import (DEFAULT_MAX_BYTES, DEFAULT_MAX_MESSAGES, DEFAULT_MAX_POSITIONS,
                              PhoneDict, TerminalRecord, phone_key)

__all__ = ["Platform", "AckFilter"]

log = logging.getLogger("jt808.platform")

# Terminal text is GBK, whose codec module is imported on first use: load it now, so a
# platform at its file-descriptor limit does not fail to decode the first registration.
codecs.lookup("gbk")

#: ``(phone, header, message) -> bool``: False leaves the message unacknowledged.
AckFilter = Callable[[str, Header, Message], bool]

#: Reassembly for a connection that has not authenticated: one message of 64 KiB.
UNAUTHENTICATED_LIMITS = ReassemblyLimits(max_packets=64, max_bytes=64 * 1024,
                                          max_messages=1, timeout=10.0, max_requests=1)
#: Registered phones that never authenticated, kept at most (oldest forgotten first).
DEFAULT_MAX_UNAUTHENTICATED = 1_000
#: Estimated bytes all records keep together (the largest is cut to an eighth past it).
DEFAULT_MAX_KEPT_BYTES = 256 * 1024 * 1024
#: Bytes all connections may hold in messages being reassembled (largest dropped first).
DEFAULT_MAX_REASSEMBLY_BYTES = 64 * 1024 * 1024
# province WORD, city WORD, maker BYTE[5], model BYTE[20], id BYTE[7], colour BYTE (2013)
_REGISTER_2013_FIXED = 2 + 2 + 5 + 20 + 7 + 1


class Platform(TerminalHandlers):
    """A JT/T 808 platform for tests and demos.

    ::

        async with Platform() as platform:
            await platform.serve(["tcp://127.0.0.1:0", "udp://127.0.0.1:0"])
            url = platform.url("tcp")                      # where terminals connect
            await platform.wait_for(lambda: "13800138000" in platform.terminals)
            reply = await platform.request("13800138000", QueryTerminalParams())

    Registration (0x0100) is answered with 0x8100 and an auth code generated once per
    phone (``auth_codes`` may preset some); a phone authenticated on another live
    connection gets 0x8100 result 3 (already registered) and no code. 0x0102 with the
    right code gets 0x8001 ok, with a wrong one 0x8001 failure. Every terminal message
    that wants a general reply gets 0x8001, except the first ``drop_reports`` location
    reports (0x0200) and those ``ack_filter`` refuses. ``drop_frame(header)`` loses
    incoming frames on purpose (e.g. one packet of a split upload). ``silent`` sends
    nothing at all. ``trace(line)`` gets one line per message in both directions (also
    logged at INFO); the lines are built only when ``trace`` is set or the
    ``jt808.platform`` logger is enabled for INFO. Each ``TerminalRecord`` keeps the last
    ``max_messages`` messages and ``max_positions`` positions, at most ``max_bytes``
    estimated bytes of each (older ones dropped, counted); all records together at most
    ``max_kept_bytes`` (the largest record is halved when it is passed).

    Hostile and broken peers (docs/robustness.md):

    - State belongs to the connection that authenticated: until 0x0102 succeeds on a
      connection, everything but register/auth/logout/heartbeat/time query is answered
      0x8001 result 1 and not recorded (``refused`` counts it); a frame naming another
      phone than the one authenticated on that connection is refused the same way. A
      second connection takes over a phone only by authenticating (the old one is
      closed). The version learnt from a connection's first frame is remembered for the
      phone only once that connection authenticated.
    - Each connection runs behind a guard: an unexpected exception (a handler bug, a
      message the session mishandles) closes that connection, logs the traceback and
      counts it in ``faults``; the others are served on.
    - ``idle_timeout`` s without input (default 180: 3 heartbeats of 60 s) closes a
      connection, ``auth_timeout`` s (default 60) without authenticating too (not SMS
      links: ``SmsCentreListener(max_peers)`` bounds those); at most
      ``max_udp_peers`` UDP peers are kept (least recently active closed first);
      ``evicted`` counts closures by reason. A listener out of file descriptors backs off
      and keeps accepting, closing the idlest unauthenticated connections first.
    - Unauthenticated connections reassemble at most one message of 64 KiB
      (``UNAUTHENTICATED_LIMITS``); all connections together hold at most
      ``max_reassembly_bytes`` in unfinished messages. Registered phones that never
      authenticate are kept at most ``max_unauthenticated`` (oldest forgotten).
    - An ``rsa_key`` in ``session_options`` decrypts only for a connection that
      authenticated and sent its own key (0x0A00), in a worker thread, at most
      ``rsa_budget`` = (bytes, seconds) per connection (default 1 MiB per minute; past
      it an encrypted message is answered result 2 without being decrypted).
    """

    def __init__(self, *, drop_reports: int = 0, ack_filter: AckFilter | None = None,
                 drop_frame: Callable[[Header], bool] | None = None, silent: bool = False,
                 auth_codes: dict[str, str] | None = None,
                 trace: Callable[[str], None] | None = None,
                 session_options: dict[str, Any] | None = None,
                 max_messages: int = DEFAULT_MAX_MESSAGES,
                 max_positions: int = DEFAULT_MAX_POSITIONS,
                 max_bytes: int | None = DEFAULT_MAX_BYTES,
                 max_kept_bytes: int = DEFAULT_MAX_KEPT_BYTES,
                 idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
                 auth_timeout: float | None = DEFAULT_AUTH_TIMEOUT,
                 max_udp_peers: int | None = DEFAULT_MAX_UDP_PEERS,
                 max_unauthenticated: int = DEFAULT_MAX_UNAUTHENTICATED,
                 max_reassembly_bytes: int = DEFAULT_MAX_REASSEMBLY_BYTES,
                 rsa_budget: tuple[int, float] = DEFAULT_RSA_BUDGET) -> None:
        self.drop_reports = drop_reports
        self.ack_filter = ack_filter
        self.drop_frame = drop_frame
        self.silent = silent
        self.trace = trace
        self.session_options = dict(session_options or {})
        self._rsa_key = self.session_options.pop("rsa_key", None)
        self._limits = self.session_options.pop("limits", None) or ReassemblyLimits()
        self.max_messages = max_messages
        self.max_positions = max_positions
        self.max_bytes = max_bytes
        self.max_kept_bytes = max_kept_bytes
        self.max_unauthenticated = max_unauthenticated
        self.max_reassembly_bytes = max_reassembly_bytes
        self.rsa_budget = rsa_budget
        self.terminals: dict[str, TerminalRecord] = PhoneDict()
        self.connections: dict[str, SessionDriver] = PhoneDict()
        self.links = LinkTable(LinkLimits(idle_timeout, auth_timeout, max_udp_peers))
        self.bound_addresses: list[tuple[str, Any]] = []
        self.faults = 0                         # connections closed by the guard
        self.refused = 0                        # messages refused (not authenticated)
        self._auth_codes: dict[str, str] = PhoneDict()
        self._auth_codes.update({phone_key(k): v for k, v in (auth_codes or {}).items()})
        self._never_authenticated: collections.OrderedDict[str, None] = \
            collections.OrderedDict()
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
        self._tg.start_soon(self._reap_loop)
        return self

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        # shielded: left through a timeout or cancellation, the close must still run and
        # the task group must still be exited, or the caller's cancel scope is left with
        # ours inside it ("Attempted to exit a cancel scope that isn't the current ...")
        with anyio.CancelScope(shield=True):
            await self.aclose()
        assert self._tg is not None
        self._tg.cancel_scope.cancel()
        return await self._tg.__aexit__(*exc_info)

    async def aclose(self) -> None:
        for listener in self._listeners:
            await listener.aclose()
        self._listeners.clear()
        for link in self.links:
            link.driver.closed = True
        if self._tg is not None:
            self._tg.cancel_scope.cancel()

    async def serve(self, listen_urls: Iterable[str | Any] | str | Any) -> None:
        """Listen on every URL now (errors raise here), accept in the background.

        An item may also be an open listener object (``address``, ``accept()``,
        ``aclose()``; its ``scheme`` attribute names it, e.g. ``SmsCentreListener``);
        the platform closes it."""
        if self._tg is None:
            raise RuntimeError("use 'async with Platform() as platform' before serve()")
        single = isinstance(listen_urls, str) or hasattr(listen_urls, "aclose")
        listener: Any
        for url in [listen_urls] if single else listen_urls:
            if isinstance(url, str):
                listener = await open_listener(url)
                scheme = url.split(":", 1)[0]
            else:
                listener, scheme = url, getattr(url, "scheme", type(url).__name__)
            self._listeners.append(listener)
            self.bound_addresses.append((scheme, listener.address))
            log.info("listening on %s %s", scheme, listener.address)
            self._tg.start_soon(accept_forever, listener, self._start_connection,
                                self._make_room)

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

    # -- connections ---------------------------------------------------------------
    def _start_connection(self, transport: Any) -> None:
        assert self._tg is not None
        self._tg.start_soon(self._serve_connection, transport)

    async def _serve_connection(self, transport: Any) -> None:
        bearer = getattr(transport, "bearer", None) or (
            "udp" if getattr(transport, "kind", "stream") == "datagram" else "tcp")
        session = PlatformSession(bearer=bearer, limits=UNAUTHENTICATED_LIMITS,
                                  **self.session_options)
        peer = getattr(transport, "remote_address", "")
        driver = SessionDriver(session, transport, drop_frame=self.drop_frame,
                               silent=lambda: self.silent, trace=self._trace,
                               trace_enabled=self._tracing,
                               name=f"[{bearer} {peer}]")
        if session.version is None:
            driver.inspect = lambda header, body: self._learn_version(driver, header, body)
        driver.on_event = lambda event: self._on_event(driver, event)
        link = Link(driver, driver.datagram, driver.now(), bearer)
        for victim in self.links.add(link):
            self._close_soon(victim, "UDP peers over the bound")
        log.info("%s connected", driver.name)
        try:
            await driver.run()
        except Exception:                       # the guard: this connection only
            self.faults += 1
            log.exception("%s: closed after an unexpected error", driver.name)
        finally:
            self.links.remove(link)
            with anyio.CancelScope(shield=True):
                await transport.aclose()
            phone = link.phone
            if phone and self.connections.get(phone) is driver:
                del self.connections[phone]
                self.terminals[phone].authenticated = False
            log.info("%s disconnected", driver.name)
            self._notify()

    def _close_soon(self, link: Link, why: str) -> None:
        log.info("%s closed: %s", link.driver.name, why)
        link.driver.closed = True
        assert self._tg is not None
        self._tg.start_soon(link.driver.transport.aclose)

    def _make_room(self) -> int:
        """Out of descriptors: close the idlest unauthenticated connections."""
        victims = self.links.idlest_unauthenticated(4)
        self.links.evicted["descriptors exhausted"] += len(victims)
        for link in victims:
            self._close_soon(link, "out of file descriptors, idlest unauthenticated")
        return len(victims)

    async def _reap_loop(self) -> None:
        """Close idle and never-authenticated connections; keep reassembly in budget."""
        interval = self.links.limits.check_interval()
        while True:
            await anyio.sleep(interval)
            expired = self.links.expired(anyio.current_time())
            for link in expired:
                self._close_soon(link, "idle or never authenticated")
            if self._bound_reassembly() or expired:
                self._notify()

    def _bound_reassembly(self) -> bool:
        held = [(sum(p.size for p in link.driver.session.reassembler.partials.values()), link)
                for link in self.links]
        total = sum(size for size, _ in held)
        if total <= self.max_reassembly_bytes:
            return False
        for size, link in sorted(held, key=lambda item: -item[0]):
            if total <= self.max_reassembly_bytes or size == 0:
                break
            link.driver.session.reassembler.partials.clear()
            self.links.evicted["reassembly over budget (messages dropped)"] += 1
            log.warning("%s: unfinished messages dropped (%d bytes; all links hold %d)",
                        link.driver.name, size, total)
            total -= size
        return True

    def _learn_version(self, driver: SessionDriver, header: Header, body: bytes) -> None:
        """2011 and 2013 headers look alike: tell them apart by the first frame.

        A 0x0100 body shorter than the 2013 layout's fixed part (37 bytes: its model is
        20 bytes, 2011's 8) is 2011; a phone that authenticated as 2011 stays 2011 on a
        new link.
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
