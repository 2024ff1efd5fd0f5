"""Header layouts (JT/T 808 §4.4.3 table 2, 2019 §4.4.3 table 2), phone digits, version override."""
from __future__ import annotations

import pytest

from jt808.errors import HeaderError
from jt808.frame import Frame, Framer, Header, Version, escape, header_size, pack, unpack, xor_check


def _frame(content_hex: str) -> bytes:
    content = bytes.fromhex(content_hex)
    return b"\x7e" + escape(content + bytes((xor_check(content),))) + b"\x7e"


@pytest.mark.parametrize("is_2019, subpackaged, size", [
    (False, False, 12), (False, True, 16), (True, False, 17), (True, True, 21)])
def test_header_sizes(is_2019, subpackaged, size):
    # §4.4.3 table 2: 2+2+6+2 (+4 packet item); 2019 table 2: 2+2+1+10+2 (+4)
    assert header_size(is_2019, subpackaged) == size
    version = Version.V2019 if is_2019 else Version.V2013
    header = Header(1, "1", version=version, packet=(1, 1) if subpackaged else None)
    assert header.size() == size and len(header.encode(0)) == size


@pytest.mark.parametrize("phone, version, wire, digits", [
    ("13800138000", Version.V2013, "013800138000", "013800138000"),
    ("000000000001", Version.V2013, "000000000001", "000000000001"),
    ("", Version.V2013, "000000000000", "000000000000"),
    ("13800138000", Version.V2019, "00000000013800138000", "00000000013800138000"),
    ("01234567890123456789", Version.V2019, "01234567890123456789", "01234567890123456789"),
])
def test_phone_digits_in_digits_out_with_leading_zeros(phone, version, wire, digits):
    header = Header(0x0002, phone, version=version)
    assert header.phone == digits
    data = pack(Frame(header))
    assert wire in data.hex()
    assert unpack(data).header.phone == digits


def test_version_given_as_int_is_the_enum():
    header = Header(2, "13800138000", version=2019)
    assert header.version is Version.V2019 and header.phone == "00000000013800138000"
    assert unpack(pack(Frame(header))).header == header


def test_all_property_bits_decode():
    # §4.4.3.1: length 3, encryption 001, subpackaged, version flag, reserved bit
    data = _frame("0801 e403 01 00000000013800138000 0007 0003 0002 aabbcc")
    header = unpack(data).header
    assert header == Header(0x0801, "13800138000", serial=7, version=Version.V2019,
                            encryption=1, packet=(3, 2), reserved=True)
    assert pack(unpack(data)) == data


# A 2013-layout heartbeat body with bit 14 set (a 2013 device that sets it) and a 2019-layout
# one with bit 14 clear (a 2019 device that forgets it); jt808-notes.md "Frame".
FLAG_SET_2013 = _frame("0002 4000 013800138000 0001")
FLAG_CLEAR_2019 = _frame("0002 0000 01 00000000013800138000 0001")


def test_without_override_the_flag_decides_and_the_quirky_frames_fail():
    with pytest.raises(HeaderError):
        unpack(FLAG_SET_2013)
    with pytest.raises(HeaderError):
        unpack(FLAG_CLEAR_2019)


@pytest.mark.parametrize("data, version, flag, phone", [
    (FLAG_SET_2013, Version.V2013, True, "013800138000"),
    (FLAG_SET_2013, Version.V2011, True, "013800138000"),
    (FLAG_CLEAR_2019, Version.V2019, False, "00000000013800138000"),
])
def test_version_override_repacks_byte_exact(data, version, flag, phone):
    frame = unpack(data, version)
    assert frame.header.version is version
    assert frame.header.version_flag is flag
    assert frame.header.phone == phone
    assert pack(frame) == data
    framer = Framer(version)
    assert [f for b in data for f in framer.feed(bytes((b,)))] == [frame]


@pytest.mark.parametrize("version", list(Version))
def test_override_that_agrees_with_the_flag_keeps_version_flag_none(version):
    header = Header(0x0100, "12345", serial=9, version=version)
    data = pack(Frame(header, b"\x01"))
    frame = unpack(data, version)
    assert frame.header.version_flag is None and frame.header == header


def test_default_version_of_a_flagless_header_is_2013():
    assert unpack(_frame("0002 0000 013800138000 0001")).header.version is Version.V2013


def test_replace_makes_a_changed_copy():
    header = Header(2, "1")
    assert header._replace(serial=5).serial == 5 and header.serial == 0
    assert Header(2, "1").is_2019 is False
