"""Codec layer: one attrs class per message body, per version; ``decode``/``encode``.

Every message of JT/T 808-2011/2013/2019 in both directions. Values are in user units
(degrees, km/h, ``datetime``, ``str``); a decoded message re-encodes to the identical body.
An unknown message id decodes to :class:`RawMessage`. ``MESSAGES`` maps
``(Version, msg_id)`` to the class for that body.

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
from ._base import MESSAGES, Message, RawMessage, message_class
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
    "message_class",
    *_general.__all__, *_link.__all__, *_params.__all__, *_control.__all__,
    *_location.__all__, *_extras.__all__, *_text.__all__, *_areas.__all__,
    *_records.__all__, *_media.__all__, *_tachograph.__all__,
]
