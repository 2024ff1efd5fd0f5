"""``jt808 decode``: hex in, a header description out; bad input gives rc 1 and a message."""
from __future__ import annotations

import subprocess
import sys

from jt808.cli import main

# §4.4.3 table 2 heartbeat (tests/frame/_vectors.py "heartbeat-2013")
HEARTBEAT = "7e 0002 0000 013800138000 0001 a9 7e"
# 2019 §4.4.3 table 2 heartbeat with bit 14 clear (a 2019 device that forgets it)
FLAG_CLEAR_2019 = "7e 0002 0000 01 00000000013800138000 0001 a8 7e"


def test_decode_prints_the_header(capsys):
    assert main(["decode", *HEARTBEAT.split()]) == 0
    out = capsys.readouterr().out
    assert "0x0002 phone=013800138000 serial=1 version=2013 encryption=0 packet=None " \
           "body=0 bytes" in out


def test_decode_with_version_override(capsys):
    assert main(["decode", "--version", "2019", FLAG_CLEAR_2019.replace(" ", "")]) == 0
    assert "phone=00000000013800138000 serial=1 version=2019" in capsys.readouterr().out


def test_decode_from_hex_file(tmp_path, capsys):
    path = tmp_path / "frames.txt"
    path.write_text(HEARTBEAT + "\n" + HEARTBEAT + "\n")
    assert main(["decode", "--file", str(path), "--hex-file"]) == 0
    assert capsys.readouterr().out.count("0x0002 phone=") == 2


def test_bad_frame_is_rc_1_with_a_message(capsys):
    bad = HEARTBEAT[:-5] + "aa 7e"
    assert main(["decode", bad.replace(" ", "")]) == 1
    assert "bad frame: check code is 0xaa, header and body give 0xa9" in capsys.readouterr().out


def test_junk_only_is_rc_1(capsys):
    assert main(["decode", "0102037e00"]) == 1
    out = capsys.readouterr().out
    assert "skipped 3 bytes outside frames" in out and "2 bytes of an unfinished frame" in out


def test_bad_hex_is_a_one_line_usage_error(capsys):
    assert main(["decode", "7e zz 7e"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("jt808 decode: not hex") and err.count("\n") == 1


def test_bad_hex_from_the_command_line_is_rc_2():
    run = subprocess.run([sys.executable, "-m", "jt808.cli", "decode", "7e0g"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "not hex" in run.stderr and "Traceback" not in run.stderr


def test_no_unfinished_frame_reported_after_a_bad_frame(capsys):
    """The closing 0x7E of a bad frame is not "1 bytes of an unfinished frame" (issue 13)."""
    bad = HEARTBEAT[:-5] + "aa 7e"
    assert main(["decode", bad.replace(" ", "")]) == 1
    out = capsys.readouterr().out
    assert "bad frame" in out and "unfinished" not in out


def test_empty_stdin_says_there_is_no_input():
    run = subprocess.run([sys.executable, "-m", "jt808.cli", "decode"], input="",
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "jt808 decode: no input" in run.stderr and run.stderr.count("\n") == 1


def test_hex_file_without_hex_file_flag_gets_a_hint(tmp_path, capsys):
    path = tmp_path / "frames.txt"
    path.write_text(HEARTBEAT + "\n")
    assert main(["decode", "--file", str(path)]) == 1
    assert f"hint: {path} looks like hex text; add --hex-file" in capsys.readouterr().err


def test_raw_file_gets_no_hint(tmp_path, capsys):
    path = tmp_path / "frames.bin"
    path.write_bytes(bytes.fromhex(HEARTBEAT.replace(" ", "")))
    assert main(["decode", "--file", str(path)]) == 0
    assert "hint" not in capsys.readouterr().err


def test_missing_file_is_a_one_line_error(tmp_path, capsys):
    assert main(["decode", "--file", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("jt808 decode: cannot read") and err.count("\n") == 1


# the heartbeat above with its check code changed from a9 to aa (a corrupted capture)
BAD_CHECK = "7e 0002 0000 013800138000 0001 aa 7e"
# issue 11: a device that puts hex digits in the BCD phone (header bytes 4eb6fb4afd9e);
# check code computed over header and body
HEX_PHONE = "7e000200004eb6fb4afd9e0001{check:02x}7e"


def _hex_phone_frame() -> str:
    header = bytes.fromhex("000200004eb6fb4afd9e0001")
    check = 0
    for byte in header:
        check ^= byte
    return HEX_PHONE.format(check=check)


def test_wrong_check_code_is_a_bad_frame_by_default(capsys):
    assert main(["decode", *BAD_CHECK.split()]) == 1
    out = capsys.readouterr().out
    assert "bad frame: check code is 0xAA" in out.replace("0xaa", "0xAA")
    assert "0x0002 phone=" not in out


def test_lenient_check_dissects_and_says_so(capsys):
    main(["decode", "--lenient-check", *BAD_CHECK.split()])
    out = capsys.readouterr().out
    assert "check code wrong, frame dissected anyway" in out
    assert "0x0002 phone=013800138000 serial=1 version=2013" in out


def test_tolerant_by_default_strict_on_request(capsys):
    assert main(["decode", _hex_phone_frame()]) == 0
    assert "phone=4eb6fb4afd9e" in capsys.readouterr().out
    assert main(["decode", "--strict", _hex_phone_frame()]) == 1
    assert "bad frame" in capsys.readouterr().out
