"""Fuzz the hal parsers of peer bytes: only ``hal.errors.HalError`` subclasses may come out.

``AtParser.feed`` (random bytes, mutated modem transcripts), SMS PDU ``decode_deliver`` /
``decode_submit`` (random and mutated valid PDUs), ``NmeaParser.feed``, ``parse_qgpsloc``
and ``QGpsLoc.parse``. Transcript lines follow quectel-at.md §1-§8.
"""
from __future__ import annotations

import datetime as dt

from fuzz_support import mutate, mutations
from hypothesis import given, settings
from hypothesis import strategies as st

from hal.errors import HalError
from hal.gnss import NmeaParser, parse_qgpsloc
from hal.quectel import (AtParser, QGpsLoc, decode_deliver, decode_submit, encode_deliver,
                         encode_submit)

FUZZ = settings(max_examples=300, deadline=None)

# Modem output in the formats of quectel-at.md (sockets §2, SMS §6, GNSS §8, info §1).
TRANSCRIPTS = [
    b"AT+QIRD=0,1500\r\r\n+QIRD: 5\r\nhello\r\n\r\nOK\r\n",
    b'\r\n+QIURC: "recv",0,4\r\n\x7e\x01\x7e\x00\r\n+QIURC: "closed",0\r\n',
    b"\r\n> ", b"\r\nSEND OK\r\n", b"\r\n+CME ERROR: 516\r\n", b"\r\n+CMS ERROR: 500\r\n",
    b'\r\n+QIOPEN: 0,0\r\n', b'\r\n+CMTI: "SM",3\r\n',
    b'\r\n+CMT: ,24\r\n0791683108200005F0040D91683185171100F10004521010000000000401020304\r\n',
    b"\r\n+CPIN: READY\r\n\r\nOK\r\n", b"\r\n+CREG: 0,1\r\n\r\nOK\r\n",
    b"\r\n+QGPSLOC: 061951.0,31.23021,121.47370,0.7,62.2,2,0.00,0.0,0.0,110513,09\r\n\r\nOK\r\n",
    b"\r\nRDY\r\n", b"\r\nERROR\r\n", b"\r\nCONNECT 115200\r\n", b"\r\nNO CARRIER\r\n",
]
COMMANDS = [None, "AT+QIRD=0,1500", "AT+CPIN?", "AT+CREG?", "AT+QGPSLOC=2", "AT+CMGS=20"]

NMEA = [
    b"$GPRMC,061951.000,A,3113.8126,N,12128.4222,E,0.00,0.00,110513,,,A*68\r\n",
    b"$GPGGA,061951.000,3113.8126,N,12128.4222,E,1,09,0.7,62.2,M,7.0,M,,*5B\r\n",
    b"$GNRMC,,V,,,,,,,,,,N*4D\r\n", b"$GPGSV,3,1,11,10,63,137,17*70\r\n",
]
QGPSLOC = "061951.0,31.23021,121.47370,0.7,62.2,2,0.00,0.0,0.0,110513,09"


def _at_stream(parser: AtParser, data: bytes, cuts: list[int]) -> None:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    for a, b in zip(points, points[1:]):
        try:
            parser.feed(data[a:b])
        except HalError:
            pass
        assert len(parser._buf) <= parser.max_line
        assert len(parser._raw) <= parser.max_data


@FUZZ
@given(command=st.sampled_from(COMMANDS), data=st.binary(max_size=400),
       cuts=st.lists(st.integers(0, 1000), max_size=5))
def test_at_parser_random_bytes(command, data, cuts):
    parser = AtParser(max_line=64, max_data=64)
    if command:
        parser.begin(command)
    _at_stream(parser, data, cuts)


@FUZZ
@given(command=st.sampled_from(COMMANDS),
       parts=st.lists(st.sampled_from(TRANSCRIPTS), min_size=1, max_size=6),
       ops=mutations, cuts=st.lists(st.integers(0, 1000), max_size=5))
def test_at_parser_mutated_transcripts(command, parts, ops, cuts):
    parser = AtParser()
    if command:
        parser.begin(command)
    _at_stream(parser, mutate(b"".join(parts), ops), cuts)


def _valid_pdus() -> list[bytes]:
    when = dt.datetime(2021, 1, 1, 12, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    pdus = []
    for data in (b"", b"\x7e\x01\x02\x7e", bytes(range(200)), bytes(300)):
        for smsc in (None, "+8613800100500"):
            pdus += [pdu for pdu, _tpdu_len in encode_submit("+8613800138000", data, ref=7,
                                                             smsc=smsc)]
            pdus += [pdu for pdu, _tpdu_len in encode_deliver("+8613800138000", data,
                                                              timestamp=when, ref=9, smsc=smsc)]
    return pdus


def _decode_pdu(pdu: bytes) -> None:
    for decoder in (decode_deliver, decode_submit):
        try:
            decoder(pdu)
        except HalError:
            pass


@FUZZ
@given(pdu=st.binary(max_size=200))
def test_pdu_random_bytes(pdu):
    _decode_pdu(pdu)


@FUZZ
@given(data=st.data(), ops=mutations)
def test_pdu_mutated_valid(data, ops):
    _decode_pdu(mutate(data.draw(st.sampled_from(_valid_pdus())), ops))


@FUZZ
@given(parts=st.lists(st.sampled_from(NMEA) | st.binary(max_size=100), max_size=8),
       ops=st.none() | mutations)
def test_nmea_parser(parts, ops):
    parser = NmeaParser()
    data = b"".join(parts)
    for chunk in (mutate(data, ops) if ops else data, b"\n"):
        try:
            parser.feed(chunk)
        except HalError:
            pass
        assert len(parser._buffer) <= parser.max_line


_FIELD = st.sampled_from(["", "0", "-1", "nan", "inf", "-inf", "1e400", "999999", "1.5",
                          "000000", "0000inf", "0000nan", "311299", "abc", "\x00", "٣"])


@FUZZ
@given(fields=st.lists(_FIELD | st.text(max_size=12), min_size=9, max_size=12),
       prefix=st.sampled_from(["", "+QGPSLOC: ", "+QGPSLOC:"]))
def test_qgpsloc_fields(fields, prefix):
    text = ",".join(fields)
    for parse in (lambda: parse_qgpsloc(prefix + text), lambda: parse_qgpsloc(
            (prefix + text).encode("utf-8", "surrogatepass")), lambda: QGpsLoc.parse(text)):
        try:
            parse()
        except HalError:
            pass


@FUZZ
@given(ops=mutations, raw=st.binary(max_size=120))
def test_qgpsloc_mutated_and_random(ops, raw):
    for data in (mutate(QGPSLOC.encode(), ops), raw):
        text = data.decode("latin-1")
        for parse in (lambda: parse_qgpsloc(data), lambda: QGpsLoc.parse(text)):
            try:
                parse()
            except HalError:
                pass


@FUZZ
@given(replacements=st.lists(st.tuples(st.integers(0, 10), _FIELD | st.text(max_size=8)),
                             min_size=1, max_size=3))
def test_qgpsloc_valid_with_fields_replaced(replacements):
    fields = QGPSLOC.split(",")
    for index, value in replacements:
        fields[index] = value
    text = ",".join(fields)
    for parse in (lambda: parse_qgpsloc(text), lambda: QGpsLoc.parse(text)):
        try:
            parse()
        except HalError:
            pass
