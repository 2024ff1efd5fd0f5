"""GNSS: AT+QGPS/QGPSLOC and the NMEA pty (quectel-at.md §8)."""
from __future__ import annotations

import functools
import re
import time

import pytest
import serial

from hal.modem_sim import ModemSimulator, Position, nmea_checksum


@pytest.mark.parametrize("sentence", [
    "$GPRMC,024158.00,A,4054.204000,N,11146.936800,E,0.0,307.4,271223,,,A*57",   # §8 example
    "$GNRMC,,V,,,,,,,,,,N*4D",                                                   # §8 example
])
def test_checksum_matches_the_reference_examples(sentence: str) -> None:
    body, _, check = sentence[1:].partition("*")
    assert nmea_checksum(body) == check


def test_qgpsloc_lifecycle(at) -> None:
    assert at.cmd(b"AT+QGPSLOC=2") == b"\r\n+CME ERROR: 505\r\n"
    assert at.cmd(b'AT+QGPSCFG="outport","usbnmea"') == b"\r\nOK\r\n"
    assert at.cmd(b"AT+QGPS=1") == b"\r\nOK\r\n"
    assert at.cmd(b"AT+QGPS=1") == b"\r\n+CME ERROR: 504\r\n"
    assert at.cmd(b"AT+QGPS?") == b"\r\n+QGPS: 1\r\n\r\nOK\r\n"
    assert at.cmd(b"AT+QGPSLOC=2") == b"\r\n+CME ERROR: 516\r\n"
    deadline = time.monotonic() + 5
    while (reply := at.cmd(b"AT+QGPSLOC=2")) == b"\r\n+CME ERROR: 516\r\n":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert re.fullmatch(rb"\r\n\+QGPSLOC: \d{6}\.\d,40\.90340,111\.78228,1\.0,1125\.0,3,0\.00,0\.0,0\.0,"
                        rb"\d{6},08\r\n\r\nOK\r\n", reply)
    assert re.fullmatch(rb"\r\n\+QGPSLOC: \d{6}\.\d,4054\.2040N,11146\.9368E,.*\r\n\r\nOK\r\n",
                        at.cmd(b"AT+QGPSLOC=0"))
    assert re.fullmatch(rb"\r\n\+QGPSLOC: \d{6}\.\d,4054\.204000,N,11146\.936800,E,.*\r\n\r\nOK\r\n",
                        at.cmd(b"AT+QGPSLOC=1"))
    assert at.cmd(b"AT+QGPSEND") == b"\r\nOK\r\n"
    assert at.cmd(b"AT+QGPSLOC=2") == b"\r\n+CME ERROR: 505\r\n"


def _sentences(port: serial.Serial, count: int) -> list[str]:
    port.reset_input_buffer()
    port.readline()                                  # maybe a partial line
    out = []
    deadline = time.monotonic() + 5
    while len(out) < count:
        assert time.monotonic() < deadline
        line = port.readline()
        if line:
            assert line.endswith(b"\r\n")
            out.append(line.decode("ascii").strip())
    return out


def test_nmea_stream_before_and_after_fix() -> None:
    route = lambda t: Position(-33.5 - t / 1000, -70.25, 500.0, speed_kmh=36.0, course=90.0)
    with ModemSimulator(position=route, gnss_on=True, time_to_fix=0.5, nmea_interval=0.1) as sim:
        port = serial.Serial(sim.nmea_port, timeout=0.5)
        try:
            early = _sentences(port, 2)
            time.sleep(0.6)
            late = _sentences(port, 4)
        finally:
            port.close()
    for sentence in early + late:
        body, _, check = sentence[1:].partition("*")
        assert nmea_checksum(body) == check, sentence
    assert "$GPRMC,,V,,,,,,,,,,N" in {s.split("*")[0] for s in early} or \
           any(",A," in s for s in early)                 # the fix may already be there
    rmc = next(s for s in late if s.startswith("$GPRMC"))
    gga = next(s for s in late if s.startswith("$GPGGA"))
    f = rmc.split(",")
    assert f[2] == "A" and f[4] == "S" and f[6] == "W" and f[5].startswith("07015.0000")
    assert f[3].startswith("33") and f[7] == "19.4" and f[8] == "90.0"
    g = gga.split(",")
    assert g[6] == "1" and g[7] == "08" and g[9] == "500.0"


def test_no_nmea_while_gnss_is_off() -> None:
    with ModemSimulator(nmea_interval=0.05) as sim:
        port = serial.Serial(sim.nmea_port, timeout=0.3)
        try:
            assert port.read(100) == b""
        finally:
            port.close()
