"""Quectel modem driver (EC2x / BG9x / EC200U) over one AT serial port.

Usage::

    async with open_channel("/dev/ttyUSB2") as ch:        # or a pty path, "socket://h:p"
        modem = QuectelModem(ch, on_pdp_lost=callback)
        await modem.init()                                 # ATE0, CMEE=1, QISDE=0, QURCCFG
        await modem.activate_pdp(1, apn="cmnet")
        sock = await modem.open_socket("TCP", "203.0.113.10", 7611)
        await sock.send(frame_bytes)
        data = await sock.receive()                        # b"" at EOF
        await sock.aclose()

Public names:

- :func:`open_channel`, :class:`ATChannel`, :class:`ATResult`: the AT channel that owns the port.
- :class:`QuectelModem`, :class:`QuectelSocket`, :class:`QGpsLoc`: sockets, SMS, info, GNSS.
- :func:`encode_submit`, :func:`decode_submit`, :func:`encode_deliver`, :func:`decode_deliver`,
  :class:`SmsDeliver`, :class:`SmsSubmit`, :class:`Reassembler`: the 8-bit SMS PDU codec.
- :class:`AtParser` and its events :class:`Line`, :class:`Final`, :class:`Urc`, :class:`Prompt`.

Errors live in :mod:`hal.errors` (``ModemError``, ``SocketOpenError``, ``ModemTimeout``, ...).
"""
from __future__ import annotations

from ._at_parser import AtParser, Final, Line, Prompt, Urc
from ._channel import ATChannel, ATResult, open_channel
from ._modem import QGpsLoc, QuectelModem, QuectelSocket
from ._pdu import (Reassembler, SmsDeliver, SmsSubmit, decode_deliver, decode_submit,
                   encode_deliver, encode_submit)

__all__ = [
    "open_channel", "ATChannel", "ATResult",
    "QuectelModem", "QuectelSocket", "QGpsLoc",
    "encode_submit", "decode_submit", "encode_deliver", "decode_deliver",
    "SmsDeliver", "SmsSubmit", "Reassembler",
    "AtParser", "Line", "Final", "Urc", "Prompt",
]
