"""The error tree of the jt808 package.

::

    JT808Error
    ├── ProtocolError
    │   ├── LocalProtocolError      we were asked to send something illegal
    │   └── RemoteProtocolError     the peer's bytes are bad
    │       ├── FrameError          a frame is unusable as a whole
    │       │   ├── ChecksumError
    │       │   ├── EscapeError
    │       │   ├── FrameTooLongError
    │       │   └── HeaderError
    │       ├── TruncatedError      a field runs past the end of its data
    │       ├── UnknownMessageError
    │       └── DecryptionError
    ├── TransportError              a transport failed (the cause is kept)
    │   ├── UnknownTransportError   no transport for that URL scheme
    │   └── TransportImportError    the transport exists but its module failed to import
    └── ResponseTimeout             a request got no reply after every retry

Every function that reads bytes a peer controls returns a value or raises a
``RemoteProtocolError`` subclass, never ``IndexError``, ``struct.error`` or
``UnicodeDecodeError``.
"""
from __future__ import annotations

__all__ = [
    "JT808Error", "ProtocolError", "LocalProtocolError", "RemoteProtocolError",
    "FrameError", "ChecksumError", "EscapeError", "FrameTooLongError", "HeaderError",
    "TruncatedError", "UnknownMessageError", "DecryptionError", "RegistrationRefused",
    "TransportError", "UnknownTransportError", "TransportImportError", "ResponseTimeout",
]


class JT808Error(Exception):
    """Base of every error this package raises on purpose."""


class ProtocolError(JT808Error):
    """Something breaks the JT/T 808 protocol.

    ``msg_id``, ``field`` and ``offset`` say where, when known (``None`` otherwise).
    """

    def __init__(self, message: str, *, msg_id: int | None = None,
                 field: str | None = None, offset: int | None = None) -> None:
        self.msg_id = msg_id
        self.field = field
        self.offset = offset
        super().__init__(self._describe(message))

    def _describe(self, message: str) -> str:
        where = []
        if self.msg_id is not None:
            where.append(f"message 0x{self.msg_id:04X}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        if self.offset is not None:
            where.append(f"offset {self.offset}")
        return f"{message} ({', '.join(where)})" if where else message


class LocalProtocolError(ProtocolError, ValueError):
    """We were asked to encode or send something the protocol does not allow."""


class RemoteProtocolError(ProtocolError):
    """The peer sent bytes that break the protocol."""


class RegistrationRefused(RemoteProtocolError):
    """The platform answered a 0x0100 with a 0x8001 general response instead of the
    standard's 0x8100 (some platforms refuse or do not support registration that way).
    ``reply`` is that 0x8001 (``reply.result``: 1 failed, 2 bad message, 3 not
    supported; 0 acknowledges without an auth code)."""

    def __init__(self, message: str, *, reply: object = None, msg_id: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(message, msg_id=msg_id, field=field)
        self.reply = reply


class FrameError(RemoteProtocolError):
    """A whole frame is unusable; only that frame is lost."""


class ChecksumError(FrameError):
    """The XOR check code of a frame does not match its header and body."""


class EscapeError(FrameError):
    """A 0x7d escape is not followed by 0x01 or 0x02."""


class FrameTooLongError(FrameError):
    """A frame is longer than the largest legal frame."""


class HeaderError(FrameError):
    """A header is impossible: body length mismatch, bad BCD, bad subpacket numbers."""


class TruncatedError(RemoteProtocolError):
    """A field runs past the end of the data it is read from."""


class UnknownMessageError(RemoteProtocolError):
    """A message id is not known where a known one is required."""


class DecryptionError(RemoteProtocolError):
    """An encrypted body could not be decrypted."""


class TransportError(JT808Error):
    """A transport failed; ``__cause__`` keeps the library or OS error."""


class UnknownTransportError(TransportError):
    """No transport is registered for a URL scheme."""


class TransportImportError(TransportError):
    """A transport is registered but its module could not be imported."""


class ResponseTimeout(JT808Error):
    """A request got no reply after every retransmission the parameters allow (or within
    the caller's timeout). ``msg_id`` and ``serial`` name the request, when known."""

    def __init__(self, message: str, *, msg_id: int | None = None,
                 serial: int | None = None) -> None:
        self.msg_id = msg_id
        self.serial = serial
        super().__init__(message)
