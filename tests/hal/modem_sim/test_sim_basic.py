"""Line discipline, echo, error formats and modem info (quectel-at.md §1, §5, §7)."""
from __future__ import annotations

import time


def test_factory_echo_is_on_and_ate0_is_still_echoed(sim, at_client) -> None:
    at = at_client(sim.at_port)
    assert at.cmd(b"AT+CGSN") == b"AT+CGSN\r\r\n867584030123454\r\n\r\nOK\r\n"    # §1
    assert at.cmd(b"ATE0") == b"ATE0\r\r\nOK\r\n"                                 # §1
    assert at.cmd(b"AT") == b"\r\nOK\r\n"
    assert at.cmd(b"ATE1") == b"\r\nOK\r\n"
    assert at.cmd(b"AT") == b"AT\r\r\nOK\r\n"


def test_echo_fault_turns_echo_back_on(sim, at) -> None:
    sim.set_echo(True)
    assert at.cmd(b"AT+CSQ") == b"AT+CSQ\r\r\n+CSQ: 24,99\r\n\r\nOK\r\n"


def test_modem_info_section7(at) -> None:
    assert at.cmd(b"AT+GSN") == b"\r\n867584030123454\r\n\r\nOK\r\n"
    assert at.cmd(b"AT+QCCID") == b"\r\n+QCCID: 89860012345678901238\r\n\r\nOK\r\n"
    assert at.cmd(b"AT+CSQ") == b"\r\n+CSQ: 24,99\r\n\r\nOK\r\n"
    assert at.cmd(b"AT+CREG?") == b"\r\n+CREG: 0,1\r\n\r\nOK\r\n"
    assert at.cmd(b"AT+CGREG?") == b"\r\n+CGREG: 0,1\r\n\r\nOK\r\n"
    assert at.cmd(b"AT+CEREG=2") == b"\r\nOK\r\n"
    assert at.cmd(b"AT+CEREG?") == b'\r\n+CEREG: 2,1,"1A2B","0C3D4E01",7\r\n\r\nOK\r\n'
    assert at.cmd(b"AT+CGMI") == b"\r\nQuectel\r\n\r\nOK\r\n"
    assert at.cmd(b"AT+CGMM") == b"\r\nEC25\r\n\r\nOK\r\n"
    assert at.cmd(b"AT+CGMR") == b"\r\nEC25EFAR06A08M4G\r\n\r\nOK\r\n"
    assert at.cmd(b"AT+QGMR") == b"\r\nEC25EFAR06A08M4G_01.001.01.001\r\n\r\nOK\r\n"
    assert at.cmd(b"ATI") == b"\r\nQuectel\r\nEC25\r\nRevision: EC25EFAR06A08M4G\r\n\r\nOK\r\n"
    assert at.cmd(b"AT+CPIN?") == b"\r\n+CPIN: READY\r\n\r\nOK\r\n"
    assert at.cmd(b"AT+CIMI") == b"\r\n460001234567890\r\n\r\nOK\r\n"


def test_identity_is_configurable(at_client) -> None:
    from hal.modem_sim import ModemSimulator
    with ModemSimulator(imei="860000000000001", iccid="8986000000000000000F", echo=False) as sim:
        at = at_client(sim.at_port)
        assert at.cmd(b"AT+CGSN") == b"\r\n860000000000001\r\n\r\nOK\r\n"
        assert at.cmd(b"AT+QCCID") == b"\r\n+QCCID: 8986000000000000000F\r\n\r\nOK\r\n"


def test_cmee_modes(at) -> None:
    assert at.cmd(b"AT+QGPSEND") == b"\r\n+CME ERROR: 505\r\n"
    assert at.cmd(b"AT+CMEE=2") == b"\r\nOK\r\n"
    assert at.cmd(b"AT+QGPSEND") == b"\r\n+CME ERROR: session not active\r\n"
    assert at.cmd(b"AT+CMEE=0") == b"\r\nOK\r\n"
    assert at.cmd(b"AT+QGPSEND") == b"\r\nERROR\r\n"
    assert at.cmd(b"AT+CMEE?") == b"\r\n+CMEE: 0\r\n\r\nOK\r\n"
    assert at.cmd(b"AT+CMEE=3") == b"\r\nERROR\r\n"


def test_unknown_and_junk_lines(at) -> None:
    assert at.cmd(b"AT+NOPE") == b"\r\nERROR\r\n"
    assert at.cmd(b"HELLO") == b"\r\nERROR\r\n"
    at.write(b"\r\n\r")                               # blank lines: no answer
    assert at.cmd(b"at") == b"\r\nOK\r\n"


def test_stray_ctrl_z_and_esc_in_command_state_are_ignored(at) -> None:
    at.write(b"\x1a\x1b")
    assert at.quiet(0.2) == b""
    assert at.cmd(b"\x1aAT\x1b") == b"\r\nOK\r\n"


def test_chained_commands_share_one_final_code(at) -> None:
    assert at.cmd(b"AT+CSQ;+CREG?") == b"\r\n+CSQ: 24,99\r\n\r\n+CREG: 0,1\r\n\r\nOK\r\n"
    assert at.cmd(b"ATE0;+NOPE;+CSQ") == b"\r\nERROR\r\n"


def test_command_split_across_writes_and_lf_after_cr(at) -> None:
    for byte in b"AT+CSQ\r\n":
        at.write(bytes([byte]))
    assert at.read_final() == b"\r\n+CSQ: 24,99\r\n\r\nOK\r\n"
    assert at.quiet(0.1) == b""


def test_garble_fault_corrupts_one_byte_of_the_next_output(sim, at) -> None:
    sim.garble_next_output()
    at.write(b"AT\r")
    assert at.read_exact(6) == b"\r\nNK\r\n"                 # 'O' ^ 0x01
    assert at.cmd(b"AT") == b"\r\nOK\r\n"


def test_delayed_replies_hold_the_reply_and_later_commands(sim, at) -> None:
    sim.delay_replies(0.3)
    at.write(b"AT\rAT+CSQ\r")
    assert at.quiet(0.1) == b""
    assert at.read_final() == b"\r\nOK\r\n"
    assert at.read_final() == b"\r\n+CSQ: 24,99\r\n\r\nOK\r\n"
    sim.delay_replies(0)
    assert at.cmd(b"AT") == b"\r\nOK\r\n"


def test_urcport_elsewhere_hides_urcs(sim, at) -> None:
    assert at.cmd(b'AT+QURCCFG="urcport"') == b'\r\n+QURCCFG: "urcport","usbat"\r\n\r\nOK\r\n'
    assert at.cmd(b'AT+QURCCFG="urcport","uart1"') == b"\r\nOK\r\n"
    sim.emit_urc("+QIND: SMS DONE")
    assert at.quiet(0.2) == b""
    assert at.cmd(b'AT+QURCCFG="urcport","usbat"') == b"\r\nOK\r\n"
    sim.emit_urc("+QIND: SMS DONE")
    at.expect(b"\r\n+QIND: SMS DONE\r\n")


def test_boot_urcs(at_client) -> None:
    from hal.modem_sim import ModemSimulator
    with ModemSimulator(boot_urcs=True, boot_delay=0.3) as sim:
        at = at_client(sim.at_port)
        at.expect(b"\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n\r\n+QIND: PB DONE\r\n")
