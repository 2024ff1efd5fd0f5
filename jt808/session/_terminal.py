"""The terminal's side of the link."""
from __future__ import annotations

from ..codec import (Heartbeat, LinkCheck, MediaUploadResponse, Message,
                     TerminalRegisterResponse, TerminalResendRequest)
from ..errors import LocalProtocolError
from ..frame import Header, Version
from ._core import Pending, Session, resend_request
from ._events import MessageAnswered
from ._packets import Partial
from ._roles import AUTHENTICATED, SEED_ENCRYPTABLE, TERMINAL

__all__ = ["TerminalSession"]

_REGISTER_REPLY = 0x8100


class TerminalSession(Session):
    """A terminal's session: registers, authenticates, heartbeats, answers link checks,
    resends packets the platform asks for (0x8003, 0x8800) and asks for missing ones
    itself in 2019 (0x0005).

    ``auth_code`` holds the code from the last successful registration.
    """

    role = TERMINAL

    def __init__(self, phone: str, version: Version = Version.V2013, **options) -> None:
        options.setdefault("encrypt_ids", SEED_ENCRYPTABLE)
        super().__init__(phone, version, **options)
        self.auth_code: str | None = None

    def send(self, message: Message, now: float, *, expect_reply: bool | None = None) -> int:
        """As :meth:`Session.send`; our own phone must be decimal digits (a platform may
        answer a device's hex-digit phone, a terminal never sends one)."""
        if not (self.phone.isascii() and self.phone.isdigit()):
            raise LocalProtocolError(f"phone {self.phone!r} is not decimal digits",
                                     msg_id=message.msg_id, field="phone")
        return super().send(message, now, expect_reply=expect_reply)

    HANDLERS = {0x8003: "_serve_resend", 0x8800: "_media_resend", 0x8204: "_link_check",
                0x8A00: "_take_key"}

    def _link_check(self, message: LinkCheck, header: Header, now: float) -> bool:
        self._safe_reply(header, 0, now)
        self._events.append(MessageAnswered(message, header))
        return True

    def _media_resend(self, message: MediaUploadResponse, header: Header, now: float) -> bool:
        if not message.packet_ids:
            return False                             # upload complete: a normal reply
        self._out.extend(self.sent.by_media_id(message.media_id, tuple(message.packet_ids),
                                               now))
        self.last_sent = now
        for pending in self.pending.values():        # restart the wait for the final 0x8800
            if getattr(pending.message, "media_id", None) == message.media_id:
                pending.deadline = now + self.retry.timeout(pending.attempts)
        return True

    def _on_reply(self, pending: Pending, reply: Message, header: Header, now: float) -> None:
        result = getattr(reply, "result", None)
        if (header.msg_id == _REGISTER_REPLY and result == 0
                and isinstance(reply, TerminalRegisterResponse)):
            self.auth_code = reply.auth_code
        new = self.role.next_state(pending.message.msg_id, header.msg_id, result)
        if new is not None:
            self._set_state(new)

    def _request_missing(self, partial: Partial, now: float) -> None:
        """In 2019, 0x0005 (see :func:`resend_request` for its form: serials, or indexes
        when the serials are not consecutive; WORD count unless ``resend_count_width``)."""
        if self.version is Version.V2019:
            self.send(resend_request(partial, TerminalResendRequest, self.resend_count_width),
                      now, expect_reply=False)

    # -- heartbeat -------------------------------------------------------------------
    def _heartbeat_due(self) -> float | None:
        interval = self.params.get(0x0001, 0)
        if self.state != AUTHENTICATED or interval <= 0 or self.last_sent is None:
            return None
        if any(p.message.msg_id == Heartbeat.MSG_ID for p in self.pending.values()):
            return None
        return self.last_sent + interval

    def _role_timer(self) -> float | None:
        return self._heartbeat_due()

    def _role_handle_timer(self, now: float) -> None:
        due = self._heartbeat_due()
        if due is not None and due <= now:
            self.send(Heartbeat(), now)
