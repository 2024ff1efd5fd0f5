"""Sessions against peers that read the standard differently (issues 11, 14, 18).

Frames the "other" peer sends are built field by field here with ``pack(Frame(Header(...)))``
(header per §4.4.3); bodies are the codec's, or raw where a dialect is the point
(0x8003 with a BYTE count in 2019: issue 11's ``…0002 01 0003``).
"""
from __future__ import annotations

import os

import attrs
import pytest

from jt808.codec import (MESSAGES, PlatformGeneralResponse, QuestionAnswer, QuestionIssue,
                         RawMessage, ResendRequest, TerminalRegister,
                         decode_body, encode_body)
from jt808.frame import Frame, Header, Version, pack, unpack
from jt808.session import (PLATFORM, TERMINAL, MessageReceived, PlatformSession,
                           ProtocolErrorReceived, QuirkReceived, ReplyReceived, SentStore,
                           TerminalSession)
from jt808.session._packets import SentMessage

from session_pair import SessionPair

PHONE = "013800138000"
UPLOAD_ID = 0x0F02            # a reserved id: a RawMessage, split by the session


def _events(session) -> list:
    out = []
    while (event := session.next_event()) is not None:
        out.append(event)
    return out


def _split(pair: SessionPair, size: int = 4000) -> tuple[int, list[bytes], bytes]:
    """The terminal sends a ``size``-byte body in packets of 1023; nothing delivered."""
    body = os.urandom(size)
    first = pair.terminal.send(RawMessage(UPLOAD_ID, body), pair.now)
    return first, pair.terminal.datagrams_to_send(), body


def _to_terminal(pair: SessionPair, message, version: Version = Version.V2013,
                 serial: int = 900) -> list[bytes]:
    wire = pack(Frame(Header(message.msg_id, PHONE, serial, version),
                      encode_body(message, version)))
    pair.terminal.receive_data(wire, pair.now)
    return pair.terminal.datagrams_to_send()


# -- 0x8003 read both ways -----------------------------------------------------------

def test_resend_by_index(pair):
    first, frames, _ = _split(pair)
    resent = _to_terminal(pair, ResendRequest(first, (3,)))       # "packet number 3"
    assert frames[2] in resent


def test_resend_by_serial(pair):
    first, frames, _ = _split(pair)
    resent = _to_terminal(pair, ResendRequest(first, (unpack(frames[2]).header.serial,)))
    assert frames[2] in resent


def test_resend_names_any_packet_serial_as_the_message(pair):
    first, frames, _ = _split(pair)
    third = unpack(frames[2]).header.serial
    resent = _to_terminal(pair, ResendRequest(third, (third,)))
    assert frames[2] in resent


def test_resend_2019_with_a_byte_count(pair2019):
    pair = pair2019
    first, frames, _ = _split(pair)
    # issue 11: first serial, count BYTE 01, list 0003 in a 2019 body
    body = first.to_bytes(2, "big") + bytes.fromhex("01" "0003")
    wire = pack(Frame(Header(0x8003, "0" * 20, 900, Version.V2019), body))
    pair.terminal.receive_data(wire, pair.now)
    assert frames[2] in pair.terminal.datagrams_to_send()
    assert not [e for e in _events(pair.terminal) if isinstance(e, ProtocolErrorReceived)]


def test_resend_amplification_is_bounded(pair):
    """issue 18: 50 requests of 24 bytes made the terminal resend 26.8 MB."""
    first, frames, _ = _split(pair, 20_000)
    size = sum(map(len, frames))
    sent = 0
    for _ in range(50):
        sent += sum(map(len, _to_terminal(pair, ResendRequest(first, ()))))
    assert sent <= 3 * size
    pair.now += 61                                  # a new window
    assert sum(map(len, _to_terminal(pair, ResendRequest(first, ())))) == size


def test_sent_store_is_bounded_in_bytes():
    store = SentStore(max_bytes=10_000)
    assert not store.add(SentMessage(1, [1, 2], [bytes(6000), bytes(6000)], 0.0))
    assert store.add(SentMessage(1, [3, 4], [bytes(3000), bytes(3000)], 0.0))
    assert store.add(SentMessage(1, [5, 6], [bytes(3000), bytes(3000)], 0.0))
    assert len(store) == 1 and store.bytes == 6000 and store.find(3) is None


# -- replies to split requests -------------------------------------------------------

def _reply(pair: SessionPair, serial: int, result: int = 0) -> list:
    message = PlatformGeneralResponse(serial, UPLOAD_ID, result)
    pair.terminal.receive_data(pack(Frame(Header(0x8001, PHONE, 901), encode_body(message))),
                               pair.now)
    return [e for e in _events(pair.terminal) if not isinstance(e, QuirkReceived)]


def test_reply_to_first_packet_acknowledges_that_packet_only(pair):
    first, frames, _ = _split(pair)
    assert _reply(pair, first) == []                    # neither completed nor unmatched
    assert first in pair.terminal.pending
    [event] = _reply(pair, unpack(frames[-1]).header.serial)
    assert isinstance(event, ReplyReceived) and event.request_serial == first
    assert not pair.terminal.pending


def test_reply_to_the_resent_packet_completes(pair):
    first, frames, _ = _split(pair)
    third = unpack(frames[2]).header.serial
    _to_terminal(pair, ResendRequest(first, (third,)))
    [event] = _reply(pair, third)                        # the platform answers the last arrival
    assert isinstance(event, ReplyReceived) and not pair.terminal.pending


def test_replies_to_every_packet_complete(pair):
    first, frames, _ = _split(pair)
    serials = [unpack(f).header.serial for f in frames]
    for serial in serials[:-2]:
        assert _reply(pair, serial) == []
    [event] = _reply(pair, serials[-2]) + _reply(pair, serials[-1])
    assert isinstance(event, ReplyReceived)


# -- reassembly without consecutive serials ------------------------------------------

def _packets(msg_id: int, serials: list[int], body: bytes, version=Version.V2013) -> list[bytes]:
    size = -(-len(body) // len(serials))
    pieces = [body[i:i + size] for i in range(0, len(body), size)]
    phone = PHONE if version is not Version.V2019 else "0" * 20
    return [pack(Frame(Header(msg_id, phone, serial, version, 0, (len(serials), index)), piece))
            for index, (serial, piece) in enumerate(zip(serials, pieces), 1)]


def test_packets_10_11_13_complete(pair):
    body = os.urandom(3000)
    frames = _packets(UPLOAD_ID, [10, 11, 13], body)
    between = pack(Frame(Header(0x0002, PHONE, 12), b""))          # a heartbeat in between
    for wire in (frames[0], frames[1], between, frames[2]):
        pair.platform.receive_data(wire, pair.now)
    got = [e.message for e in _events(pair.platform) if isinstance(e, MessageReceived)]
    assert RawMessage(UPLOAD_ID, body) in got


def test_missing_packet_of_non_consecutive_serials_asked_by_index(pair):
    body = os.urandom(4000)
    frames = _packets(UPLOAD_ID, [20, 21, 30, 31], body)
    for wire in (frames[0], frames[2], frames[3]):         # packet 2 lost
        pair.platform.receive_data(wire, pair.now)
    [ask] = pair.platform.datagrams_to_send()
    request = decode_body(0x8003, unpack(ask).body)
    assert request == ResendRequest(20, (2,))               # serial of 2 unknown: its index
    pair.platform.receive_data(frames[1], pair.now)
    got = [e.message for e in _events(pair.platform) if isinstance(e, MessageReceived)]
    assert RawMessage(UPLOAD_ID, body) in got


def test_own_resend_request_count_width_option():
    platform = PlatformSession(version=Version.V2019, resend_count_width=1)
    frames = _packets(UPLOAD_ID, [1, 2, 3], os.urandom(3000), Version.V2019)
    platform.receive_data(frames[0], 0)
    platform.receive_data(frames[2], 0)
    [ask] = platform.datagrams_to_send()
    assert unpack(ask).body == bytes.fromhex("0001" "01" "0002")
    default = PlatformSession(version=Version.V2019)
    default.receive_data(frames[0], 0)
    default.receive_data(frames[2], 0)
    assert unpack(default.datagrams_to_send()[0]).body == bytes.fromhex("0001" "0001" "0002")
    with pytest.raises(ValueError):
        PlatformSession(resend_count_width=3)


# -- a message the version lacks (issue 14) ------------------------------------------

@pytest.mark.parametrize("msg_id, body", [
    (0x0005, bytes.fromhex("0001" "01" "0002")),      # terminal resend request: 2013+
    (0x0004, b""),                                    # query server time: 2013+
])
def test_platform_2011_answers_not_supported(msg_id, body):
    platform = PlatformSession(version=Version.V2011)
    platform.receive_data(pack(Frame(Header(msg_id, PHONE, 7), body)), 0)
    [wire] = platform.datagrams_to_send()
    reply = decode_body(0x8001, unpack(wire).body, Version.V2011)
    assert reply == PlatformGeneralResponse(7, msg_id, 3)
    events = _events(platform)
    assert [type(e) for e in events] == [QuirkReceived]
    assert f"0x{msg_id:04X} does not exist in JT/T 808-2011" in events[0].quirks[0]


def test_terminal_2011_reports_a_reply_its_version_lacks():
    terminal = TerminalSession(PHONE, Version.V2011)
    terminal.receive_data(pack(Frame(Header(0x8004, PHONE, 7), bytes(6))), 0)
    assert terminal.datagrams_to_send() == []               # replies are not answered
    assert [type(e) for e in _events(terminal)] == [QuirkReceived]


# -- the role tables (issue 14) ------------------------------------------------------

def test_every_reply_with_a_serial_is_in_the_role_tables():
    answers = {cls.MSG_ID for cls in MESSAGES.values()        # the standard's own messages
               if attrs.has(cls) and "reply_serial" in attrs.fields_dict(cls)
               and cls.__module__.startswith("jt808.codec.")}
    answers -= {0x0001, 0x8001}
    acknowledged = {0x0302}      # answers that still expect 0x8001 (as 0x0702 does)
    for msg_id in answers:
        sender, receiver = (TERMINAL, PLATFORM) if msg_id < 0x8000 else (PLATFORM, TERMINAL)
        assert msg_id in receiver.replies.values(), f"0x{msg_id:04X} answers no request"
        if msg_id in acknowledged:
            assert msg_id not in receiver.reply_only and msg_id not in sender.no_reply
            continue
        assert msg_id in receiver.reply_only, f"0x{msg_id:04X}"
        assert msg_id in sender.no_reply, f"0x{msg_id:04X}"


def test_question_issue_is_answered_by_question_answer(pair):
    serial = pair.platform.send(QuestionIssue(0, "ok?", ()), pair.now)
    pair.pump()
    _events(pair.terminal)
    pair.terminal.send(QuestionAnswer(serial, 1), pair.now)
    pair.pump()
    events = _events(pair.platform)
    [reply] = [e for e in events if isinstance(e, ReplyReceived)]
    assert reply.reply == QuestionAnswer(serial, 1) and not pair.platform.pending


# -- quirks, strictness, version learning --------------------------------------------

def _location_with_trailing() -> bytes:
    body = bytes.fromhex("0000000000000003" "01E59BCD06FCF44E0078025D005A220627101130") + b"\x00"
    return pack(Frame(Header(0x0200, PHONE, 8), body))


def test_quirky_message_delivered_with_a_warning_event():
    platform = PlatformSession()
    platform.receive_data(_location_with_trailing(), 0)
    events = _events(platform)
    assert [type(e) for e in events] == [QuirkReceived, MessageReceived]
    assert events[1].message.trailing == b"\x00"


def test_strict_session_refuses_the_quirk():
    platform = PlatformSession(strict=True)
    platform.receive_data(_location_with_trailing(), 0)
    assert [type(e) for e in _events(platform)] == [ProtocolErrorReceived]
    [wire] = platform.datagrams_to_send()
    assert decode_body(0x8001, unpack(wire).body).result == 2


def test_platform_learns_2011_from_the_register_layout():
    register = TerminalRegister(44, 100, "70111", "EC200U", "T0001", 0, "LSVAU2180N2183294")
    platform = PlatformSession()
    wire = pack(Frame(Header(0x0100, PHONE, 0), encode_body(register, Version.V2011)))
    platform.receive_data(wire, 0)
    events = _events(platform)
    assert events[-1].message == register and platform.version is Version.V2011
    fixed = PlatformSession(version=Version.V2013)
    fixed.receive_data(wire, 0)
    assert fixed.version is Version.V2013


def test_hex_phone_is_a_quirk_and_the_reply_carries_it():
    platform = PlatformSession()
    wire = pack(Frame(Header(0x0002, "4eb6fb4afd9e", 3), b""))
    platform.receive_data(wire, 0)
    [event] = _events(platform)[:1]
    assert isinstance(event, QuirkReceived) and "4eb6fb4afd9e" in event.quirks[0]


def test_hex_phone_reported_once_not_per_frame():
    platform = PlatformSession()
    for serial in range(5):
        platform.receive_data(pack(Frame(Header(0x0002, "4eb6fb4afd9e", serial), b"")), 0)
    assert sum(isinstance(e, QuirkReceived) for e in _events(platform)) == 1


def test_duplicates_do_not_keep_a_partial_alive():
    """issue 18: one duplicate packet every 20 s kept incomplete upgrades for ever; the
    age limit counts from the first packet."""
    from jt808.session import ReassemblyFailed, ReassemblyLimits
    platform = PlatformSession(limits=ReassemblyLimits(timeout=30.0, max_age=100.0))
    frames = _packets(UPLOAD_ID, [1, 2, 3], os.urandom(3000))
    now = 0.0
    while now < 200:
        platform.receive_data(frames[0], now)
        platform.handle_timer(now)
        now += 20
    failed = [e for e in _events(platform) if isinstance(e, ReassemblyFailed)]
    assert failed and failed[0].missing == (2, 3)
    assert len(platform.reassembler.partials) <= 1
