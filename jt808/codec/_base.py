"""Message base class, the registry ``(version, msg_id) -> class``, and shared field helpers.

A message class is an attrs frozen class with ``MSG_ID`` and ``VERSIONS`` class
variables, an ``encode_into(buf, version)`` method and a ``decode_from(buf, version)``
class method. :func:`register` files it under every version it exists in; the built-in
classes and a vendor's are registered the same way, and neither can shadow the other.
"""
from __future__ import annotations

import datetime as _dt
from typing import Callable, ClassVar, TypeVar

import attrs

from ..errors import LocalProtocolError, RemoteProtocolError
from ..frame import Buffer, Version
from . import _plugins

__all__ = [
    "Message", "EmptyBody", "RawMessage", "MESSAGES", "register", "message_class",
    "ALL_VERSIONS", "SINCE_2013", "ONLY_2019", "BEFORE_2019",
    "push_time", "pull_time", "fixed", "by_version", "Tolerated", "tolerate",
]

ALL_VERSIONS = frozenset(Version)
SINCE_2013 = frozenset({Version.V2013, Version.V2019})
ONLY_2019 = frozenset({Version.V2019})
BEFORE_2019 = frozenset({Version.V2011, Version.V2013})

#: ``(Version, msg_id) -> message class``: every body the codec knows.
MESSAGES: dict[tuple[Version, int], type["Message"]] = {}

M = TypeVar("M", bound="type[Message]")


@attrs.frozen(slots=True)
class Tolerated:
    """What a tolerant decode kept beside a message's fields (see :class:`Message`)."""

    version: Version                     # the layout the body was read with
    trailing: bytes = b""                # bytes after the last field
    quirks: tuple[str, ...] = ()         # each departure from the standard, in words
    # (offset, raw bytes, what the decoded value writes there) a field could not hold
    kept: tuple[tuple[int, bytes, bytes], ...] = ()


class Message:
    """Base of every message body class (attrs frozen subclasses).

    A tolerant decode (the default) may keep what the standard does not define beside
    the fields: ``trailing`` (bytes after the last field), ``quirks`` (what departed
    from the standard) and raw bytes a field could not hold (an impossible BCD time is
    ``None`` with its bytes kept). ``encode_body`` in the same version writes them back,
    so the body re-encodes byte for byte. They are not part of equality.
    """

    __slots__ = ("_tolerated",)
    MSG_ID: ClassVar[int]
    VERSIONS: ClassVar[frozenset[Version]] = ALL_VERSIONS

    @property
    def tolerated(self) -> "Tolerated | None":
        return getattr(self, "_tolerated", None)

    @property
    def trailing(self) -> bytes:
        """Bytes the peer sent after the last field (kept by a tolerant decode)."""
        kept = getattr(self, "_tolerated", None)
        return kept.trailing if kept is not None else b""

    @property
    def quirks(self) -> tuple[str, ...]:
        """What a tolerant decode let through, in words (empty for a standard body)."""
        kept = getattr(self, "_tolerated", None)
        return kept.quirks if kept is not None else ()

    def encode_into(self, buf: Buffer, version: Version) -> None:
        raise NotImplementedError

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version) -> "Message":
        raise NotImplementedError

    @property
    def msg_id(self) -> int:
        return self.MSG_ID


def register(cls: M) -> M:
    """Class decorator: file ``cls`` under ``(version, cls.MSG_ID)`` for each of its versions.

    An id a version already has from another class raises ``ValueError`` (nothing is
    registered then): a built-in cannot be shadowed.
    """
    msg_id = getattr(cls, "MSG_ID", None)
    if not isinstance(msg_id, int) or not 0 <= msg_id <= 0xFFFF:
        raise ValueError(f"{cls.__name__}.MSG_ID must be an int in 0..0xFFFF, not {msg_id!r}")
    versions = [Version(version) for version in cls.VERSIONS]
    for version in versions:
        known = MESSAGES.get((version, msg_id))
        if known is not None and known is not cls:
            raise ValueError(f"0x{msg_id:04X} in {version.value} is already "
                             f"{known.__module__}.{known.__name__}; {cls.__name__} "
                             "cannot shadow it")
    for version in versions:
        MESSAGES[(version, msg_id)] = cls
    return cls


def message_class(msg_id: int, version: Version) -> type[Message] | None:
    """The class of ``msg_id`` in ``version`` (plug-ins included), or ``None``."""
    _plugins.load()
    return MESSAGES.get((version, msg_id))


class EmptyBody(Message):
    """Base of the messages whose body is empty: encodes nothing, decodes ``cls()``."""

    __slots__ = ()

    def encode_into(self, buf: Buffer, version: Version) -> None:
        pass

    @classmethod
    def decode_from(cls, buf: Buffer, version: Version):
        return cls()


@attrs.frozen(slots=True)
class RawMessage(Message):
    """A body the codec does not know (or cannot decrypt): kept as bytes, re-encoded unchanged."""

    msg_id: int = attrs.field()
    body: bytes = b""
    MSG_ID: ClassVar[int] = -1

    def encode_into(self, buf: Buffer, version: Version) -> None:
        buf.push_bytes(self.body)


# -- shared field helpers -------------------------------------------------------------

_T = TypeVar("_T")


def by_version(version: Version, table: dict[Version, _T]) -> _T:
    """Look ``version`` up in a per-version table (2011 falls back to 2013)."""
    if version in table:
        return table[version]
    return table[Version.V2013]


def fixed(widths: dict[Version, int]) -> Callable[[Version], int]:
    """A per-version width lookup, e.g. ``fixed({V2011: 8, V2013: 20, V2019: 30})``."""
    return lambda version: by_version(version, widths)


def tolerate(message: Message, tolerated: Tolerated) -> Message:
    """Attach what a tolerant decode kept to ``message`` (returned)."""
    object.__setattr__(message, "_tolerated", tolerated)
    return message


def push_time(buf: Buffer, value: _dt.datetime | None, field: str = "time") -> None:
    """BCD[6] ``YYMMDDhhmmss`` (GMT+8); ``None`` is six zero bytes (no time known)."""
    if value is None:
        buf.push_bytes(bytes(6))
        return
    if not 2000 <= getattr(value, "year", 2000) <= 2099:
        raise LocalProtocolError(f"year {value.year} does not fit BCD YY (2000-2099)",
                                 msg_id=buf.msg_id, field=field)
    try:
        digits = value.strftime("%y%m%d%H%M%S")
    except (AttributeError, ValueError) as exc:
        raise LocalProtocolError(f"{value!r} is not a datetime", msg_id=buf.msg_id,
                                 field=field) from exc
    buf.push_bcd(digits, 6, field)


_TIME_CACHE: dict[bytes, _dt.datetime] = {}


def pull_time(buf: Buffer, field: str = "time") -> _dt.datetime | None:
    """Inverse of :func:`push_time`. An impossible date is ``None`` with its bytes kept
    (a quirk), or with a strict buffer a ``RemoteProtocolError``."""
    offset = buf.pos
    raw = buf.pull_bytes(6, field)
    cached = _TIME_CACHE.get(raw)
    if cached is not None:
        return cached
    if raw == b"\x00" * 6:
        return None
    digits = raw.hex()
    try:
        value = _dt.datetime(2000 + int(digits[0:2]), int(digits[2:4]), int(digits[4:6]),
                             int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    except ValueError as exc:
        if not buf.strict:
            buf.quirk(f"BCD time {digits} is not a date: read as None, bytes kept", field,
                      offset)
            buf.kept.append((offset, raw, bytes(6)))
            return None
        raise RemoteProtocolError(f"BCD time {digits} is not a date: {exc}", msg_id=buf.msg_id,
                                  field=field, offset=offset) from None
    if len(_TIME_CACHE) > 4096:
        _TIME_CACHE.clear()
    _TIME_CACHE[raw] = value
    return value
