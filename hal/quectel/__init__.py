"""Quectel modem driver (EC2x / BG9x / EC200U) over one AT serial port."""
from __future__ import annotations

from ._pdu import Reassembler, SmsDeliver, SmsSubmit, decode_deliver, decode_submit, encode_deliver, encode_submit

__all__ = ["Reassembler", "SmsDeliver", "SmsSubmit", "decode_deliver", "decode_submit",
           "encode_deliver", "encode_submit"]
