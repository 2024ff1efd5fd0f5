"""Text, event, question, information, call back and phone book messages (``_text``).

Vectors: smallchi.jsonl record ids (SmallChi/JT808 C# unit tests) as cited per case.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from jt808.codec import (AnswerItem, CallBack, Contact, EventItem, EventReport, EventSetting,
                         InfoDemand, InfoItem, InfoMenuSetting, InfoService, MESSAGES,
                         PhoneBookSetting, QuestionAnswer, QuestionIssue, RawMessage,
                         TextMessage, decode_body, encode_body)
from jt808.errors import LocalProtocolError, RemoteProtocolError, TruncatedError
from jt808.frame import Version

from codec_support import assert_both_ways, decode_prefixes

V11, V13, V19 = Version.V2011, Version.V2013, Version.V2019

# (source, version, message, body hex)
VECTORS = [
    ("JT808_0x8300Test.cs::Test1 (frame body)", V13, TextMessage(5, "smallchi 518"),
     "05736D616C6C63686920353138"),
    ("JT808_0x8300Test.cs::Test_2019_1 (frame body)", V19, TextMessage(5, "smallchi 518", 1),
     "0501736D616C6C63686920353138"),
    ("JT808_0x8301Test.cs::Test1", V13,
     EventSetting(0, (EventItem(1, "123456"), EventItem(2, "789456"))),
     "000201063132333435360206373839343536"),
    ("JT808_0x0301Test.cs::Test1", V13, EventReport(123), "7B"),
    ("JT808_0x8302Test.cs::Test1", V13,
     QuestionIssue(1, "sdddaff", (AnswerItem(128, "123456"), AnswerItem(127, "123457"))),
     "0107736464646166668000063132333435367F0006313233343537"),
    ("JT808_0x0302Test.cs::Test1", V13, QuestionAnswer(4521, 123), "11A97B"),
    ("JT808_0x8303Test.cs::Test1", V13,
     InfoMenuSetting(0, (InfoItem(11, "smallchi1"), InfoItem(22, "smallchi2"))),
     "00020B0009736D616C6C63686931160009736D616C6C63686932"),
    ("JT808_0x0303Test.cs::Test1", V13, InfoDemand(12, 123), "0C7B"),
    ("JT808_0x8304Test.cs::Test1", V13, InfoService(123, "信息内容"), "7B0008D0C5CFA2C4DAC8DD"),
    ("JT808_0x8400Test.cs::Test1", V13, CallBack(0, "12345679810"), "003132333435363739383130"),
    ("JT808_0x8401Test.cs::Test1", V13,
     PhoneBookSetting(2, (Contact(1, "13456smallch", "smallchi"),
                          Contact(3, "koike123456", "koike"))),
     "0202010C3133343536736D616C6C636808736D616C6C636869030B6B6F696B65313233343536056B6F696B65"),
    # JT/T 808-2011 §8.22 (same body as 2013): flag BYTE + text
    ("JT/T 808-2011 table 37", V11, TextMessage(1, "ok"), "016F6B"),
    # 0x8401 set type 0 "delete all": count 0, no items (2013 table 48)
    ("JT/T 808-2013 table 48", V19, PhoneBookSetting(0), "0000"),
]
IDS = [v[0] for v in VECTORS]


@pytest.mark.parametrize("source,version,message,body", VECTORS, ids=IDS)
def test_vector_both_ways(source, version, message, body):
    assert_both_ways(message, version, bytes.fromhex(body))


@pytest.mark.parametrize("source,version,message,body", VECTORS, ids=IDS)
def test_every_truncation_names_a_field(source, version, message, body):
    raw = bytes.fromhex(body)
    for cut, decoded, error in decode_prefixes(message, version, raw):
        if error is None:   # a tail of answers / a string: a shorter body is still a valid one
            assert encode_body(decoded, version) == raw[:cut]


@pytest.mark.parametrize("source,version,message,body", VECTORS, ids=IDS)
def test_trailing_byte(source, version, message, body):
    raw = bytes.fromhex(body) + b"\x01"
    try:
        decoded = decode_body(message.MSG_ID, raw, version)
    except RemoteProtocolError as exc:
        assert "left after" in str(exc) or isinstance(exc, TruncatedError)
    else:   # a body ending in a string or a list of answers keeps the byte
        assert encode_body(decoded, version) == raw


def test_2019_deletes_the_2013_only_messages():
    for msg_id in (0x0301, 0x0302, 0x0303, 0x8301, 0x8302, 0x8303, 0x8304):
        assert (V19, msg_id) not in MESSAGES
        assert (V11, msg_id) in MESSAGES and (V13, msg_id) in MESSAGES
        assert isinstance(decode_body(msg_id, b"\x01", V19), RawMessage)
    with pytest.raises(LocalProtocolError):
        encode_body(EventReport(1), V19)
    for msg_id in (0x8300, 0x8400, 0x8401):
        assert all((v, msg_id) in MESSAGES for v in (V11, V13, V19))


@pytest.mark.parametrize("message,field", [
    (TextMessage(256, "x"), "flag"),
    (TextMessage(1, "x", -1), "text_type"),
    (TextMessage(1, "\u20ac\U0001F600"), "text"),
    (EventSetting(0, (EventItem(1, "x" * 256),)), "event_content"),
    (EventSetting(0, tuple(EventItem(i % 256) for i in range(256))), "events"),
    (QuestionIssue(1, "q" * 256), "question"),
    (InfoService(1, "x" * 65536), "content"),
    (PhoneBookSetting(1, (Contact(1, "1" * 256),)), "phone"),
    (CallBack(2, 123), "phone_number"),
])
def test_bad_local_values(message, field):
    version = V19 if isinstance(message, (TextMessage, CallBack, PhoneBookSetting)) else V13
    with pytest.raises(LocalProtocolError) as info:
        encode_body(message, version)
    assert info.value.field == field


def test_declared_length_past_the_end():
    # 0x8304 length 0x0008 but only 2 bytes of content
    with pytest.raises(TruncatedError) as info:
        decode_body(0x8304, bytes.fromhex("7B0008D0C5"), V13)
    assert info.value.field == "content" and info.value.offset == 3


def test_non_gbk_bytes_survive():
    raw = bytes.fromhex("05FF80FE")
    assert encode_body(decode_body(0x8300, raw, V13), V13) == raw


texts = st.text(st.characters(codec="gbk"), max_size=20)
u8 = st.integers(0, 255)


def _roundtrip(message, version):
    body = encode_body(message, version)
    assert decode_body(message.MSG_ID, body, version) == message


@settings(max_examples=40, deadline=None)
@given(u8, texts, u8, st.sampled_from([V11, V13, V19]))
def test_text_message_roundtrip(flag, text, text_type, version):
    message = TextMessage(flag, text, text_type if version is V19 else 1)
    _roundtrip(message, version)


@settings(max_examples=40, deadline=None)
@given(u8, st.lists(st.builds(EventItem, u8, texts), max_size=5),
       st.lists(st.builds(AnswerItem, u8, texts), max_size=5),
       st.lists(st.builds(InfoItem, u8, texts), max_size=5), st.sampled_from([V11, V13]))
def test_2013_only_roundtrips(kind, events, answers, infos, version):
    _roundtrip(EventSetting(kind, tuple(events)), version)
    _roundtrip(QuestionIssue(kind, "q?", tuple(answers)), version)
    _roundtrip(InfoMenuSetting(kind, tuple(infos)), version)
    _roundtrip(EventReport(kind), version)
    _roundtrip(QuestionAnswer(kind * 200, kind), version)
    _roundtrip(InfoDemand(kind, 1), version)
    _roundtrip(InfoService(kind, "".join(i.name for i in infos)), version)


@settings(max_examples=40, deadline=None)
@given(u8, st.lists(st.builds(Contact, u8, texts, texts), max_size=5), texts,
       st.sampled_from([V11, V13, V19]))
def test_phone_book_and_call_back_roundtrip(kind, contacts, phone, version):
    _roundtrip(PhoneBookSetting(kind, tuple(contacts)), version)
    _roundtrip(CallBack(kind, phone), version)
