"""``decode``/``encode`` between frames and message objects."""
from __future__ import annotations

from ..errors import LocalProtocolError, RemoteProtocolError
from ..frame import Buffer, Frame, Header, Version
from . import _plugins
from ._base import MESSAGES, Message, RawMessage, Tolerated, tolerate

__all__ = ["decode", "encode", "decode_body", "encode_body"]


def decode_body(msg_id: int, body: bytes, version: Version = Version.V2013, *,
                strict: bool = False) -> Message:
    """The message object for a whole (reassembled, decrypted) body.

    An id the codec does not know gives a :class:`RawMessage`. A body that is too short
    raises ``TruncatedError`` naming the message id, the field and the offset.

    Tolerant by default: bytes after the last field are kept in ``.trailing``, quirks
    (non-decimal BCD, an impossible BCD time, NUL padding, a truncated last item) are
    listed in ``.quirks``, and a 2011 body read as 2013 (or the reverse) is recognised
    for the messages whose layout differs (``.tolerated.version`` says which was used).
    With ``strict=True`` bytes left over raise ``RemoteProtocolError`` and every quirk
    raises as the standard asks.
    """
    _plugins.load()
    if version.__class__ is not Version:
        version = Version(version)
    cls = MESSAGES.get((version, msg_id))
    if cls is None:
        return RawMessage(msg_id, bytes(body))
    quirks = []
    if not strict and version is not Version.V2019:
        layout = getattr(cls, "layout_version", None)
        found = layout(body, version) if layout is not None else version
        if found is not version and (found, msg_id) in MESSAGES:
            quirks.append(f"body has the JT/T 808-{found.value} layout, not "
                          f"{version.value}: read as {found.value}")
            version, cls = found, MESSAGES[(found, msg_id)]
    buf = Buffer(body, msg_id, strict=strict)
    message = cls.decode_from(buf, version)
    trailing = b""
    if buf.pos != len(body):
        if strict:
            raise RemoteProtocolError(f"{len(body) - buf.pos} bytes left after the last field",
                                      msg_id=msg_id, offset=buf.pos)
        trailing = bytes(body[buf.pos:])
        quirks.append(f"{len(trailing)} bytes after the last field kept as trailing "
                      f"(offset {buf.pos})")
    quirks.extend(buf.quirks)
    if quirks or buf.kept:
        tolerate(message, Tolerated(version, trailing, tuple(quirks), tuple(buf.kept)))
    return message


def encode_body(message: Message, version: Version = Version.V2013) -> bytes:
    """The body bytes of ``message`` in ``version``.

    What a tolerant decode kept (trailing bytes, raw bytes of fields that could not
    hold them) is written back when encoding in the version the body was read with.
    """
    msg_id = message.msg_id
    if not isinstance(message, RawMessage) and version not in message.VERSIONS:
        raise LocalProtocolError(f"{type(message).__name__} does not exist in JT/T 808-"
                                 f"{Version(version).value}", msg_id=msg_id)
    buf = Buffer(msg_id=msg_id)
    message.encode_into(buf, version)
    kept = message.tolerated
    if kept is None or kept.version != version:
        return buf.getvalue()
    body = bytearray(buf.getvalue())
    for offset, raw, written in kept.kept:
        if body[offset:offset + len(written)] == written:   # the field was written as read
            body[offset:offset + len(written)] = raw
    return bytes(body) + kept.trailing


def decode(frame: Frame, version: Version | None = None, *, strict: bool = False) -> Message:
    """The message carried by one frame.

    ``version`` overrides the header's (e.g. 2011 for a 2011 device, since 2011 and 2013
    headers look alike). An encrypted body, or one subpacket of a split message, is
    returned as a :class:`RawMessage`: the session decrypts and reassembles first.
    ``strict``: see :func:`decode_body`.
    """
    header = frame.header
    if header.encryption or (header.packet is not None and header.packet[0] > 1):
        return RawMessage(header.msg_id, frame.body)
    return decode_body(header.msg_id, frame.body, version or header.version, strict=strict)


def encode(message: Message, *, phone: str, serial: int = 0,
           version: Version = Version.V2013, encryption: int = 0,
           packet: tuple[int, int] | None = None, protocol_version: int = 1) -> Frame:
    """A frame carrying ``message``; bodies over 1023 bytes must go through the session."""
    version = Version(version)
    body = encode_body(message, version)
    return Frame(Header(message.msg_id, phone, serial, version, encryption, packet,
                        protocol_version), body)
