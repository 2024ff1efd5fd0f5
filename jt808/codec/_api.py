"""``decode``/``encode`` between frames and message objects."""
from __future__ import annotations

from ..errors import LocalProtocolError, RemoteProtocolError
from ..frame import Buffer, Frame, Header, Version
from . import _plugins
from ._base import MESSAGES, Message, RawMessage

__all__ = ["decode", "encode", "decode_body", "encode_body"]


def decode_body(msg_id: int, body: bytes, version: Version = Version.V2013) -> Message:
    """The message object for a whole (reassembled, decrypted) body.

    An id the codec does not know gives a :class:`RawMessage`. A body that is too short
    raises ``TruncatedError``; one with bytes left after its last field raises
    ``RemoteProtocolError``; both name the message id, the field and the offset.
    """
    _plugins.load()
    cls = MESSAGES.get((version, msg_id))
    if cls is None:
        return RawMessage(msg_id, bytes(body))
    buf = Buffer(body, msg_id)
    message = cls.decode_from(buf, version)
    if buf.pos != len(body):
        raise RemoteProtocolError(f"{len(body) - buf.pos} bytes left after the last field",
                                  msg_id=msg_id, offset=buf.pos)
    return message


def encode_body(message: Message, version: Version = Version.V2013) -> bytes:
    """The body bytes of ``message`` in ``version``."""
    msg_id = message.msg_id
    if not isinstance(message, RawMessage) and version not in message.VERSIONS:
        raise LocalProtocolError(f"{type(message).__name__} does not exist in JT/T 808-"
                                 f"{Version(version).value}", msg_id=msg_id)
    buf = Buffer(msg_id=msg_id)
    message.encode_into(buf, version)
    return buf.getvalue()


def decode(frame: Frame, version: Version | None = None) -> Message:
    """The message carried by one frame.

    ``version`` overrides the header's (e.g. 2011 for a 2011 device, since 2011 and 2013
    headers look alike). An encrypted body, or one subpacket of a split message, is
    returned as a :class:`RawMessage`: the session decrypts and reassembles first.
    """
    header = frame.header
    if header.encryption or (header.packet is not None and header.packet[0] > 1):
        return RawMessage(header.msg_id, frame.body)
    return decode_body(header.msg_id, frame.body, version or header.version)


def encode(message: Message, *, phone: str, serial: int = 0,
           version: Version = Version.V2013, encryption: int = 0,
           packet: tuple[int, int] | None = None, protocol_version: int = 1) -> Frame:
    """A frame carrying ``message``; bodies over 1023 bytes must go through the session."""
    version = Version(version)
    body = encode_body(message, version)
    return Frame(Header(message.msg_id, phone, serial, version, encryption, packet,
                        protocol_version), body)
