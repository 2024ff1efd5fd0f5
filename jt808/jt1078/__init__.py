"""JT/T 1078 audio/video: signalling on the 808 link, and the media link's packets.

Signalling (JT/T 1078-2016 §5): the 1078 messages, 0x0200 extras and 0x8103/0x0104
parameters are ordinary codec classes, registered through the public extension API of
:mod:`jt808.codec`, the same one the built-in messages and any vendor use. Importing this
package registers them; so does the first decode anywhere, because this package is named
in the ``jt808.codecs`` entry-point group of the jt808 distribution::

    [project.entry-points."jt808.codecs"]
    jt1078 = "jt808.jt1078"

What it registers (see ``_messages``, ``_extras``, ``_params``)::

    @register                    # jt808.codec.register: one class per body
    @attrs.frozen(slots=True)
    class LiveVideoRequest(Message):     # 0x9101
        MSG_ID: ClassVar[int] = 0x9101
        ...                              # encode_into(buf, version) / decode_from(buf, version)

    register_extra(VideoAlarms)          # 0x0200 extra 0x14: EXTRA_ID, SIZE, encode_value/decode_value
    register_param(AVParams)             # parameter 0x0075: PARAM_ID, encode_value/decode_value
    register_param(0x007A, "DWORD")      # a plain scalar parameter

so ``jt808.codec.decode_body(0x9101, body)`` returns a :class:`LiveVideoRequest`, a
0x0200 report's ``extras`` holds :class:`VideoAlarms`, and a 0x8103 parameter 0x0075 is
an :class:`AVParams`. An id already taken cannot be registered twice.

Media link (JT/T 1078-2016 table 19, sans-IO): :class:`Packer` turns frames into packets
with bodies of at most 950 bytes (split marks, M bit, sequence, intervals);
:class:`Depacker` turns a TCP byte stream or UDP datagrams back into :class:`MediaFrame`
values, bounded, resynchronising on the 0x30316364 magic, with loss counted in
:class:`DepackStats`. Both SIM widths: BCD[6] (2011/2013 headers) and BCD[10] (2019).
:class:`FrameQueue` bounds what waits for a slow link, dropping P-frames before I-frames.
"""
from . import _extras, _messages, _params
from ._depacker import DepackStats, Depacker, MediaFrame
from ._extras import *  # noqa: F401,F403
from ._messages import *  # noqa: F401,F403
from ._packer import Packer
from ._packet import (MAGIC, MAX_BODY, SIM_WIDTHS, DataType, MediaPacket, MediaPacketError,
                      PayloadType, SplitMark, decode_packet, header_length)
from ._params import *  # noqa: F401,F403
from ._queue import FrameQueue, QueuedFrame, QueueStats

__all__ = [
    "MAGIC", "MAX_BODY", "SIM_WIDTHS", "DataType", "SplitMark", "PayloadType", "MediaPacket",
    "MediaPacketError", "decode_packet", "header_length", "Packer", "Depacker", "MediaFrame",
    "DepackStats", "FrameQueue", "QueuedFrame", "QueueStats", *_messages.__all__, *_extras.__all__, *_params.__all__,
]
