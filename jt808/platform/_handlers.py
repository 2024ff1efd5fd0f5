"""How the platform answers what terminals send, and who owns a phone.

State belongs to the connection that authenticated: before 0x0102 succeeds on a
connection only register/auth/logout/heartbeat/time query are served; the rest is
refused (0x8001 result 1) and not recorded. Mixed into ``Platform``.
"""
from __future__ import annotations

import collections
import logging
import secrets
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable

from ..codec import (Message, ServerTimeResponse, TerminalAuth, TerminalRegister,
                     TerminalRegisterResponse)
from ..errors import LocalProtocolError
from ..frame import Header
from ..session import TERMINAL, Event, MessageReceived, PeerKeyReceived, ReplyReceived
from ._driver import SessionDriver
from ._links import Link
from ._rsa_guard import BudgetedKeyPair
from ._terminal_state import TerminalRecord, phone_key

if TYPE_CHECKING:
    from ..session import ReassemblyLimits, RsaKeyPair
    from ._links import LinkTable
    from ._server import AckFilter

__all__ = ["TerminalHandlers"]

log = logging.getLogger("jt808.platform")

_RESULT_OK, _RESULT_FAILED, _RESULT_UNSUPPORTED = 0, 1, 3
_ALREADY_REGISTERED = 3                  # 0x8100 result: terminal already registered
_HEARTBEAT, _LOCATION_REPORT, _GENERAL_REPLY = 0x0002, 0x0200, 0x8001


class TerminalHandlers:
    """The message side of ``Platform`` (it supplies the attributes used here)."""

    # set by Platform.__init__
    terminals: dict[str, TerminalRecord]
    connections: dict[str, SessionDriver]
    links: LinkTable
    refused: int
    drop_reports: int
    ack_filter: AckFilter | None
    max_messages: int
    max_positions: int
    max_bytes: int | None
    max_kept_bytes: int
    max_unauthenticated: int
    rsa_budget: tuple[int, float]
    _rsa_key: RsaKeyPair | None
    _limits: ReassemblyLimits
    _auth_codes: dict[str, str]
    _handlers: dict[int, Callable[[SessionDriver, Header, Any], None]]
    _never_authenticated: collections.OrderedDict[str, None]

    if TYPE_CHECKING:                          # methods of Platform
        def _close_soon(self, link: Link, why: str) -> None: ...
        def _notify(self) -> None: ...

    # -- events --------------------------------------------------------------------
    def _on_event(self, driver: SessionDriver, event: Event) -> None:
        link = self.links.get(driver)
        if isinstance(event, MessageReceived):
            self._on_message(driver, link, event.header, event.message)
        elif isinstance(event, ReplyReceived):
            if link is not None and link.phone is not None and self._owns(link, event.header):
                self.terminals[link.phone].record(event.header, event.reply)
        elif isinstance(event, PeerKeyReceived) and link is not None:
            self._agree_encryption(link)
        self._notify()

    @staticmethod
    def _owns(link: Link, header: Header) -> bool:
        return link.authenticated and phone_key(header.phone) == link.phone

    def _on_message(self, driver: SessionDriver, link: Link | None, header: Header,
                    message: Message) -> None:
        msg_id = header.msg_id
        if link is None or link.phone is None or not self._owns(link, header):
            if msg_id in self._handlers:
                self._handlers[msg_id](driver, header, message)
            elif msg_id == _HEARTBEAT:
                driver.session.reply(header, _RESULT_OK, driver.now())
            else:
                self._refuse(driver, header)
            return
        record = self.terminals[link.phone]
        record.record(header, message)
        self._keep_within_budget(record)
        handler = self._handlers.get(msg_id)
        if handler is not None:
            handler(driver, header, message)
        elif TERMINAL.expected_reply(msg_id) == _GENERAL_REPLY:
            if self._should_ack(record, header, message):
                driver.session.reply(header, _RESULT_OK, driver.now())
            else:
                record.unacknowledged.append((header, message))

    def _refuse(self, driver: SessionDriver, header: Header) -> None:
        """Not authenticated on this connection (as this phone): 0x8001 result 1."""
        self.refused += 1
        log.debug("%s: 0x%04X from %s refused: not authenticated on this connection",
                  driver.name, header.msg_id, header.phone)
        if TERMINAL.expected_reply(header.msg_id) == _GENERAL_REPLY:
            driver.session.reply(header, _RESULT_FAILED, driver.now())

    def _keep_within_budget(self, record: TerminalRecord) -> None:
        if record.kept_bytes <= self.max_kept_bytes // 2 or len(self.terminals) < 2:
            return
        total = sum(r.kept_bytes for r in self.terminals.values())
        if total > self.max_kept_bytes:
            largest = max(self.terminals.values(), key=lambda r: r.kept_bytes)
            largest.shrink_to(largest.kept_bytes // 8)

    def _should_ack(self, record: TerminalRecord, header: Header, message: Message) -> bool:
        if header.msg_id == _LOCATION_REPORT and self.drop_reports > 0:
            self.drop_reports -= 1
            return False
        return self.ack_filter is None or self.ack_filter(record.phone, header, message)

    def _on_register(self, driver: SessionDriver, header: Header,
                     message: TerminalRegister) -> None:
        owner = self.connections.get(header.phone)
        if owner is not None and owner is not driver and not owner.closed:
            log.warning("%s: registration for %s refused: authenticated on %s",
                        driver.name, header.phone, owner.name)
            driver.session.send(TerminalRegisterResponse(header.serial, _ALREADY_REGISTERED),
                                driver.now())
            return
        record = self._record(header.phone)
        if owner is not driver:
            record.record(header, message)
            driver.session.phone = header.phone  # answer as the phone that registers
        record.registration = message
        if record.auth_code is None:
            record.auth_code = self._auth_codes.get(header.phone) or secrets.token_hex(4)
        response = TerminalRegisterResponse(header.serial, _RESULT_OK, record.auth_code)
        driver.session.send(response, driver.now())

    def _on_auth(self, driver: SessionDriver, header: Header, message: TerminalAuth) -> None:
        record = self.terminals.get(header.phone)
        if record is None and header.phone in self._auth_codes:
            record = self._record(header.phone)     # a preset code needs no registration
        ok = record is not None and record.auth_code is not None \
            and message.auth_code == record.auth_code
        if record is None or not ok:
            log.warning("%s: wrong auth code %r for %s", driver.name, message.auth_code,
                        header.phone)
            driver.session.reply(header, _RESULT_FAILED, driver.now())
            return
        link = self.links.get(driver)
        driver.session.phone = header.phone
        if link is not None and link.phone != record.phone:
            self._take_over(driver, link, record, header, message)
        driver.session.reply(header, _RESULT_OK, driver.now())
        if link is not None and link.peer_key:
            self._agree_encryption(link)

    def _take_over(self, driver: SessionDriver, link: Link, record: TerminalRecord,
                   header: Header, message: Message) -> None:
        """``driver``'s connection is now ``record``'s phone; an older one is closed."""
        if link.phone is not None and self.connections.get(link.phone) is driver:
            del self.connections[link.phone]     # this connection was another phone
            self.terminals[link.phone].authenticated = False
        previous = self.connections.get(record.phone)
        if previous is not None and previous is not driver:
            old = self.links.get(previous)
            if old is not None:
                old.phone = None                 # its close must not touch the new state
                self._close_soon(old, f"{record.phone} authenticated on another connection")
        link.phone = record.phone
        self.connections[record.phone] = driver
        self._never_authenticated.pop(record.phone, None)
        record.connections += 1
        record.authenticated = True
        record.version = driver.session.version
        record.record(header, message)
        driver.name = f"[{record.phone}]"
        driver.session.reassembler.limits = self._limits

    def _agree_encryption(self, link: Link) -> None:
        """The terminal sent its key: decrypt for it only once it authenticated."""
        link.peer_key = True
        session = link.driver.session
        if link.authenticated and self._rsa_key is not None and session.rsa_key is None:
            session.rsa_key = BudgetedKeyPair(self._rsa_key, *self.rsa_budget)
            link.driver.offload_input = True

    def _on_time_query(self, driver: SessionDriver, header: Header, message: Message) -> None:
        try:
            driver.session.send(ServerTimeResponse(datetime.now(timezone.utc)), driver.now())
        except LocalProtocolError:              # 0x8004 does not exist in 2011
            driver.session.reply(header, _RESULT_UNSUPPORTED, driver.now())

    def _on_logout(self, driver: SessionDriver, header: Header, message: Message) -> None:
        link = self.links.get(driver)
        if link is not None and link.phone is not None and self._owns(link, header):
            self.terminals[link.phone].authenticated = False
        driver.session.reply(header, _RESULT_OK, driver.now())

    def _record(self, phone: str) -> TerminalRecord:
        record = self.terminals.get(phone)
        if record is None:
            record = self.terminals[phone] = TerminalRecord(
                phone_key(phone), max_messages=self.max_messages,
                max_positions=self.max_positions, max_bytes=self.max_bytes)
            if phone in self._auth_codes:
                record.auth_code = self._auth_codes[phone]
            self._remember_unauthenticated(record.phone)
        return record

    def _remember_unauthenticated(self, phone: str) -> None:
        """A record made by a registration alone: the oldest such go past the bound."""
        self._never_authenticated[phone] = None
        while len(self._never_authenticated) > self.max_unauthenticated:
            oldest, _ = self._never_authenticated.popitem(last=False)
            record = self.terminals.get(oldest)
            if record is not None and record.connections == 0:
                del self.terminals[oldest]
