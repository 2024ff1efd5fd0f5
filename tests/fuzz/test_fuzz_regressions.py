"""Minimal inputs of crashes the fuzz tests found, kept so they stay fixed."""
from __future__ import annotations

import pytest
from wire import raw_frame

from hal.errors import AtProtocolError
from hal.gnss import QgpslocError, parse_qgpsloc
from hal.quectel import QGpsLoc

from jt808.codec import ResendRequest, decode_body
from jt808.frame import Framer, Version
from jt808.session import AUTHENTICATED, CONNECTED, PlatformSession, TerminalSession


def _drain(session) -> list:
    events = []
    while (event := session.next_event()) is not None:
        events.append(event)
    return events


def test_resend_request_for_more_than_255_packets_does_not_raise():
    """Found by test_receive_hostile_frame_streams: the last packet (300 of 300) of a 2013
    message made the platform ask for 299 packets in 0x8003, whose count is a BYTE ->
    LocalProtocolError out of receive_data (and out of handle_timer for totals up to 4096).
    Fixed in jt808/session/_core.py: a request lists at most 255 ids."""
    platform = PlatformSession(version=Version.V2013, state=AUTHENTICATED)
    platform.receive_data(raw_frame(0x0200, b"", v2019=False, serial=299,
                                    packet=(300, 300)), 0.0)
    _drain(platform)
    [frame] = Framer(Version.V2013).feed(platform.data_to_send())
    request = decode_body(frame.msg_id, frame.body, Version.V2013)
    assert isinstance(request, ResendRequest)
    assert request.original_serial == 0
    assert request.packet_ids == tuple(range(255))
    platform.handle_timer(1000.0)       # later rounds stay within the limit too
    _drain(platform)


def test_resend_request_forbidden_by_state_is_not_sent():
    """Found by test_receive_hostile_frame_streams: a 2019 terminal not yet authenticated
    got packet 1 of 2 (0x0301, empty body); at the reassembly timeout it tried to send
    0x0005, which its state forbids -> LocalProtocolError out of handle_timer.
    Fixed in jt808/session/_core.py: the request is skipped silently, like a reply."""
    terminal = TerminalSession("13800138000", Version.V2019, state=CONNECTED)
    wire = bytes.fromhex("7e0301600001000000000138001380000000000200"
                         "01ca7e")
    terminal.receive_data(wire, 0.0)
    _drain(terminal)
    for now in (31.0, 100.0, 1000.0):
        terminal.handle_timer(now)
    assert terminal.data_to_send() == b""
    _drain(terminal)


QGPSLOC_INF_SECONDS = "0000inf,31.23021,121.47370,0.7,62.2,2,0.00,0.0,0.0,110513,09"


def test_qgpsloc_infinite_seconds_is_a_qgpsloc_error():
    """Found by test_qgpsloc_valid_with_fields_replaced: utc field '0000inf' ->
    OverflowError (int(inf)). Fixed in hal/gnss/_quectel.py."""
    with pytest.raises(QgpslocError):
        parse_qgpsloc("+QGPSLOC: " + QGPSLOC_INF_SECONDS)


def test_quectel_qgpsloc_infinite_seconds_is_an_at_protocol_error():
    """Same input for QGpsLoc.parse -> OverflowError (timedelta(seconds=inf)).
    Fixed in hal/quectel/_modem.py."""
    with pytest.raises(AtProtocolError):
        QGpsLoc.parse(QGPSLOC_INF_SECONDS)


def test_cme_error_with_superscript_digit_is_not_a_crash():
    """Found by atheris (fuzz/fuzz_at_parser.py): '+CME ERROR: 516' + byte 0xB9 decodes
    (latin-1) to '516¹'; str.isdigit() accepts '¹' but int() refuses it -> ValueError.
    Fixed in hal/quectel/_at_parser.py: only ASCII digits make a code."""
    from hal.quectel import AtParser, Final
    events = AtParser().feed(b"\r\n+CME ERROR: 516\xb9\r\n")
    assert events == [Final("+CME ERROR: 516\xb9", False, "CME", None)]
