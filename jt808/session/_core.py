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
import logging
from typing import ClassVar, Iterable

import attrs
from cryptography.hazmat.primitives.asymmetric import rsa

from ..codec import (MESSAGES, MediaUploadResponse, Message, PlatformGeneralResponse,
                     PlatformRsaKey, RawMessage, ResendRequest, TerminalGeneralResponse,
                     TerminalResendRequest, TerminalRsaKey, decode_body, encode_body)
from ..errors import (DecryptionError, FrameError, JT808Error, LocalProtocolError,
                      RemoteProtocolError)
from ..frame import MAX_BODY, Frame, Framer, Header, Version, pack
from . import _crypto
from ._events import (Event, MessageAnswered, MessageReceived, PeerKeyReceived,
                      ProtocolErrorReceived, QuirkReceived, ReassemblyFailed, ReplyReceived,
                      RequestTimedOut, StateChanged, UnmatchedReply)
from ._packets import (Partial, Reassembler, ReassemblyLimits, SentMessage, SentStore,
                       split_body)
from ._retry import LINK_PARAM_DEFAULTS, Bearer, RetryPolicy
from ._roles import CLOSED, CONNECTED, Role

__all__ = ["Session", "Pending"]

_MEDIA_UPLOAD = 0x0801
_RESULT_WRONG_MESSAGE = 2
_RESULT_NOT_SUPPORTED = 3
_log = logging.getLogger("jt808.session")
#: ProtocolErrorReceived events kept undrained at once (more are counted, not queued)
MAX_ERROR_EVENTS = 64


@attrs.define(slots=True)
class Pending:
    """A request waiting for its reply.

    For a split request: ``acked`` holds the packet indexes a general reply answered
    one by one, ``resent`` the indexes sent again at the peer's last request: a reply
    to one of those (or to the last packet) answers the whole message.
    """

    message: Message
    serial: int
    serials: tuple[int, ...]
    frames: list[bytes]
    reply_id: int
    attempts: int
    deadline: float
    acked: set[int] = attrs.field(factory=set)
    resent: frozenset[int] = frozenset()


class Session:
    """Common machinery; use :class:`TerminalSession` or :class:`PlatformSession`."""

    role: Role
    #: msg_id -> name of the method that handles it inside the session (link-level
    #: messages); a method returning True keeps the message from the application.
    HANDLERS: ClassVar[dict[int, str]] = {}

    def __init__(self, phone: str, version: Version | None = Version.V2013, *,
                 bearer: Bearer = "tcp", params: dict[int, int] | None = None,
                 max_body: int = MAX_BODY, limits: ReassemblyLimits | None = None,
                 sent_store: SentStore | None = None, state: str = CONNECTED,
                 rsa_key: _crypto.DecryptionKey | None = None,
                 encrypt_ids: Iterable[int] = (), strict: bool = False,
                 resend_count_width: int | None = None) -> None:
        if not 1 <= max_body <= MAX_BODY:
            raise ValueError(f"max_body must be 1..{MAX_BODY}, got {max_body}")
        if resend_count_width not in (None, 1, 2):
            raise ValueError(f"resend_count_width must be None, 1 or 2, got "
                             f"{resend_count_width!r}")
        #: decode as the standard says, raising on every quirk (default: tolerant, with
        #: a QuirkReceived event per quirky message)
        self.strict = strict
        #: count width of our own 0x8003/0x0005: None = the version's text (BYTE before
        #: 2019, WORD in 2019); 1 or 2 for a peer that reads the other form
        self.resend_count_width = resend_count_width
        #: the version was given (not learnt from the peer's first frame and bodies)
        self.version_fixed = version is not None
        self.phone = phone
        self.version = Version(version) if version is not None else None
        self.bearer = bearer
        self.params: dict[int, int] = dict(LINK_PARAM_DEFAULTS)
        self.params.update(params or {})
        self.retry = RetryPolicy.from_params(self.params, bearer)
        self.max_body = max_body
        self.state = state
        self.framer = Framer(self.version, strict=strict)
        self.reassembler = Reassembler(limits)
        self.sent = sent_store or SentStore()
        self.rsa_key: _crypto.DecryptionKey | None = rsa_key
        self.peer_key: rsa.RSAPublicKey | None = None
        self.encrypt = False
        self.encrypt_ids = frozenset(encrypt_ids)
        self.pending: dict[int, Pending] = {}
        self._serial = 0
        self._out: list[bytes] = []
        self._events: collections.deque[Event] = collections.deque()
        self._error_events = 0                  # ProtocolErrorReceived/QuirkReceived queued
        self.errors_dropped = 0                 # not queued: MAX_ERROR_EVENTS waited
        self._quirky_phone: str | None = None   # a non-BCD phone already reported
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
        self.framer = Framer(self.version, strict=self.strict)
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
        peer_key = self.peer_key if self._should_encrypt(msg_id) else None
        if peer_key is not None:
            body = _crypto.encrypt_body(body, peer_key)
            encryption = 1
        if len(body) <= self.max_body:            # the common case: one packet
            serials: tuple[int, ...] = (self.next_serial(),)
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
        if type(event) is ProtocolErrorReceived or type(event) is QuirkReceived:
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

    def _quirk(self, quirks: tuple[str, ...], header: Header,
               message: Message | None = None) -> None:
        """Report what a tolerant read let through: a warning log and a
        ``QuirkReceived`` event (bounded like protocol errors)."""
        if self._error_events >= MAX_ERROR_EVENTS:
            self.errors_dropped += 1                 # neither queued nor logged: a flood
            return
        _log.warning("0x%04X from %s: %s", header.msg_id, header.phone, "; ".join(quirks))
        self._error_events += 1
        self._events.append(QuirkReceived(quirks, header, message))

    def _receive_frame(self, frame: Frame, now: float) -> None:
        header = frame.header
        if self.version is None:
            self.version = header.version
            self.framer.version = None
        if not header.phone_is_bcd and header.phone != self._quirky_phone:
            self._quirky_phone = header.phone        # reported once per phone, not per frame
            self._quirk((f"phone {header.phone} has non-decimal BCD nibbles",), header)
        body = frame.body
        if header.packet is not None and header.packet[0] > 1:
            total, index = header.packet
            whole, refused = self.reassembler.add(header.msg_id, header.serial, total, index,
                                                  header.encryption, body, now)
            self._report_dropped(refused)
            if whole is None:
                if index == total:
                    self._ask_missing(now)
                return
            body = whole
        try:
            if header.encryption & 1:
                body = self._decrypt(body, header.msg_id)
            message = decode_body(header.msg_id, body, self.version or header.version,
                                  strict=self.strict)
        except RemoteProtocolError as exc:
            self._protocol_error(exc, header)
            if header.msg_id not in self.role.reply_only and self.state != CLOSED:
                self._safe_reply(header, _RESULT_WRONG_MESSAGE, now)
            return
        if type(message) is RawMessage and self._lacks(header.msg_id):
            self._not_in_version(message, header, now)
            return
        if message.quirks:
            self._learn_version(message)
            self._quirk(message.quirks, header, message)
        self._dispatch(message, header, now)

    def _lacks(self, msg_id: int) -> bool:
        """``msg_id`` is a message of another version, not of ours."""
        return any((version, msg_id) in MESSAGES for version in Version)

    def _not_in_version(self, message: RawMessage, header: Header, now: float) -> None:
        """A message our version does not have: answered "not supported" (result 3),
        reported as a quirk, never raised and never handed to a handler."""
        version = (self.version or header.version).value
        self._quirk((f"0x{header.msg_id:04X} does not exist in JT/T 808-{version}",),
                    header, message)
        if header.msg_id not in self.role.reply_only and self.state != CLOSED:
            self._safe_reply(header, _RESULT_NOT_SUPPORTED, now)

    def _learn_version(self, message: Message) -> None:
        """A learnt (not given) 2011/2013 version follows the layout the codec found."""
        found = message.tolerated.version if message.tolerated is not None else None
        if (not self.version_fixed and found is not None and found != self.version
                and Version.V2019 not in (found, self.version)):
            self.version = found

    def _decrypt(self, body: bytes, msg_id: int) -> bytes:
        if self.rsa_key is None:
            raise DecryptionError("encrypted body but no RSA key of ours", msg_id=msg_id)
        return _crypto.decrypt_body(body, self.rsa_key.private_key, msg_id)

    def _dispatch(self, message: Message, header: Header, now: float) -> None:
        handler = self.HANDLERS.get(header.msg_id)
        if handler is not None and getattr(self, handler)(message, header, now):
            return
        pending = self._match(message, header)
        if isinstance(pending, _OnePacket):          # _ONE_PACKET, the one instance
            return                                   # a reply to one packet of a split request
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
    def _match(self, message: Message, header: Header) -> "Pending | _OnePacket | None":
        reply_serial = getattr(message, "reply_serial", None)
        if reply_serial is not None:
            pending = self._pending_by_serial(reply_serial)
            if pending is None or not self._answers(pending, header.msg_id):
                return None
            reply_id = getattr(message, "reply_id", None)
            if reply_id is not None and reply_id != pending.message.msg_id:
                return None
            if not self._completes(pending, reply_serial, header.msg_id):
                return _ONE_PACKET
            return pending
        for pending in self.pending.values():       # replies without a serial: oldest first
            if pending.reply_id == header.msg_id and self._same_media(pending, message):
                return pending
        return None

    def _completes(self, pending: Pending, serial: int, reply_msg_id: int) -> bool:
        """Does a reply naming ``serial`` answer the whole request?

        Yes for a single packet, for any reply that is not the general one, and for a
        general reply to a packet sent last (the last packet, or one sent again at the
        peer's request). A general reply to another packet k acknowledges packet k only;
        the request completes once every packet has been acknowledged so.
        """
        total = len(pending.serials)
        if total == 1 or reply_msg_id != self.role.general_reply:
            return True
        index = pending.serials.index(serial) + 1
        if index == total or index in pending.resent:
            return True
        pending.acked.add(index)
        return len(pending.acked) >= total

    def _answers(self, pending: Pending, reply_msg_id: int) -> bool:
        """The expected reply, or a general reply (a peer may refuse or not support any
        request with one: e.g. 0x0001 result 3 to an 0x8801 that expects 0x0805)."""
        return reply_msg_id == pending.reply_id or reply_msg_id == self.role.general_reply

    def _pending_by_serial(self, serial: int) -> Pending | None:
        """The request whose first packet, or any packet, has ``serial``."""
        pending = self.pending.get(serial)
        if pending is not None:
            return pending
        for pending in self.pending.values():
            if len(pending.serials) > 1 and serial in pending.serials:
                return pending
        return None

    def _absorbed(self, message: Message) -> bool:
        """A general reply to a packet of a split message we sent is not 'unmatched'."""
        serial = getattr(message, "reply_serial", None)
        reply_id = getattr(message, "reply_id", None)
        if serial is None:
            return False
        sent = self.sent.find(serial)
        return sent is not None and reply_id == sent.msg_id

    @staticmethod
    def _same_media(pending: Pending, message: Message) -> bool:
        media_id = getattr(message, "media_id", None)
        return media_id is None or getattr(pending.message, "media_id", None) == media_id

    # -- resends ----------------------------------------------------------------------
    def _serve_resend(self, message: ResendRequest | TerminalResendRequest, header: Header,
                      now: float) -> bool:
        """0x8003 / 0x0005: send again every packet the list names, read as indexes
        (1..total) and as serials; each packet at most ``sent.max_resends`` times per
        ``sent.resend_window``. A request waiting for its reply waits afresh."""
        frames, indexes = self.sent.resend(message.original_serial,
                                           tuple(message.packet_ids), now)
        if not frames:
            return True
        self._out.extend(frames)
        self.last_sent = now
        pending = self._pending_by_serial(message.original_serial)
        if pending is not None and len(pending.serials) > 1:
            pending.resent = frozenset(indexes)
            pending.deadline = now + self.retry.timeout(pending.attempts)
        return True

    def _ask_missing(self, now: float) -> None:
        """The last packet came and others are missing: ask for them now."""
        partial = self.reassembler.last
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
        self._events.append(MessageAnswered(message, header))
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


class _OnePacket:
    """``_match`` result: a general reply to one packet of a split request."""


_ONE_PACKET = _OnePacket()


def resend_request(partial: Partial, cls: type[ResendRequest] | type[TerminalResendRequest],
                   count_width: int | None = None):
    """Our own 0x8003 / 0x0005 for ``partial``: the first packet's serial, then the
    missing packets' serials while the serials that arrived are consecutive, else (a
    missing serial is unknown) their indexes (1..total). The count is the version's
    width (BYTE before 2019, WORD in 2019) unless ``count_width`` says otherwise."""
    ids = partial.missing_serials()
    if ids is None:
        ids = partial.missing()
    return cls(partial.first_serial, ids[:MAX_LISTED_IDS], count_width=count_width)
