"""The sans-IO session shared by both roles: serials, replies, retries, subpackets, RSA.

Drive it with bytes and time::

    serial = session.send(message, now)       # queue a message (split, encrypted, retried)
    wire = session.data_to_send()             # bytes for a stream transport
    wire = session.datagrams_to_send()        # or one frame per datagram
    session.receive_data(data, now)           # bytes from the peer
    while (event := session.next_event()) is not None: ...
    timer = session.get_timer()               # absolute time of the next timer, or None
    session.handle_timer(now)                 # call when that time has come
"""
from __future__ import annotations

import collections
from typing import Iterable

import attrs

from ..codec import (MediaUploadResponse, Message, PlatformGeneralResponse, PlatformRsaKey,
                     ResendRequest, TerminalGeneralResponse, TerminalResendRequest,
                     TerminalRsaKey, decode_body, encode_body)
from ..errors import (DecryptionError, FrameError, JT808Error, LocalProtocolError,
                      RemoteProtocolError)
from ..frame import MAX_BODY, Frame, Framer, Header, Version, pack
from . import _crypto
from ._events import (Event, MessageReceived, PeerKeyReceived, ProtocolErrorReceived,
                      ReassemblyFailed, ReplyReceived, RequestTimedOut, StateChanged,
                      UnmatchedReply)
from ._packets import (Partial, Reassembler, ReassemblyLimits, SentMessage, SentStore,
                       split_body)
from ._retry import LINK_PARAM_DEFAULTS, Bearer, RetryPolicy
from ._roles import CLOSED, CONNECTED, Role

__all__ = ["Session", "Pending"]

_MEDIA_UPLOAD = 0x0801
_RESULT_WRONG_MESSAGE = 2
#: ProtocolErrorReceived events kept undrained at once (more are counted, not queued)
MAX_ERROR_EVENTS = 64


@attrs.define(slots=True)
class Pending:
    """A request waiting for its reply."""

    message: Message
    serial: int
    serials: tuple[int, ...]
    frames: list[bytes]
    reply_id: int
    attempts: int
    deadline: float


class Session:
    """Common machinery; use :class:`TerminalSession` or :class:`PlatformSession`."""

    role: Role
    #: msg_id -> name of the method that handles it inside the session (link-level
    #: messages); a method returning True keeps the message from the application.
    HANDLERS: dict[int, str] = {}

    def __init__(self, phone: str, version: Version | None = Version.V2013, *,
                 bearer: Bearer = "tcp", params: dict[int, int] | None = None,
                 max_body: int = MAX_BODY, limits: ReassemblyLimits | None = None,
                 sent_store: SentStore | None = None, state: str = CONNECTED,
                 rsa_key: _crypto.RsaKeyPair | None = None,
                 encrypt_ids: Iterable[int] = ()) -> None:
        if not 1 <= max_body <= MAX_BODY:
            raise ValueError(f"max_body must be 1..{MAX_BODY}, got {max_body}")
        self.phone = phone
        self.version = Version(version) if version is not None else None
        self.bearer = bearer
        self.params: dict[int, int] = dict(LINK_PARAM_DEFAULTS)
        self.params.update(params or {})
        self.retry = RetryPolicy.from_params(self.params, bearer)
        self.max_body = max_body
        self.state = state
        self.framer = Framer(self.version)
        self.reassembler = Reassembler(limits)
        self.sent = sent_store or SentStore()
        self.rsa_key = rsa_key
        self.peer_key = None
        self.encrypt = False
        self.encrypt_ids = frozenset(encrypt_ids)
        self.pending: dict[int, Pending] = {}
        self._serial = 0
        self._out: list[bytes] = []
        self._events: collections.deque[Event] = collections.deque()
        self._error_events = 0                  # ProtocolErrorReceived in _events
        self.errors_dropped = 0                 # not queued: MAX_ERROR_EVENTS waited
        self.last_sent: float | None = None
        self.last_received: float | None = None

    # -- configuration -------------------------------------------------------------
    def update_params(self, params: dict[int, int]) -> None:
        """Apply new link parameters (0x0001-0x0007), e.g. after 0x8103."""
        self.params.update({k: v for k, v in params.items() if k in LINK_PARAM_DEFAULTS})
        self.retry = RetryPolicy.from_params(self.params, self.bearer)

    def set_peer_key(self, e: int, n: int) -> None:
        self.peer_key = _crypto.public_key_from_numbers(e, n)

    def connection_made(self, now: float | None = None) -> None:
        """A new link (reconnect): unfinished input is dropped, the state restarts."""
        self.framer = Framer(self.version)
        self._set_state(CONNECTED)

    def close(self) -> None:
        self._set_state(CLOSED)
        self.pending.clear()

    # -- output --------------------------------------------------------------------
    def next_serial(self) -> int:
        serial = self._serial
        self._serial = (serial + 1) & 0xFFFF
        return serial

    def send(self, message: Message, now: float, *, expect_reply: bool | None = None) -> int:
        """Queue ``message``; returns its serial (the first packet's when split)."""
        msg_id = message.msg_id
        self._check_allowed(msg_id)
        version = self.version or Version.V2013
        body = encode_body(message, version)
        encryption = 0
        if self._should_encrypt(msg_id):
            body = _crypto.encrypt_body(body, self.peer_key)
            encryption = 1
        if len(body) <= self.max_body:            # the common case: one packet
            serials = (self.next_serial(),)
            frames = [pack(Frame(Header(msg_id, self.phone, serials[0], version, encryption),
                                 body))]
        else:
            serials, frames = self._split(message, body, encryption, version, now)
        self._out.extend(frames)
        self.last_sent = now
        reply_id = self.role.expected_reply(msg_id)
        if expect_reply is None:
            expect_reply = reply_id is not None
        if expect_reply:
            self.pending[serials[0]] = Pending(message, serials[0], serials, frames,
                                               reply_id or self.role.general_reply, 1,
                                               now + self.retry.timeout(1))
        return serials[0]

    def _split(self, message: Message, body: bytes, encryption: int, version: Version,
               now: float) -> tuple[tuple[int, ...], list[bytes]]:
        """Subpackets, each with its own serial; kept in the sent store for resends."""
        pieces = split_body(body, self.max_body)
        serials = tuple(self.next_serial() for _ in pieces)
        total = len(pieces)
        frames = [pack(Frame(Header(message.msg_id, self.phone, serial, version, encryption,
                                    (total, index)), piece))
                  for index, (serial, piece) in enumerate(zip(serials, pieces), 1)]
        self.sent.add(SentMessage(message.msg_id, list(serials), frames, now,
                                  getattr(message, "media_id", None)))
        return serials, frames

    def reply(self, header: Header, result: int, now: float) -> int:
        """Send the general reply (0x0001 or 0x8001) to the message with ``header``."""
        cls = TerminalGeneralResponse if self.role.general_reply == 0x8001 \
            else PlatformGeneralResponse
        return self.send(cls(header.serial, header.msg_id, result), now, expect_reply=False)

    def data_to_send(self) -> bytes:
        out, self._out = self._out, []
        return b"".join(out)

    def datagrams_to_send(self) -> list[bytes]:
        out, self._out = self._out, []
        return out

    def _check_allowed(self, msg_id: int) -> None:
        allowed = self.role.allowed.get(self.state)
        if allowed is not None and msg_id not in allowed:
            raise LocalProtocolError(f"a {self.role.name} may not send this while {self.state}",
                                     msg_id=msg_id)

    def _should_encrypt(self, msg_id: int) -> bool:
        return self.encrypt and self.peer_key is not None and msg_id in self.encrypt_ids

    # -- input ---------------------------------------------------------------------
    def receive_data(self, data: bytes, now: float) -> None:
        """Bytes (or one datagram) from the peer."""
        self.last_received = now
        for item in self.framer.feed_events(data):
            if isinstance(item, FrameError):
                self._protocol_error(item)
            else:
                self._receive_frame(item, now)

    def next_event(self) -> Event | None:
        if not self._events:
            return None
        event = self._events.popleft()
        if type(event) is ProtocolErrorReceived:
            self._error_events -= 1
        return event

    def _protocol_error(self, error: JT808Error, header: Header | None = None) -> None:
        """Queue a ``ProtocolErrorReceived`` unless ``MAX_ERROR_EVENTS`` wait undrained:
        a peer sending 3-byte bad frames must not queue one event (exception and
        traceback, ~1.5 KB) per 3 bytes of a receive; the excess is only counted."""
        if self._error_events >= MAX_ERROR_EVENTS:
            self.errors_dropped += 1
            return
        self._error_events += 1
        # The traceback (our parser's frames) is no use to the application and is most
        # of an error's memory: drop it.
        self._events.append(ProtocolErrorReceived(error.with_traceback(None), header))

    def _receive_frame(self, frame: Frame, now: float) -> None:
        header = frame.header
        if self.version is None:
            self.version = header.version
            self.framer.version = None
        body = frame.body
        if header.packet is not None and header.packet[0] > 1:
            total, index = header.packet
            body, refused = self.reassembler.add(header.msg_id, header.serial, total, index,
                                                 header.encryption, body, now)
            self._report_dropped(refused)
            if body is None:
                if index == total:
                    self._ask_missing(header, now)
                return
        try:
            if header.encryption & 1:
                body = self._decrypt(body, header.msg_id)
            message = decode_body(header.msg_id, body, self.version or header.version)
        except RemoteProtocolError as exc:
            self._protocol_error(exc, header)
            if header.msg_id not in self.role.reply_only and self.state != CLOSED:
                self._safe_reply(header, _RESULT_WRONG_MESSAGE, now)
            return
        self._dispatch(message, header, now)

    def _decrypt(self, body: bytes, msg_id: int) -> bytes:
        if self.rsa_key is None:
            raise DecryptionError("encrypted body but no RSA key of ours", msg_id=msg_id)
        return _crypto.decrypt_body(body, self.rsa_key.private_key, msg_id)

    def _dispatch(self, message: Message, header: Header, now: float) -> None:
        handler = self.HANDLERS.get(header.msg_id)
        if handler is not None and getattr(self, handler)(message, header, now):
            return
        pending = self._match(message, header)
        if pending is not None:
            del self.pending[pending.serial]
            self._on_reply(pending, message, header, now)
            self._events.append(ReplyReceived(pending.message, pending.serial, message, header))
        elif header.msg_id in self.role.reply_only:
            if not self._absorbed(message):
                self._events.append(UnmatchedReply(message, header))
        else:
            self._events.append(MessageReceived(message, header))

    def _on_reply(self, pending: Pending, reply: Message, header: Header, now: float) -> None:
        """State changes that follow a reply (per role)."""

    # -- reply matching ------------------------------------------------------------
    def _match(self, message: Message, header: Header) -> Pending | None:
        reply_serial = getattr(message, "reply_serial", None)
        if reply_serial is not None:
            pending = self.pending.get(reply_serial)
            if pending is None:
                pending = self._pending_by_last_serial(reply_serial)
            if pending is None or not self._answers(pending, header.msg_id):
                return None
            reply_id = getattr(message, "reply_id", None)
            if reply_id is not None and reply_id != pending.message.msg_id:
                return None
            return pending
        for pending in self.pending.values():       # replies without a serial: oldest first
            if pending.reply_id == header.msg_id and self._same_media(pending, message):
                return pending
        return None

    def _answers(self, pending: Pending, reply_msg_id: int) -> bool:
        """The expected reply, or a general reply (a peer may refuse or not support any
        request with one: e.g. 0x0001 result 3 to an 0x8801 that expects 0x0805)."""
        return reply_msg_id == pending.reply_id or reply_msg_id == self.role.general_reply

    def _pending_by_last_serial(self, serial: int) -> Pending | None:
        for pending in self.pending.values():
            if len(pending.serials) > 1 and pending.serials[-1] == serial:
                return pending
        return None

    def _absorbed(self, message: Message) -> bool:
        """A general reply to a middle packet of a split message is not 'unmatched'."""
        serial = getattr(message, "reply_serial", None)
        reply_id = getattr(message, "reply_id", None)
        return serial is not None and any(
            len(p.serials) > 1 and serial in p.serials and reply_id == p.message.msg_id
            for p in self.pending.values())

    @staticmethod
    def _same_media(pending: Pending, message: Message) -> bool:
        media_id = getattr(message, "media_id", None)
        return media_id is None or getattr(pending.message, "media_id", None) == media_id

    # -- resends -------------------------------------------------------------------
    def _resend_serials(self, message: ResendRequest, header: Header, now: float) -> bool:
        frames = self.sent.by_serials(message.original_serial, tuple(message.packet_ids))
        self._out.extend(frames)
        if frames:
            self.last_sent = now
        return True

    def _ask_missing(self, header: Header, now: float) -> None:
        """The last packet came and others are missing: ask for them now."""
        first = (header.serial - header.packet[1] + 1) & 0xFFFF
        partial = self.reassembler.partials.get((header.msg_id, first, header.packet[0]))
        if partial is not None and partial.requests < self.reassembler.limits.max_requests:
            partial.requests += 1
            self._safe_request_missing(partial, now)

    def _request_missing(self, partial: Partial, now: float) -> None:
        """Role-specific: 0x8003 / 0x8800 from a platform, 0x0005 from a 2019 terminal."""

    def _safe_request_missing(self, partial: Partial, now: float) -> None:
        try:
            self._request_missing(partial, now)
        except LocalProtocolError:
            pass                                     # state forbids it: stay silent

    def _report_dropped(self, refused: str | None) -> None:
        for partial in self.reassembler.take_dropped():
            self._events.append(ReassemblyFailed(partial.msg_id, partial.first_serial,
                                                 partial.total, partial.missing(),
                                                 refused or "too many messages in reassembly"))

    def _take_key(self, message: PlatformRsaKey | TerminalRsaKey, header: Header,
                  now: float) -> bool:
        try:
            self.set_peer_key(message.e, message.modulus)
        except JT808Error as exc:
            self._protocol_error(exc, header)
            self._safe_reply(header, 1, now)
            return True
        self._safe_reply(header, 0, now)
        self._events.append(PeerKeyReceived(message.e, message.modulus))
        return True

    def _safe_reply(self, header: Header, result: int, now: float) -> None:
        try:
            self.reply(header, result, now)
        except LocalProtocolError:
            pass                                     # state forbids it: stay silent

    # -- timers --------------------------------------------------------------------
    def get_timer(self) -> float | None:
        times = [p.deadline for p in self.pending.values()]
        reassembly = self.reassembler.next_deadline()
        if reassembly is not None:
            times.append(reassembly)
        own = self._role_timer()
        if own is not None:
            times.append(own)
        return min(times) if times else None

    def _role_timer(self) -> float | None:
        return None

    def handle_timer(self, now: float) -> None:
        for pending in list(self.pending.values()):
            if pending.deadline > now:
                continue
            if pending.attempts - 1 < self.retry.max_retransmissions:
                self._out.extend(pending.frames)
                self.last_sent = now
                pending.attempts += 1
                pending.deadline += self.retry.timeout(pending.attempts)
            else:
                del self.pending[pending.serial]
                self._events.append(RequestTimedOut(pending.message, pending.serial,
                                                    pending.attempts))
        ask, give_up = self.reassembler.due(now)
        for partial in ask:
            self._safe_request_missing(partial, now)
        for partial in give_up:
            self._events.append(ReassemblyFailed(partial.msg_id, partial.first_serial,
                                                 partial.total, partial.missing(),
                                                 "missing packets never arrived"))
        self.sent.expire(now)
        self._role_handle_timer(now)

    def _role_handle_timer(self, now: float) -> None:
        pass

    def _set_state(self, new: str) -> None:
        if new != self.state:
            old, self.state = self.state, new
            self._events.append(StateChanged(old, new))


# A resend list's count is a BYTE (0x8800; 0x8003 before 2019): list at most this many
# missing packets per request, the rest are asked for in a later round.
MAX_LISTED_IDS = 255


def media_reply(partial: Partial) -> MediaUploadResponse | None:
    """0x8800 naming the missing indexes of a media upload, if its media id is known."""
    first = partial.pieces.get(1)
    if partial.msg_id != _MEDIA_UPLOAD or first is None or len(first) < 4 or partial.encryption:
        return None
    return MediaUploadResponse(int.from_bytes(first[:4], "big"),
                               partial.missing()[:MAX_LISTED_IDS])


def resend_request(partial: Partial, cls: type[ResendRequest] | type[TerminalResendRequest]):
    return cls(partial.first_serial, partial.missing_serials()[:MAX_LISTED_IDS])
