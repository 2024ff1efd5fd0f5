"""SMS in PDU mode through the simulator and its SMS centre (quectel-at.md §6)."""
from __future__ import annotations

import re

import pytest

from hal.modem_sim import InProcessSmsCentre, ModemSimulator
from hal.quectel._pdu import decode_deliver, encode_submit

# quectel-at.md §6 transcript: SUBMIT of the two §3 heartbeats, and a DELIVER of 0x8105 cmd 4.
SUBMIT_HEX = b"0011000D91683108108300F00004A71E7E00020000013800138000002A827E7E00020000013800138000002B837E"
DELIVER_HEX = ("0891683108200805F0040D91683108108300F0000452113021453023107E81050001013800138000000204297E")
HEARTBEATS = bytes.fromhex("7E00020000013800138000002A827E7E00020000013800138000002B837E")


@pytest.fixture
def centre():
    return InProcessSmsCentre()


@pytest.fixture
def sms_at(centre, at_client):
    with ModemSimulator(sms_centre=centre, echo=False) as sim:
        at = at_client(sim.at_port)
        assert at.cmd(b"AT+CMGF=0") == b"\r\nOK\r\n"
        assert at.cmd(b"AT+CNMI=2,1,0,0,0") == b"\r\nOK\r\n"
        yield sim, at


def test_section6_submit_reaches_the_centre(centre, sms_at) -> None:
    sim, at = sms_at
    at.write(b"AT+CMGS=45\r")
    at.expect(b"\r\n> ")
    at.write(SUBMIT_HEX + b"\x1a")
    assert at.read_final() == b"\r\n+CMGS: 0\r\n\r\nOK\r\n"
    (sms,) = centre.submitted
    assert (sms.sender, sms.dest, sms.data) == ("+8613800138000", "+8613800138000", HEARTBEATS)


def test_submit_callback_and_message_reference(at_client) -> None:
    got = []
    with ModemSimulator(sms_centre=InProcessSmsCentre(lambda *a: got.append(a)), echo=False,
                        number="+8613912345678") as sim:
        at = at_client(sim.at_port)
        for mr in (0, 1):
            pdu, length = encode_submit("+8610086", b"\x7e\x00\x1a\x7e", ref=1)[0]
            at.write(f"AT+CMGS={length}\r".encode())
            at.expect(b"\r\n> ")
            at.write(pdu.hex().encode() + b"\x1a")
            assert at.read_final() == f"\r\n+CMGS: {mr}\r\n\r\nOK\r\n".encode()
    assert got == [("+8613912345678", "+8610086", b"\x7e\x00\x1a\x7e")] * 2


def test_concatenated_submit_is_joined_for_the_centre(centre, sms_at) -> None:
    sim, at = sms_at
    frame = bytes(range(256)) + bytes(44)       # 300 octets: three parts
    parts = encode_submit("13800138000", frame, ref=9)
    assert len(parts) == 3
    for pdu, length in parts:
        at.write(f"AT+CMGS={length}\r".encode())
        at.expect(b"\r\n> ")
        at.write(pdu.hex().upper().encode() + b"\x1a")
        assert re.fullmatch(rb"\r\n\+CMGS: \d+\r\n\r\nOK\r\n", at.read_final())
    assert [s.data for s in centre.submitted] == [frame]


def test_bad_pdu_length_is_cms_304_and_esc_cancels(centre, sms_at) -> None:
    sim, at = sms_at
    at.write(b"AT+CMGS=44\r")
    at.expect(b"\r\n> ")
    at.write(SUBMIT_HEX + b"\x1a")
    assert at.read_final() == b"\r\n+CMS ERROR: 304\r\n"
    at.write(b"AT+CMGS=45\r")
    at.expect(b"\r\n> ")
    at.write(b"00110\x1b")
    assert at.read_final() == b"\r\nOK\r\n"
    at.write(b"AT+CMGS=7\r")
    at.expect(b"\r\n> ")
    at.write(b"zz\x1a")
    assert at.read_final() == b"\r\n+CMS ERROR: 304\r\n"
    assert centre.submitted == []


def test_section6_incoming_pdu_via_cmti_cmgr_cmgd(sms_at) -> None:
    sim, at = sms_at
    sim.inject_pdu(bytes.fromhex(DELIVER_HEX))
    at.expect(b'\r\n+CMTI: "SM",0\r\n')
    assert at.cmd(b"AT+CMGR=0") == f"\r\n+CMGR: 0,,36\r\n{DELIVER_HEX}\r\n\r\nOK\r\n".encode()
    assert at.cmd(b"AT+CMGR=0").startswith(b"\r\n+CMGR: 1,,36\r\n")       # now read
    assert at.cmd(b"AT+CMGD=0") == b"\r\nOK\r\n"
    assert at.cmd(b"AT+CMGR=0") == b"\r\n+CMS ERROR: 321\r\n"


def test_injected_binary_sms_reads_back(centre, sms_at) -> None:
    sim, at = sms_at
    payload = bytes([0x7E, 0x81, 0x05, 0x00, 0x1A, 0x0D, 0x00, 0xFF, 0x7E])
    centre.inject(None, "+8613800138000", payload)
    line = at.read_until(b"\r\n", 5) + at.read_until(b"\r\n", 5)
    index = int(re.fullmatch(rb'\r\n\+CMTI: "SM",(\d+)\r\n', line).group(1))
    reply = at.cmd(f"AT+CMGR={index}".encode())
    m = re.fullmatch(rb"\r\n\+CMGR: 0,,(\d+)\r\n([0-9A-F]+)\r\n\r\nOK\r\n", reply)
    pdu = bytes.fromhex(m.group(2).decode())
    assert int(m.group(1)) == len(pdu) - pdu[0] - 1
    sms = decode_deliver(pdu)
    assert (sms.sender, sms.data) == ("+8613800138000", payload)


def test_long_incoming_sms_arrives_as_concatenated_parts(centre, sms_at) -> None:
    sim, at = sms_at
    centre.inject("+8613800138000", "10086", bytes(300))
    for index in range(3):
        at.expect(f'\r\n+CMTI: "SM",{index}\r\n'.encode())
    listing = at.cmd(b"AT+CMGL=4")
    entries = re.findall(rb"\+CMGL: (\d+),0,,(\d+)\r\n([0-9A-F]+)\r\n", listing)
    assert [int(e[0]) for e in entries] == [0, 1, 2]
    parts = [decode_deliver(bytes.fromhex(e[2].decode())) for e in entries]
    assert b"".join(p.data for p in parts) == bytes(300)
    assert [p.concat[2] for p in parts] == [1, 2, 3]
    assert at.cmd(b"AT+CMGL=0") == b"\r\nOK\r\n"              # all read now
    assert at.cmd(b"AT+CMGD=1,4") == b"\r\nOK\r\n"
    assert at.cmd(b"AT+CMGL=4") == b"\r\nOK\r\n"


def test_cnmi_direct_delivery_gives_cmt(sms_at) -> None:
    sim, at = sms_at
    assert at.cmd(b"AT+CNMI=2,2,0,0,0") == b"\r\nOK\r\n"
    sim.inject_pdu(bytes.fromhex(DELIVER_HEX))
    at.expect(f"\r\n+CMT: ,36\r\n{DELIVER_HEX}\r\n".encode())


def test_cpms_and_cmgf(sms_at) -> None:
    sim, at = sms_at
    assert at.cmd(b"AT+CMGF?") == b"\r\n+CMGF: 0\r\n\r\nOK\r\n"
    assert at.cmd(b'AT+CPMS="ME","ME","ME"') == b"\r\n+CPMS: 0,50,0,50,0,50\r\n\r\nOK\r\n"
    assert at.cmd(b"AT+CPMS?") == b'\r\n+CPMS: "ME",0,50,"ME",0,50,"ME",0,50\r\n\r\nOK\r\n'
    sim.inject_pdu(bytes.fromhex(DELIVER_HEX))
    at.expect(b'\r\n+CMTI: "ME",0\r\n')
    assert at.cmd(b"AT+CMGF=1") == b"\r\nOK\r\n"
    assert at.cmd(b"AT+CMGS=45") == b"\r\n+CMS ERROR: 302\r\n"       # text mode: out of scope


def test_sms_between_two_simulated_modems(at_client) -> None:
    centre = InProcessSmsCentre()
    with ModemSimulator(sms_centre=centre, echo=False, number="+8613900000001") as a, \
         ModemSimulator(sms_centre=centre, echo=False, number="+8613900000002") as b:
        at_a, at_b = at_client(a.at_port), at_client(b.at_port)
        pdu, length = encode_submit("+8613900000002", b"\x7ehi\x7e", ref=0)[0]
        at_a.write(f"AT+CMGS={length}\r".encode())
        at_a.expect(b"\r\n> ")
        at_a.write(pdu.hex().encode() + b"\x1a")
        assert at_a.read_final() == b"\r\n+CMGS: 0\r\n\r\nOK\r\n"
        at_b.expect(b'\r\n+CMTI: "SM",0\r\n')
        reply = at_b.cmd(b"AT+CMGR=0")
        sms = decode_deliver(bytes.fromhex(reply.split(b"\r\n")[2].decode()))
        assert (sms.sender, sms.data) == ("+8613900000001", b"\x7ehi\x7e")
