"""AT parser: transcripts of quectel-at.md §1-§8, fed whole and split at every byte."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from hal.quectel._at_parser import AtParser, Final, Line, Prompt, Urc

OK = Final("OK", True)
RX20 = bytes.fromhex("7E800100050138001380000001002A000200077E")     # §3 platform reply 0x8001
TRICKY = b"\r\n\x1a\x1bOK\r\n>+QIRD: 1\r\n\x00\xff"                  # payload that looks like AT


def feed_all(parser, data, *, split=None):
    if split is None:
        return parser.feed(data)
    events = []
    for i in range(0, len(data), split):
        events += parser.feed(data[i:i + split])
    return events


def run(data, command=None, **kw):
    """Every way of cutting ``data`` must give the same events."""
    results = []
    for split in (None, 1, 2, 3, 7):
        p = AtParser(**kw)
        if command:
            p.begin(command)
        results.append(feed_all(p, data, split=split))
    for cut in range(len(data) + 1):            # split at every byte position (two pieces)
        p = AtParser(**kw)
        if command:
            p.begin(command)
        results.append(p.feed(data[:cut]) + p.feed(data[cut:]))
    assert all(r == results[0] for r in results)
    return results[0]


def test_boot_urcs_section3():
    data = b"\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n\r\n+QIND: PB DONE\r\n\r\nRDY\r\n"
    assert run(data) == [Urc("+CPIN: READY"), Urc("+QUSIM: 1"), Urc("+QIND: SMS DONE"),
                         Urc("+QIND: PB DONE"), Urc("RDY")]


def test_qiact_query_section3():
    assert run(b'\r\n+QIACT: 1,1,1,"10.7.157.1"\r\n\r\nOK\r\n', "AT+QIACT?") == [
        Line('+QIACT: 1,1,1,"10.7.157.1"'), OK]


def test_qiopen_ok_then_urc_section3():
    # "\r\nOK\r\n\r\n+QIOPEN: 0,563\r\n" seen raw in a driver [S9], §3
    assert run(b"\r\nOK\r\n\r\n+QIOPEN: 0,563\r\n", 'AT+QIOPEN=1,0,"TCP","203.0.113.10",7611,0,0') == [
        OK, Urc("+QIOPEN: 0,563")]


def test_qisend_prompt_and_send_ok_section3():
    assert run(b"\r\n> ", "AT+QISEND=0,30") == [Prompt()]
    assert run(b"\r\n>", "AT+QISEND=0,30") == [Prompt()]            # EC200U formatcfg 0 (§1)
    assert run(b"\r\n>\r\n", "AT+QISEND=0,30") == [Prompt()]        # formatcfg 1 (§1)
    assert run(b"\r\nSEND OK\r\n") == [Final("SEND OK", True)]
    assert run(b"\r\nSEND FAIL\r\n") == [Final("SEND FAIL", False)]


def test_qird_data_section3():
    data = b"\r\n+QIRD: 20\r\n" + RX20 + b"\r\n\r\nOK\r\n"
    assert run(data, "AT+QIRD=0,1500") == [Line("+QIRD: 20", RX20), OK]
    assert run(b"\r\n+QIRD: 0\r\n\r\nOK\r\n", "AT+QIRD=0,1500") == [Line("+QIRD: 0"), OK]


def test_qird_binary_payload_that_looks_like_at():
    data = b"\r\n+QIRD: %d\r\n" % len(TRICKY) + TRICKY + b"\r\n\r\nOK\r\n"
    assert run(data, "AT+QIRD=0,1500") == [Line(f"+QIRD: {len(TRICKY)}", TRICKY), OK]


def test_qird_query_form_is_not_data_section2():
    assert run(b"\r\n+QIRD: 20,20,0\r\n\r\nOK\r\n", "AT+QIRD=0,0") == [Line("+QIRD: 20,20,0"), OK]


def test_qird_udp_service_form_section4():
    data = b'\r\n+QIRD: 20,"203.0.113.10",7612\r\n' + RX20 + b"\r\n\r\nOK\r\n"
    assert run(data, "AT+QIRD=2") == [Line('+QIRD: 20,"203.0.113.10",7612', RX20), OK]


def test_push_mode_recv_section3():
    data = b'\r\n+QIURC: "recv",0,20\r\n' + RX20 + b"\r\n"
    assert run(data) == [Urc('+QIURC: "recv",0,20', RX20)]


def test_urcs_in_the_middle_of_a_response():
    data = (b'\r\n+QIRD: 20\r\n' + RX20 + b'\r\n\r\n+QIURC: "closed",0\r\n'
            b'\r\n+CMTI: "SM",3\r\n\r\nOK\r\n\r\n+QIURC: "pdpdeact",1\r\n')
    assert run(data, "AT+QIRD=0,1500") == [
        Line("+QIRD: 20", RX20), Urc('+QIURC: "closed",0'), Urc('+CMTI: "SM",3'), OK,
        Urc('+QIURC: "pdpdeact",1')]


def test_push_data_between_lines_of_a_response():
    data = (b'\r\n+QISTATE: 0,"TCP","203.0.113.10",7611,41952,2,1,0,0,"usbmodem"\r\n'
            b'\r\n+QIURC: "recv",0,3\r\nOK\r\n\r\nOK\r\n')
    assert run(data, "AT+QISTATE=1,0") == [
        Line('+QISTATE: 0,"TCP","203.0.113.10",7611,41952,2,1,0,0,"usbmodem"'),
        Urc('+QIURC: "recv",0,3', b"OK\r"), OK]


def test_error_finals_section1():
    assert run(b"\r\n+CME ERROR: 516\r\n") == [Final("+CME ERROR: 516", False, "CME", 516)]
    assert run(b"\r\n+CMS ERROR: 304\r\n") == [Final("+CMS ERROR: 304", False, "CMS", 304)]
    assert run(b"\r\n+CME ERROR: SIM not inserted\r\n") == [
        Final("+CME ERROR: SIM not inserted", False, "CME", None)]
    assert run(b"\r\nERROR\r\n") == [Final("ERROR", False)]


def test_echo_dropped_section1():
    # ATE1: "AT+CGSN\r\r\n861...\r\n\r\nOK\r\n" (§1), and ATE0 is itself echoed.
    assert run(b"AT+CGSN\r\r\n867584030123454\r\n\r\nOK\r\n", "AT+CGSN") == [
        Line("867584030123454"), OK]
    assert run(b"ATE0\r\r\nOK\r\n", "ATE0") == [OK]
    assert run(b"AT+QISEND=0,30\r\r\n> ", "AT+QISEND=0,30") == [Prompt()]


def test_echo_not_dropped_for_other_text():
    assert run(b"\r\nAT+CGSN\r\n\r\nOK\r\n", "AT+GSN") == [Line("AT+CGSN"), OK]


def test_cpin_is_response_to_own_command_else_urc_section7():
    assert run(b"\r\n+CPIN: READY\r\n\r\nOK\r\n", "AT+CPIN?") == [Line("+CPIN: READY"), OK]
    assert run(b"\r\n+CPIN: READY\r\n\r\nOK\r\n", "AT+CSQ") == [Urc("+CPIN: READY"), OK]


def test_creg_response_vs_unsolicited_section7():
    assert run(b"\r\n+CREG: 0,1\r\n\r\nOK\r\n", "AT+CREG?") == [Line("+CREG: 0,1"), OK]
    assert run(b'\r\n+CEREG: 2,1,"1A2B","0C3D4E01",7\r\n\r\nOK\r\n', "AT+CEREG?") == [
        Line('+CEREG: 2,1,"1A2B","0C3D4E01",7'), OK]
    assert run(b'\r\n+CREG: 5\r\n\r\n+CREG: 1,"1A2B","0C3D4E01",7\r\n\r\n+CREG: 0,1\r\n\r\nOK\r\n',
               "AT+CREG?") == [Urc("+CREG: 5"), Urc('+CREG: 1,"1A2B","0C3D4E01",7'),
                               Line("+CREG: 0,1"), OK]


def test_cmgr_and_cmt_section6():
    pdu = b"0891683108200805F0040D91683108108300F0000452113021453023107E81050001013800138000000204297E"
    assert run(b"\r\n+CMGR: 0,,36\r\n" + pdu + b"\r\n\r\nOK\r\n", "AT+CMGR=3") == [
        Line("+CMGR: 0,,36"), Line(pdu.decode()), OK]
    assert run(b"\r\n+CMT: ,36\r\n" + pdu + b"\r\n") == [Urc("+CMT: ,36", pdu)]
    assert run(b"\r\n+CMGS: 12\r\n\r\nOK\r\n", "AT+CMGS=45") == [Line("+CMGS: 12"), OK]


def test_qgpsloc_section8():
    line = b"+QGPSLOC: 024158.0,40.90340,111.78228,1.5,1125.0,2,307.37,0.0,0.0,271223,04"
    assert run(b"\r\n" + line + b"\r\n\r\nOK\r\n", "AT+QGPSLOC=2") == [Line(line.decode()), OK]


def test_stray_ctrl_z_and_esc_ignored_section2():
    assert run(b"\x1a\r\nOK\r\n\x1b") == [OK]


def test_bare_lf_and_cr_line_ends():
    assert run(b"\nOK\n\rERROR\r") == [OK, Final("ERROR", False)]


def test_over_long_line_dropped_and_counted():
    p = AtParser(max_line=16)
    events = p.feed(b"\r\n" + b"X" * 40 + b"\r\n\r\nOK\r\n")
    assert events == [OK] and p.dropped_lines == 1
    events = p.feed(b"\r\n" + b"Y" * 16 + b"\r\n")
    assert events == [Line("Y" * 16)]


def test_huge_data_announcement_does_not_swallow_stream():
    p = AtParser(max_data=100)
    events = p.feed(b"\r\n+QIRD: 99999\r\n\r\nOK\r\n")
    assert events == [Line("+QIRD: 99999"), OK] and p.dropped_lines == 1


def test_command_cleared_by_final():
    p = AtParser()
    p.begin("AT+CPIN?")
    assert p.command == "AT+CPIN?"
    p.feed(b"\r\nOK\r\n")
    assert p.command is None


@given(st.binary(max_size=300))
@settings(max_examples=300, deadline=None)
def test_random_bytes_never_crash_and_stay_bounded(blob):
    p = AtParser(max_line=64, max_data=64)
    p.feed(blob)
    assert len(p._buf) <= 64 and len(p._raw) <= 64


@given(st.lists(st.sampled_from([
    b"\r\nOK\r\n", b'\r\n+QIURC: "recv",1\r\n', b"\r\n+QIRD: 3\r\nabc\r\n", b"\r\n> ",
    b'\r\n+QIURC: "recv",0,2\r\n\r\n', b"\r\n+CME ERROR: 505\r\n"]), max_size=12),
    st.integers(1, 9))
@settings(max_examples=100, deadline=None)
def test_concatenated_pieces_any_chunking(pieces, chunk):
    data = b"".join(pieces)
    whole = AtParser().feed(data)
    assert feed_all(AtParser(), data, split=chunk) == whole
    assert len(whole) == len(pieces)


@pytest.mark.parametrize("text", ['+QIURC: "closed",0', '+QIURC: "pdpdeact",1', "+QIOPEN: 0,0",
                                  '+CMTI: "ME",7', "+QIND: SMS DONE", "RDY"])
def test_always_urc_even_during_a_command(text):
    assert run(b"\r\n" + text.encode() + b"\r\n", "AT+CSQ") == [Urc(text)]
