"""What the terminal does with each session event, and how platform commands are answered.

``_on_event`` looks the event's type up in ``EVENT_METHODS`` (type -> method name) and
calls that small method; an event type not in the table is logged at debug level.
Platform commands (``MessageReceived``) are answered by the handler table of
``_handlers`` (override one with ``on(msg_id, fn)``), each in its own task. The platform
does not decide how many of those run (issue 18: every 0x8801 photo command holds its
picture): at most ``MAX_ANSWERS_PER_ID`` per message id and ``MAX_ANSWERS`` in all run
at once; a command beyond that is answered 0x0001 result 1 (failure) at once, logged
and counted in ``commands_refused``.
"""
from __future__ import annotations

import contextlib
import logging
from typing import Any, Callable

from ..codec import Message, TerminalRegisterResponse
from ..errors import JT808Error
from ..frame import Header
from ..session import (Event, MessageAnswered, MessageReceived, PeerKeyReceived,
                       ReplyReceived, RequestTimedOut, UnmatchedReply)
from ._handlers import DEFAULT_HANDLERS, Handler
from ._host import TerminalHost
from ._replies import HandlerTable

__all__ = ["DispatchMixin", "EVENT_METHODS", "Listener"]

log = logging.getLogger("jt808.terminal")
Listener = Callable[[Message, Header], Any]

MAX_ANSWERS_PER_ID = 8
MAX_ANSWERS = 64


class DispatchMixin(TerminalHost):
    """Session events in, listeners notified, platform commands answered."""

    handlers: HandlerTable
    _media_id: int
    listeners: list[Listener]
    commands_refused = 0

    def on(self, msg_id: int, handler: Handler | None) -> None:
        """Answer platform message ``msg_id`` with ``await handler(terminal, message, header)``
        instead of the default (``None`` restores the default)."""
        if handler is None:
            self.handlers[msg_id] = DEFAULT_HANDLERS.get(msg_id, DEFAULT_HANDLERS[None])
        else:
            self.handlers[msg_id] = handler

    def add_listener(self, listener: Listener) -> None:
        """``listener(message, header)`` sees every message from the platform."""
        self.listeners.append(listener)

    def next_media_id(self) -> int:
        self._media_id = self._media_id % 0xFFFFFFFF + 1
        return self._media_id

    # -- events -----------------------------------------------------------------------
    def _on_event(self, event: Event) -> None:
        name = EVENT_METHODS.get(type(event))
        if name is None:
            log.debug("session event %r", event)
        else:
            getattr(self, name)(event)

    def _on_reply(self, event: ReplyReceived) -> None:
        self._notify(event.reply, event.header)
        reply = event.reply
        if (event.header.msg_id == 0x8100 and isinstance(reply, TerminalRegisterResponse)
                and reply.result == 0):
            self._code_arrived(reply.auth_code)

    def _on_request_timed_out(self, event: RequestTimedOut) -> None:
        self._link_dead(event)

    def _on_message(self, event: MessageReceived) -> None:
        self._notify(event.message, event.header)
        msg_id = event.header.msg_id
        running = self._answering.get(msg_id, 0)
        if running >= MAX_ANSWERS_PER_ID or sum(self._answering.values()) >= MAX_ANSWERS:
            self.commands_refused += 1
            log.warning("0x%04X refused: %d already being answered", msg_id, running)
            with contextlib.suppress(JT808Error):
                self.reply(event.header, 1)
            return
        self._answering[msg_id] = running + 1
        self._require_tg().start_soon(self._answer, event.message, event.header)

    def _on_unmatched_reply(self, event: UnmatchedReply) -> None:
        self._notify(event.message, event.header)

    def _on_answered(self, event: MessageAnswered) -> None:
        self._notify(event.message, event.header)

    def _on_peer_key(self, event: PeerKeyReceived) -> None:
        if self.encryption_enabled:
            self._require_tg().start_soon(self._send_key_quietly)

    def _link_dead(self, event: RequestTimedOut) -> None:
        """Under ``run()``, a request unanswered after every retransmission on a link
        from which nothing at all came for that whole retransmission window means the
        link is dead (JT/T 808-2013 §5.3): drop it, ``run()`` reconnects. A half-open
        TCP connection is found this way. A platform that ignores one message but
        answers others (heartbeats, reports) keeps the link (issue 14)."""
        driver = self._driver
        if not (self._running and driver is not None and not driver.datagram):
            return
        session = self.session
        window = sum(session.retry.timeout(n) for n in range(1, event.attempts + 1))
        heard = session.last_received
        if heard is not None and self.clock() - heard < window:
            log.info("no reply to 0x%04X after %d attempts, but the link is alive: kept",
                     event.request.msg_id, event.attempts)
            return
        log.info("no reply to 0x%04X after %d attempts and nothing heard for %.0f s: "
                 "dropping the link", event.request.msg_id, event.attempts, window)
        driver.stop()

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
        finally:
            left = self._answering.get(header.msg_id, 1) - 1
            if left > 0:
                self._answering[header.msg_id] = left
            else:
                self._answering.pop(header.msg_id, None)


EVENT_METHODS: dict[type, str] = {
    ReplyReceived: "_on_reply",
    RequestTimedOut: "_on_request_timed_out",
    MessageReceived: "_on_message",
    UnmatchedReply: "_on_unmatched_reply",
    MessageAnswered: "_on_answered",
    PeerKeyReceived: "_on_peer_key",
}
