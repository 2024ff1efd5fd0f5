"""JT/T 1078 audio/video: media packets (sans-IO) and, once registered, its signalling.

Media link (JT/T 1078-2016 table 19): :class:`Packer` turns frames into packets with
bodies of at most 950 bytes (split marks, M bit, sequence, intervals); :class:`Depacker`
turns a TCP byte stream or UDP datagrams back into :class:`MediaFrame` values, bounded,
resynchronising on the 0x30316364 magic, with loss counted in :class:`DepackStats`.
Both SIM widths are supported: BCD[6] (2011/2013 headers) and BCD[10] (2019).
"""
from ._depacker import DepackStats, Depacker, MediaFrame
from ._packer import Packer
from ._packet import (MAGIC, MAX_BODY, SIM_WIDTHS, DataType, MediaPacket, MediaPacketError,
                      PayloadType, SplitMark, decode_packet, header_length)

__all__ = [
    "MAGIC", "MAX_BODY", "SIM_WIDTHS", "DataType", "SplitMark", "PayloadType", "MediaPacket",
    "MediaPacketError", "decode_packet", "header_length", "Packer", "Depacker", "MediaFrame",
    "DepackStats",
]
