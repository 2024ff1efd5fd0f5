"""Terminal and platform sessions end to end through a fake link with explicit time."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from jt808.codec import (LinkCheck, MediaUploadResponse, PlatformGeneralResponse,
                         RawMessage, TerminalAuth, decode_body, encode_body)
from jt808.errors import LocalProtocolError
from jt808.frame import Framer, Version, unpack
from jt808.session import (CONNECTED, MessageReceived, PlatformSession, ProtocolErrorReceived,
                           ReplyReceived, RequestTimedOut, TerminalSession, UnmatchedReply)

from session_pair import SessionPair

LOCATION_ID = 0x0F01  # a reserved id: stays a RawMessage whatever the codec learns


def _raw(msg_id: int, size: int, seed: int = 1) -> RawMessage:
    return RawMessage(msg_id, bytes((i * seed + 7) & 0xFF for i in range(size)))


def test_login_reaches_authenticated_and_stores_code(pair):
    assert pair.terminal.auth_code == "CODE"


def test_retry_instants_follow_the_standard(pair):
    """2013 §6: T1 = 30 s, 3 retransmissions: sent at 0, 30, 90, 270; given up at 990."""
    pair.terminal.update_params({0x0001: 0, 0x0002: 30, 0x0003: 3})
    start = pair.now
    sent_at = []
    pair.terminal.send(_raw(LOCATION_ID, 10), start)
    t = pair.terminal
    sent_at.append(start)
    t.datagrams_to_send()
    while (timer := t.get_timer()) is not None:
        t.handle_timer(timer)
        if t.datagrams_to_send():
            sent_at.append(timer)
    assert [s - start for s in sent_at] == [0, 30, 90, 270]
    [event] = [e for e in pair.events(t) if isinstance(e, RequestTimedOut)]
    assert event.attempts == 4 and timer is None
    assert pair.terminal.pending == {}


def test_retransmission_keeps_its_serial(pair):
    pair.terminal.update_params({0x0001: 0})
    serial = pair.terminal.send(_raw(LOCATION_ID, 10), pair.now)
    first = pair.terminal.datagrams_to_send()
    pair.terminal.handle_timer(pair.now + 30)
    again = pair.terminal.datagrams_to_send()
    assert first == again and unpack(again[0]).header.serial == serial


def test_reply_matched_on_serial_and_id(pair):
    serial = pair.terminal.send(_raw(LOCATION_ID, 10), pair.now)
    pair.pump()
    [report] = pair.events(pair.platform)
    pair.platform.reply(report.header, 0, pair.now)
    pair.pump()
    [reply] = pair.events(pair.terminal)
    assert isinstance(reply, ReplyReceived) and reply.request_serial == serial
    assert pair.terminal.pending == {}


def test_reply_naming_wrong_id_is_unmatched(pair):
    serial = pair.terminal.send(_raw(LOCATION_ID, 10), pair.now)
    pair.pump()
    pair.events(pair.platform)
    pair.platform.send(PlatformGeneralResponse(serial, 0x0F03, 0), pair.now)
    pair.platform.send(PlatformGeneralResponse(9999, LOCATION_ID, 0), pair.now)
    pair.pump()
    events = pair.events(pair.terminal)
    assert [type(e) for e in events] == [UnmatchedReply, UnmatchedReply]
    assert serial in pair.terminal.pending


def test_several_requests_in_flight(pair):
    serials = [pair.terminal.send(_raw(LOCATION_ID, 10, i), pair.now) for i in range(5)]
    pair.pump()
    reports = pair.events(pair.platform)
    for report in reversed(reports):
        pair.platform.reply(report.header, 0, pair.now)
    pair.pump()
    replies = pair.events(pair.terminal)
    assert sorted(r.request_serial for r in replies) == sorted(serials)


def test_serial_wraps_at_ffff():
    session = TerminalSession("1", Version.V2013)
    session._serial = 0xFFFE
    assert [session.next_serial() for _ in range(3)] == [0xFFFE, 0xFFFF, 0]


def test_state_table_refuses_reports_before_auth():
    session = TerminalSession("1", Version.V2013)
    with pytest.raises(LocalProtocolError, match="may not send this while connected") as info:
        session.send(_raw(LOCATION_ID, 4), 0)
    assert info.value.msg_id == LOCATION_ID
    session.close()
    with pytest.raises(LocalProtocolError, match="closed"):
        session.send(TerminalAuth("x"), 0)


def _split_upload(pair: SessionPair, size: int, msg_id: int = 0x0F02, lose=()) -> tuple:
    body = os.urandom(size)
    message = RawMessage(msg_id, body)
    serial = pair.terminal.send(message, pair.now)
    index = {"n": 0}

    def drop(frame: bytes) -> bool:
        index["n"] += 1
        return index["n"] in lose
    pair.pump(drop)
    return body, serial


def test_split_5000_bytes_one_lost_platform_asks_terminal_resends(pair):
    body, serial = _split_upload(pair, 5000, lose={3})
    assert len(pair.uplink) >= 5 + 1            # 5 packets, then the resent one
    received = [e for e in pair.events(pair.platform) if isinstance(e, MessageReceived)]
    assert [e.message for e in received] == [RawMessage(0x0F02, body)]
    packets = [unpack(f).header.packet for f in pair.uplink]
    first = packets.index((5, 1))
    assert packets[first:first + 5] == [(5, i) for i in range(1, 6)]
    # resent: every packet the 0x8003 list names read as a serial (packet 3) or as an
    # index (the serial's number, when it is 1..5); packet 3 is among them (issue 11)
    assert (5, 3) in packets[first + 5:]


def test_split_packets_reordered_and_duplicated():
    pair = SessionPair()
    pair.login()
    body = os.urandom(3000)
    pair.terminal.send(RawMessage(0x0F02, body), pair.now)
    frames = pair.terminal.datagrams_to_send()
    for frame in [frames[2], frames[0], frames[0], frames[1], frames[2]]:
        pair.platform.receive_data(frame, pair.now)
    received = [e for e in pair.events(pair.platform) if isinstance(e, MessageReceived)]
    assert [e.message.body for e in received] == [body]


def test_each_subpacket_has_its_own_serial(pair):
    pair.terminal.send(RawMessage(0x0F02, bytes(2500)), pair.now)
    frames = [unpack(f) for f in pair.terminal.datagrams_to_send()]
    headers = [frame.header for frame in frames]
    assert [h.serial for h in headers] == [headers[0].serial + i for i in range(3)]
    assert [h.packet for h in headers] == [(3, 1), (3, 2), (3, 3)]
    assert all(len(frame.body) <= 1023 for frame in frames)
    assert b"".join(frame.body for frame in frames) == bytes(2500)


def test_media_upload_resend_list_by_index(pair):
    media_id = 0x11223344
    body = media_id.to_bytes(4, "big") + bytes(32) + os.urandom(5000)
    serial = pair.terminal.send(RawMessage(0x0801, body), pair.now)
    # Our RawMessage has no media_id attribute; map it for the store by hand.
    pair.terminal.sent._messages[serial].media_id = media_id
    pair.terminal.pending[serial].message = _MediaLike(media_id, body)
    frames = pair.terminal.datagrams_to_send()
    for i, frame in enumerate(frames, 1):
        if i not in (2, 4):
            pair.platform.receive_data(frame, pair.now)
    # the last packet arrived with 2 and 4 missing: the platform answered 0x8800 [2, 4]
    down = pair.platform.datagrams_to_send()
    replies = [decode_body(unpack(f).header.msg_id, unpack(f).body) for f in down]
    assert replies == [MediaUploadResponse(media_id, (2, 4))]
    for frame in down:
        pair.terminal.receive_data(frame, pair.now)
    resent = pair.terminal.datagrams_to_send()
    assert resent == [frames[1], frames[3]]
    for frame in resent:
        pair.platform.receive_data(frame, pair.now)
    pair.pump()
    [upload] = [e for e in pair.events(pair.platform) if isinstance(e, MessageReceived)]
    assert encode_body(upload.message) == body
    [done] = [e for e in pair.events(pair.terminal) if isinstance(e, ReplyReceived)]
    assert done.reply == MediaUploadResponse(media_id, ())


class _MediaLike(RawMessage):
    __slots__ = ("media_id",)

    def __init__(self, media_id, body):
        super().__init__(0x0801, body)
        object.__setattr__(self, "media_id", media_id)


def test_2019_terminal_asks_platform_with_0005(pair2019):
    pair = pair2019
    body = os.urandom(2500)
    pair.platform.send(RawMessage(0x8F01, body), pair.now)
    frames = pair.platform.datagrams_to_send()
    pair.terminal.receive_data(frames[0], pair.now)
    pair.terminal.receive_data(frames[2], pair.now)   # last packet, 2 missing
    [ask] = pair.terminal.datagrams_to_send()
    request = decode_body(0x0005, unpack(ask).body, Version.V2019)
    assert request.original_serial == unpack(frames[0]).header.serial
    assert request.packet_ids == (unpack(frames[1]).header.serial,)
    pair.platform.receive_data(ask, pair.now)
    resent = pair.platform.datagrams_to_send()
    assert frames[1] in resent   # with any packet the list names read as an index
    for frame in resent:
        pair.terminal.receive_data(frame, pair.now)
    [got] = [e for e in pair.events(pair.terminal) if isinstance(e, MessageReceived)]
    assert got.message == RawMessage(0x8F01, body)


def test_incomplete_message_is_dropped_after_requests(pair):
    pair.platform.reassembler.limits.__class__  # limits are a frozen value
    body = os.urandom(3000)
    pair.terminal.send(RawMessage(0x0F02, body), pair.now)
    frames = pair.terminal.datagrams_to_send()
    pair.platform.receive_data(frames[0], pair.now)
    t = pair.now
    for _ in range(10):
        t += 31
        pair.platform.handle_timer(t)
    from jt808.session import ReassemblyFailed
    failed = [e for e in pair.events(pair.platform) if isinstance(e, ReassemblyFailed)]
    assert len(failed) == 1 and failed[0].missing == (2, 3)
    assert pair.platform.reassembler.partials == {}


def test_link_check_answered_by_session(pair2019):
    pair = pair2019
    pair.platform.send(LinkCheck(), pair.now)
    pair.pump()
    replies = [e for e in pair.events(pair.platform) if isinstance(e, ReplyReceived)]
    assert replies and replies[0].reply.reply_id == 0x8204


def test_heartbeat_after_idle_interval(pair):
    pair.terminal.update_params({0x0001: 20})
    pair.terminal.datagrams_to_send()
    assert pair.terminal.get_timer() == pair.terminal.last_sent + 20
    pair.advance(pair.now + 20)
    heartbeats = [f for f in pair.uplink if unpack(f).header.msg_id == 0x0002]
    assert len(heartbeats) == 1


def test_bad_body_costs_only_itself(pair):
    good = pair.terminal.send(_raw(LOCATION_ID, 8), pair.now)
    wire = pair.terminal.data_to_send()
    junk = b"\x7e\x01\x02\x7e" + b"garbage"
    pair.platform.receive_data(junk + wire, pair.now)
    events = pair.events(pair.platform)
    assert isinstance(events[0], ProtocolErrorReceived)
    assert isinstance(events[-1], MessageReceived) and events[-1].header.serial == good


def test_undecodable_body_answered_with_wrong_message(pair):
    pair.terminal.send(RawMessage(0x0102, b""), pair.now, expect_reply=False)  # empty auth ok
    pair.terminal.send(RawMessage(0x0100, b"\x00"), pair.now, expect_reply=False)
    pair.pump()
    events = pair.events(pair.platform)
    assert any(isinstance(e, ProtocolErrorReceived) and e.header.msg_id == 0x0100
               for e in events)


def test_reconnect_restarts_state(pair):
    pair.terminal.connection_made()
    assert pair.terminal.state == CONNECTED


def test_version_learnt_by_platform():
    pair = SessionPair(Version.V2019)
    pair.platform.version = None
    pair.login()
    assert pair.platform.version is Version.V2019


def test_server_time_reply_without_serial_matches_oldest(pair2019):
    from jt808.codec import QueryServerTime, ServerTimeResponse
    pair = pair2019
    serial = pair.terminal.send(QueryServerTime(), pair.now)
    pair.pump()
    pair.events(pair.platform)
    pair.platform.send(ServerTimeResponse(dt.datetime(2026, 1, 2, 3, 4, 5)), pair.now)
    pair.pump()
    [reply] = pair.events(pair.terminal)
    assert isinstance(reply, ReplyReceived) and reply.request_serial == serial


def test_platform_session_sizes_stay_small():
    """Framer and session state per idle session stay small (see benchmarks for figures)."""
    session = PlatformSession()
    assert session.framer.buffered == 0 and not session.pending
    assert isinstance(Framer(), Framer)


def test_general_reply_answers_a_request_expecting_a_specific_reply(pair):
    """A terminal may answer any platform command with 0x0001 (e.g. "not supported")."""
    from jt808.codec import QueryTerminalParams, TerminalGeneralResponse
    serial = pair.platform.send(QueryTerminalParams(), pair.now)          # expects 0x0104
    pair.pump()
    [query] = [e for e in pair.events(pair.terminal) if isinstance(e, MessageReceived)]
    pair.terminal.send(TerminalGeneralResponse(query.header.serial, 0x8104, 3), pair.now)
    pair.pump()
    [reply] = pair.events(pair.platform)
    assert isinstance(reply, ReplyReceived) and reply.request_serial == serial
    assert reply.reply.result == 3 and pair.platform.pending == {}
