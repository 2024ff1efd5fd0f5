"""SMS PDU codec: hand vectors from quectel-at.md §6 and smspdudecoder as oracle."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import given, settings, strategies as st

from hal.errors import PduError
from hal.quectel._pdu import (
    MAX_PART, Reassembler, SmsDeliver, decode_deliver, decode_submit,
    encode_deliver, encode_submit,
)

# quectel-at.md §6 transcript: AT+CMGS=45 PDU (two JT808 heartbeats, 30 octets, §3 payload).
SUBMIT_HEX = ("0011000D91683108108300F00004A71E"
              "7E00020000013800138000002A827E7E00020000013800138000002B837E")
HEARTBEATS = bytes.fromhex("7E00020000013800138000002A827E7E00020000013800138000002B837E")
# quectel-at.md §6 transcript: +CMGR: 0,,36 PDU (0x8105 terminal reset, 16 octets).
DELIVER_HEX = ("0891683108200805F0040D91683108108300F00004521130214530231"
               "07E81050001013800138000000204297E")
RESET_8105 = bytes.fromhex("7E81050001013800138000000204297E")
CST = dt.timezone(dt.timedelta(hours=8))


def _oracle():
    try:
        from smspdudecoder.fields import SMSDeliver, SMSSubmit
    except ImportError as exc:  # bitstring 5 removed BitStream: pin bitstring<5
        pytest.skip(f"smspdudecoder oracle unusable ({exc}); install bitstring<5")
    return SMSDeliver, SMSSubmit


# ----------------------------------------------------------------- hand vectors

def test_submit_vector_section6():
    [(pdu, tpdu_len)] = encode_submit("+8613800138000", HEARTBEATS, ref=0)
    assert pdu.hex().upper() == SUBMIT_HEX
    assert tpdu_len == 45                      # "AT+CMGS=45" in §6


def test_decode_submit_vector_section6():
    sub = decode_submit(bytes.fromhex(SUBMIT_HEX))
    assert sub.number == "+8613800138000"
    assert sub.data == HEARTBEATS
    assert sub.concat is None and sub.smsc is None and sub.dcs == 0x04


def test_decode_deliver_vector_section6():
    msg = decode_deliver(bytes.fromhex(DELIVER_HEX))
    assert msg.sender == "+8613800138000"
    assert msg.smsc == "+8613800280500"
    assert msg.data == RESET_8105
    assert msg.timestamp == dt.datetime(2025, 11, 3, 12, 54, 3, tzinfo=CST)
    assert msg.concat is None and msg.text is None


def test_encode_deliver_reproduces_section6_vector():
    msg = decode_deliver(bytes.fromhex(DELIVER_HEX))
    [(pdu, tpdu_len)] = encode_deliver(msg.sender, msg.data, timestamp=msg.timestamp,
                                       smsc=msg.smsc)
    assert pdu.hex().upper() == DELIVER_HEX
    assert tpdu_len == 36                      # "+CMGR: 0,,36" in §6


def test_national_odd_digits_and_smsc():
    # §6: TOA 0x81 national, F-padded swapped BCD; SCA length counts TOA + BCD octets.
    [(pdu, n)] = encode_submit("13800138000", b"\x01", ref=0, smsc="+8613800200500")
    assert pdu.hex().upper() == "0891683108200005F0" "1100" "0B813108108300F0" "0004A701" "01"
    assert n == len(pdu) - 9


def test_status_report_bit():
    [(pdu, _)] = encode_submit("+1", b"x", ref=0, status_report=True)
    assert pdu[1] == 0x31
    assert decode_submit(pdu).status_report is True


def test_concatenated_submit_layout():
    data = bytes(range(256)) + bytes(44)       # 300 octets -> 134 + 134 + 32
    parts = encode_submit("+8613800138000", data, ref=0x2A)
    assert len(parts) == 3
    for seq, (pdu, tpdu_len) in enumerate(parts, 1):
        assert pdu[1] == 0x51                  # 0x11 + UDHI 0x40 (§6)
        udl_at = 1 + 2 + 9 + 3
        assert pdu[udl_at + 1:udl_at + 7] == bytes([5, 0, 3, 0x2A, 3, seq])
        assert tpdu_len == len(pdu) - 1
    assert parts[0][0][udl_at] == 140
    assert parts[2][0][udl_at] == 6 + 32
    joined = b"".join(decode_submit(p).data for p, _ in parts)
    assert joined == data


def test_exactly_140_is_single_and_141_splits():
    assert len(encode_submit("+1", bytes(140), ref=0)) == 1
    assert len(encode_submit("+1", bytes(141), ref=0)) == 2
    assert len(encode_submit("+1", bytes(MAX_PART * 3), ref=0)) == 3


@pytest.mark.parametrize("number", ["", "+", "12a4", "+12 34", "1" * 21, "١٢٣"])
def test_bad_local_number(number):
    with pytest.raises(ValueError):
        encode_submit(number, b"x", ref=0)


def test_bad_local_ref_and_size():
    with pytest.raises(ValueError):
        encode_submit("+1", bytes(300), ref=256)
    with pytest.raises(ValueError):
        encode_submit("+1", bytes(134 * 256), ref=1)
    with pytest.raises(ValueError):
        encode_deliver("+1", b"x", timestamp=dt.datetime(2024, 1, 1))  # naive


def test_decode_16bit_ref_udh():
    # 23.040 §9.2.3.24.8 IEI 0x08: 06 08 04 <ref16> <total> <seq> (§6 mentions it)
    tpdu = (bytes([0x44]) + bytes.fromhex("0B913108108300F0") + b"\x00\x04"
            + bytes.fromhex("52113021453023") + bytes([7 + 3]) + bytes.fromhex("060804ABCD0302")
            + b"abc")
    msg = decode_deliver(b"\x00" + tpdu)
    assert msg.concat == (0xABCD, 3, 2) and msg.data == b"abc"


def test_decode_gsm7_text_and_alphanumeric_sender():
    # 23.040 §9.1.2.5: TOA 0xD0 alphanumeric address, length in semi-octets, GSM 7-bit packed.
    from hal.quectel._pdu import _GSM7

    def pack(text):
        value = 0
        for i, ch in enumerate(text):
            value |= _GSM7.index(ch) << (7 * i)
        n = (len(text) * 7 + 7) // 8
        return value.to_bytes(n, "little")

    name = pack("Quectel")
    tpdu = (b"\x04" + bytes([(7 * 7 + 3) // 4, 0xD0]) + name + b"\x00\x00"
            + bytes.fromhex("52113021453023") + bytes([5]) + pack("hello"))
    msg = decode_deliver(b"\x00" + tpdu)
    assert msg.sender == "Quectel"
    assert msg.text == "hello"
    assert msg.dcs == 0


def test_decode_ucs2_text():
    body = "你好".encode("utf-16-be")
    tpdu = (b"\x04" + bytes.fromhex("0B913108108300F0") + b"\x00\x08"
            + bytes.fromhex("52113021453023") + bytes([len(body)]) + body)
    assert decode_deliver(b"\x00" + tpdu).text == "你好"


def test_negative_timezone_roundtrip():
    ts = dt.datetime(2024, 2, 29, 23, 59, 58, tzinfo=dt.timezone(-dt.timedelta(hours=5, minutes=45)))
    [(pdu, _)] = encode_deliver("+1", b"z", timestamp=ts)
    assert decode_deliver(pdu).timestamp == ts


# ----------------------------------------------------------------- malformed input

def test_every_truncation_of_vectors_is_pdu_error():
    for hexstr, decode in ((DELIVER_HEX, decode_deliver), (SUBMIT_HEX, decode_submit)):
        pdu = bytes.fromhex(hexstr)
        for cut in range(len(pdu)):
            with pytest.raises(PduError):
                decode(pdu[:cut])


def test_trailing_octets_rejected():
    with pytest.raises(PduError, match="trailing"):
        decode_deliver(bytes.fromhex(DELIVER_HEX) + b"\x00")


# DELIVER_HEX offsets: SCA 0-8, first octet 9, OA length 10, TOA 11, PID 19, DCS 20, SCTS 21-27, UDL 28.
@pytest.mark.parametrize("offset, value, field", [
    (9, 0x01, "first octet"),        # MTI 1 (SUBMIT) where a DELIVER is expected
    (10, 0x19, "originator"),        # address length 25 > 20
    (21, 0xAA, "scts"),              # bad BCD in the year
    (20, 0x24, "dcs"),               # compressed DCS (23.038 §4) unsupported
    (20, 0x80, "dcs"),               # reserved coding group
    (28, 0x11, "ud"),                # UDL one more than the UD present
    (28, 0x8D, "udl"),               # UDL 141 > 140
])
def test_mutated_deliver(offset, value, field):
    pdu = bytearray.fromhex(DELIVER_HEX)
    pdu[offset] = value
    with pytest.raises(PduError) as info:
        decode_deliver(bytes(pdu))
    assert info.value.field == field


def test_submit_given_to_deliver_decoder():
    with pytest.raises(PduError, match="not an SMS-DELIVER"):
        decode_deliver(bytes.fromhex(SUBMIT_HEX))
    with pytest.raises(PduError, match="not an SMS-SUBMIT"):
        decode_submit(bytes.fromhex(DELIVER_HEX))


def test_bad_udh():
    head = b"\x00" + b"\x44" + bytes.fromhex("0B913108108300F0") + b"\x00\x04" + bytes.fromhex("52113021453023")
    for ud in (b"\x09\x05\x00\x03", b"\x06\x05\x00\x03\x01\x02\x03", b"\x05\x00\x03\x01\x02\x00",
               b"\x05\x00\x04\x01\x02\x01"):
        with pytest.raises(PduError):
            decode_deliver(head + bytes([len(ud)]) + ud)


@given(st.binary(max_size=200))
@settings(max_examples=300, deadline=None)
def test_random_bytes_never_crash(blob):
    for decode in (decode_deliver, decode_submit):
        try:
            decode(blob)
        except PduError:
            pass


# ----------------------------------------------------------------- oracle

numbers = st.from_regex(r"\+?[0-9]{1,20}", fullmatch=True)


@given(number=numbers, data=st.binary(max_size=600), ref=st.integers(0, 255))
@settings(max_examples=60, deadline=None)
def test_submit_against_smspdudecoder(number, data, ref):
    _, oracle = _oracle()
    parts = encode_submit(number, data, ref=ref)
    joined = b""
    for seq, (pdu, tpdu_len) in enumerate(parts, 1):
        assert tpdu_len == len(pdu) - 1
        got = oracle.decode(io.StringIO(pdu.hex()))
        assert got["recipient"]["number"] == number.lstrip("+")
        assert got["recipient"]["toa"]["ton"] == ("international" if number[0] == "+" else "unknown")
        assert got["dcs"]["encoding"] == "binary"
        header = got["user_data"]["header"]
        if len(parts) > 1:
            assert header["elements"][0]["data"] == {
                "reference": ref, "parts_count": len(parts), "part_number": seq}
        else:
            assert header is None
        joined += got["user_data"]["data"]
    assert joined == data


@given(sender=numbers, data=st.binary(max_size=400),
       ts=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31),
                       timezones=st.sampled_from([dt.timezone.utc, CST,
                                                  dt.timezone(-dt.timedelta(hours=3, minutes=30))])))
@settings(max_examples=60, deadline=None)
def test_deliver_against_smspdudecoder(sender, data, ts):
    oracle, _ = _oracle()
    ts = ts.replace(microsecond=0)
    parts = encode_deliver(sender, data, timestamp=ts, ref=5, smsc="+8613800200500")
    joined = b""
    for pdu, _ in parts:
        got = oracle.decode(io.StringIO(pdu.hex()))
        assert got["sender"]["number"] == sender.lstrip("+")
        assert got["scts"] == ts
        assert got["smsc"]["number"] == "8613800200500"
        joined += got["user_data"]["data"]
        ours = decode_deliver(pdu)
        assert ours.sender == sender and ours.timestamp == ts
    assert joined == data


def test_oracle_reads_section6_vectors():
    deliver, submit = _oracle()
    assert deliver.decode(io.StringIO(DELIVER_HEX))["user_data"]["data"] == RESET_8105
    assert submit.decode(io.StringIO(SUBMIT_HEX))["user_data"]["data"] == HEARTBEATS


# ----------------------------------------------------------------- reassembly

def _parts(data, *, sender="+8613800138000", ref=1):
    ts = dt.datetime(2025, 1, 1, tzinfo=CST)
    return [decode_deliver(p) for p, _ in encode_deliver(sender, data, timestamp=ts, ref=ref)]


def test_reassembler_out_of_order_and_duplicates():
    data = bytes(range(256)) * 2
    parts = _parts(data)
    r = Reassembler()
    assert r.feed(parts[2], 0) is None
    assert r.feed(parts[0], 1) is None
    assert r.feed(parts[0], 1) is None          # duplicate
    whole = r.feed(parts[1], 2) or r.feed(parts[3], 3)
    assert whole is not None and whole.data == data and whole.concat is None
    assert len(r) == 0


def test_reassembler_single_passthrough():
    [one] = _parts(b"abc")
    assert Reassembler().feed(one, 0) == one


def test_reassembler_bounded_by_age_and_count():
    r = Reassembler(max_pending=2, max_age=10.0)
    a, b, c = (_parts(bytes(200), ref=i)[0] for i in (1, 2, 3))
    r.feed(a, 0)
    r.feed(b, 1)
    r.feed(c, 2)                                # evicts a (oldest)
    assert len(r) == 2 and r.dropped == 1
    r.expire(11.5)                              # b is 10.5 s old, c 9.5 s
    assert len(r) == 1 and r.dropped == 2
    r.expire(100)
    assert len(r) == 0


def test_reassembler_keys_by_sender():
    x = _parts(bytes(200), sender="+1", ref=9)
    y = _parts(bytes([1]) * 200, sender="+2", ref=9)
    r = Reassembler()
    assert r.feed(x[0], 0) is None
    assert r.feed(y[1], 0) is None
    assert r.feed(x[1], 0).data == bytes(200)
    assert r.feed(y[0], 0).data == bytes([1]) * 200
    assert isinstance(x[0], SmsDeliver)
