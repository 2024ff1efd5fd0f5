"""NmeaParser: checksums, RMC/GGA fields, splits at every byte, junk, bounds."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from hal.errors import HalError
from hal.gnss import (
    Fix, GnssError, NmeaChecksumError, NmeaFormatError, NmeaParser, nmea_checksum,
    parse_sentence,
)

# quectel-at.md §8 (EC25 NMEA port example, checksum computed there).
QUECTEL_RMC = b"$GPRMC,024158.00,A,4054.204000,N,11146.936800,E,0.0,307.4,271223,,,A*57\r\n"
# quectel-at.md §8: RMC without a fix.
NO_FIX_RMC = b"$GNRMC,,V,,,,,,,,,,N*4D\r\n"
# The classic NMEA 0183 examples (Dale DePriest, "NMEA data", gpsinformation.org):
# 12:35:19 UTC 23 Mar 1994, 48°07.038' N 11°31.000' E, 22.4 kn, 84.4°.
CLASSIC_RMC = b"$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A\r\n"
CLASSIC_GGA = b"$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n"


def sentence(body: str) -> bytes:
    """A constructed sentence with its checksum computed (for cases no source shows)."""
    return b"$%s*%02X\r\n" % (body.encode(), nmea_checksum(body.encode()))


def test_quectel_rmc() -> None:
    [fix] = NmeaParser().feed(QUECTEL_RMC)
    assert fix.valid
    assert fix.latitude == pytest.approx(40 + 54.204 / 60)
    assert fix.longitude == pytest.approx(111 + 46.9368 / 60)
    assert fix.direction == pytest.approx(307.4)
    assert fix.speed == 0.0
    assert fix.utc == datetime(2023, 12, 27, 2, 41, 58, tzinfo=timezone.utc)


def test_no_fix_rmc_is_an_invalid_fix() -> None:
    [fix] = NmeaParser().feed(NO_FIX_RMC)
    assert fix == Fix(valid=False)


def test_gga_then_rmc_merges_altitude_satellites_hdop() -> None:
    parser = NmeaParser()
    assert parser.feed(CLASSIC_GGA) == []
    [fix] = parser.feed(CLASSIC_RMC)
    assert (fix.altitude, fix.satellites, fix.hdop) == (545.4, 8, 0.9)
    assert fix.speed == pytest.approx(22.4 * 1.852)
    assert fix.direction == pytest.approx(84.4)
    assert fix.latitude == pytest.approx(48 + 7.038 / 60)
    assert fix.longitude == pytest.approx(11 + 31 / 60)
    assert fix.utc == datetime(1994, 3, 23, 12, 35, 19, tzinfo=timezone.utc)
    assert parser.sentences == 2


def test_south_and_west_are_negative() -> None:
    # Constructed (checksum computed): Buenos Aires, 34°36.222' S 58°22.897' W.
    data = sentence("GNRMC,101010.50,A,3436.222,S,05822.897,W,10.0,180.0,010124,,,D")
    [fix] = NmeaParser().feed(data)
    assert fix.latitude == pytest.approx(-(34 + 36.222 / 60))
    assert fix.longitude == pytest.approx(-(58 + 22.897 / 60))
    assert fix.utc == datetime(2024, 1, 1, 10, 10, 10, 500000, tzinfo=timezone.utc)


def test_mode_n_means_invalid_even_with_status_a() -> None:
    data = sentence("GPRMC,123519,A,4807.038,N,01131.000,E,0,0,230394,,,N")
    assert NmeaParser().feed(data)[0].valid is False


@pytest.mark.parametrize("vector", [QUECTEL_RMC, CLASSIC_RMC])
def test_split_at_every_byte(vector: bytes) -> None:
    whole = NmeaParser().feed(CLASSIC_GGA + vector)
    for cut in range(len(CLASSIC_GGA + vector) + 1):
        parser = NmeaParser()
        data = CLASSIC_GGA + vector
        assert parser.feed(data[:cut]) + parser.feed(data[cut:]) == whole
    parser = NmeaParser()
    fed = [fix for byte in CLASSIC_GGA + vector for fix in parser.feed(bytes([byte]))]
    assert fed == whole


@pytest.mark.parametrize("position", range(1, len(CLASSIC_RMC) - 5))
def test_any_corrupted_byte_is_rejected_and_counted(position: int) -> None:
    data = bytearray(CLASSIC_RMC)
    data[position] ^= 0x01
    parser = NmeaParser()
    assert parser.feed(bytes(data) + QUECTEL_RMC)[-1].latitude == pytest.approx(40.9034)
    assert parser.bad_checksum + parser.bad_format == 1


def test_bad_checksum_counted_and_next_line_still_parsed() -> None:
    bad = CLASSIC_RMC.replace(b"*6A", b"*6B")
    parser = NmeaParser()
    fixes = parser.feed(bad + QUECTEL_RMC)
    assert len(fixes) == 1 and parser.bad_checksum == 1
    assert isinstance(parser.last_error, NmeaChecksumError)
    assert isinstance(parser.last_error, GnssError) and isinstance(parser.last_error, HalError)


@pytest.mark.parametrize("junk", [
    b"\x00\xff\xfe garbage\r\n",
    b"$GPRMC,123519,A*ZZ\r\n",                       # checksum not hex
    b"$GPRMC,123519,A,4807.038,N\r\n",               # no checksum
    sentence("GPRMC,123519,A,4807.038,N"),           # too few fields
    sentence("GPRMC,123519,A,48x7.038,N,01131.000,E,0,0,230394,,"),   # bad latitude
    sentence("GPRMC,123519,A,4807.038,Q,01131.000,E,0,0,230394,,"),   # bad hemisphere
    sentence("GPRMC,123519,A,4867.038,N,01131.000,E,0,0,230394,,"),   # 67 minutes
    sentence("GPRMC,123519,A,4807.038,N,01131.000,E,fast,0,230394,,"),  # bad speed
    sentence("GPRMC,123519,A,4807.038,N,01131.000,E,0,0,320394,,"),   # 32 March
    sentence("GPRMC,1235,A,4807.038,N,01131.000,E,0,0,230394,,"),     # short time
    sentence("GPGGA,123519,4807.038,N,01131.000,E,1,eight,0.9,545.4,M,46.9,M,,"),
    sentence("GPRM,123519"),                          # 4-character address
    b"$GP\xc3\xa9MC,1*00\r\n",                       # not ASCII
])
def test_garbage_counted_and_skipped(junk: bytes) -> None:
    parser = NmeaParser()
    fixes = parser.feed(junk + CLASSIC_RMC)
    assert len(fixes) == 1 and fixes[0].latitude == pytest.approx(48.1173)
    assert parser.bad_format + parser.bad_checksum == 1


def test_unhandled_sentences_are_ignored_not_errors() -> None:
    # quectel-at.md §8: the NMEA port also streams GSV/GSA/VTG.
    parser = NmeaParser()
    assert parser.feed(sentence("GPGSV,1,1,00") + sentence("GPVTG,,T,,M,0.0,N,0.0,K,N")) == []
    assert parser.ignored == 2 and parser.bad_format == 0


def test_junk_before_dollar_on_same_line_is_dropped() -> None:
    [fix] = NmeaParser().feed(b"\x13\x37noise" + CLASSIC_RMC)
    assert fix.valid


def test_overlong_line_is_bounded_and_skipped() -> None:
    parser = NmeaParser(max_line=100)
    for _ in range(50):
        assert parser.feed(b"A" * 97) == []
    assert len(parser._buffer) <= 100
    assert parser.too_long >= 1
    # the rest of the overlong line is dropped; the next line parses
    assert len(parser.feed(b"tail\r\n" + CLASSIC_RMC)) == 1


def test_overlong_complete_line_in_one_feed() -> None:
    parser = NmeaParser(max_line=100)
    assert len(parser.feed(b"$" + b"X" * 200 + b"\r\n" + CLASSIC_RMC)) == 1
    assert parser.too_long == 1


def test_parse_sentence_raises_typed_errors() -> None:
    with pytest.raises(NmeaChecksumError, match="checksum 00"):
        parse_sentence(b"$GPRMC,1*00")
    with pytest.raises(NmeaFormatError):
        parse_sentence(b"GPRMC,1*00")
    assert parse_sentence(CLASSIC_RMC.strip())[0] == "RMC"
