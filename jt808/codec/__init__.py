"""Codec layer: one attrs class per message body, per version; ``decode``/``encode``.

Every message of JT/T 808-2011/2013/2019 in both directions. Values are in user units
(degrees, km/h, ``datetime``, ``str``); a decoded message re-encodes to the identical body.
An unknown message id decodes to :class:`RawMessage`, an unknown 0x0200 extra to
:class:`RawExtra`, an unknown parameter value to ``bytes``. ``MESSAGES`` maps
``(Version, msg_id)`` to the class for that body, ``EXTRA_TYPES`` extra ids to classes,
``PARAM_TYPES``/``PARAM_CLASSES`` parameter ids to kinds/classes.

Decoding is tolerant by default (issue 11): bytes after the last field stay in
``message.trailing``, departures from the standard are listed in ``message.quirks``
(non-decimal BCD kept as hex digits, an impossible BCD time read as ``None``, NUL
padding before a fixed string, a cut last extra or parameter, a 2011 body under a
2013-looking header), and ``encode_body`` in the same version gives the received bytes
back. ``decode``/``decode_body(..., strict=True)`` raise on each of them instead.
0x8003/0x0005 accept a BYTE or WORD count in every version (``count_width``).

Extending the codec
-------------------
The built-in messages, extras and parameters are registered through the same three
functions a vendor uses; an id that is already taken (a built-in included) raises
``ValueError``, so nothing can shadow the standard. A vendor message::

    import struct
    from typing import ClassVar
    import attrs
    from jt808.codec import Message, register

    @register
    @attrs.frozen(slots=True)
    class FuelSensorReport(Message):          # 0x0F01, terminal -> platform
        MSG_ID: ClassVar[int] = 0x0F01        # VERSIONS defaults to all three
        sensor: int
        level: int

        def encode_into(self, buf, version):
            buf.push_u8(self.sensor, "sensor")
            buf.push_u32(self.level, "level")

        @classmethod
        def decode_from(cls, buf, version):
            return cls(buf.pull_u8("sensor"), buf.pull_u32("level"))

A vendor 0x0200 extra (``decode_value`` sees exactly ``SIZE`` bytes; set ``SIZE = None``
to see any length, and return ``None`` to keep the item as :class:`RawExtra`)::

    from jt808.codec import Extra, register_extra

    @register_extra
    @attrs.frozen(slots=True)
    class CabinDoor(Extra):
        EXTRA_ID: ClassVar[int] = 0xE1
        SIZE: ClassVar[int] = 1
        is_open: bool

        def encode_value(self, version):
            return bytes((1 if self.is_open else 0,))

        @classmethod
        def decode_value(cls, data, version):
            return cls(data[0] == 1) if data[0] in (0, 1) else None

A vendor terminal parameter, as a plain value or as a class::

    from jt808.codec import register_param

    register_param(0xF001, "DWORD")           # or "WORD", "BYTE", "STRING", 8 (BYTE[8])

    @register_param
    @attrs.frozen(slots=True)
    class SpeedBands:
        PARAM_ID: ClassVar[int] = 0xF002
        bands: tuple[int, ...]

        def encode_value(self, version):
            return bytes(self.bands)

        @classmethod
        def decode_value(cls, data, version):
            return cls(tuple(data))

To load such a module without importing it yourself, name it in the ``jt808.codecs``
entry-point group of your distribution (``[project.entry-points."jt808.codecs"]
vendor = "vendor_pkg.jt808_codec"``): every module of the group is imported on the
first decode; one that fails is logged on the ``jt808.codec`` logger and skipped.

Message modules (each exports its classes in ``__all__``):
``_general`` replies, heartbeat, registration, authentication ·
``_link`` subpacket resend requests, time sync, link check, media reply, RSA keys ·
``_params`` terminal parameters · ``_control`` terminal control, properties, upgrade ·
``_location`` + ``_extras`` location reports, queries, tracking, vehicle control ·
``_text`` text, events, questions, info, phone book · ``_areas`` areas and routes ·
``_records`` driving recorder, waybill, driver identity, CAN · ``_media`` media, pass-through,
compressed data.
"""
from . import (_areas, _control, _extras, _general, _link, _location, _media, _params,
               _records, _tachograph, _text)
from ._api import decode, decode_body, encode, encode_body
from ._base import MESSAGES, Message, RawMessage, message_class, register
from ._plugins import ENTRY_POINT_GROUP
from ._areas import *  # noqa: F401,F403
from ._control import *  # noqa: F401,F403
from ._extras import *  # noqa: F401,F403
from ._general import *  # noqa: F401,F403
from ._link import *  # noqa: F401,F403
from ._location import *  # noqa: F401,F403
from ._media import *  # noqa: F401,F403
from ._params import *  # noqa: F401,F403
from ._records import *  # noqa: F401,F403
from ._tachograph import *  # noqa: F401,F403
from ._text import *  # noqa: F401,F403

__all__ = [
    "decode", "decode_body", "encode", "encode_body", "MESSAGES", "Message", "RawMessage",
    "message_class", "register", "ENTRY_POINT_GROUP",
    *_general.__all__, *_link.__all__, *_params.__all__, *_control.__all__,
    *_location.__all__, *_extras.__all__, *_text.__all__, *_areas.__all__,
    *_records.__all__, *_media.__all__, *_tachograph.__all__,
]
