"""The jt808 command's jobs as a user runs them: subprocesses, real sockets, real ptys."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jt808.cli import build_parser, main
from jt808.frame import Frame, Header, Version, pack

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
       "PYTHONUNBUFFERED": "1"}


def _jt808(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jt808.cli", *args], cwd=REPO, env=ENV,
                          capture_output=True, text=True, timeout=timeout)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_every_job_is_a_sub_command():
    text = build_parser().format_help()
    for name in ("decode", "platform", "modem-sim", "run", "demo"):
        assert name in text


@pytest.mark.slow
def test_demo_runs_the_whole_conversation_and_exits_0():
    done = _jt808("demo", "--timeout", "50")
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for needle in ("0x0100", "0x8100", "0x0102", "0x0200", "0x8104", "0x0104",
                   "DROPPED on purpose", "0x8800", "0x0704", "== summary ==", "demo finished"):
        assert needle in out, needle
    assert "quectel+tcp://" in out
    if "terminal                                     jt808.terminal.Terminal" in out:
        assert "pdpdeact" in out and "reconnected; blind-area batch" in out
        # issue 16: 45 pictures over the modem's second socket, all in the file
        assert "== 7. live video (JT/T 1078)" in out
        assert "0x9101 answered: result 0" in out
        assert "frames sent 45, received 45; " in out
        assert re.search(r"(ffprobe|PyAV) counts 45 in \S+13800138000_ch1\.h264", out), out
        assert re.search(r"live video frames sent/received/in file +45 / 45 / 45 ", out)


def test_demo_without_pyav_skips_the_video_stage_and_exits_0(tmp_path):
    """``pip install . && jt808 demo`` has no PyAV (the ``media`` extra): one line says so.
    PyAV is hidden by an ``av`` package that cannot be imported, first on the path."""
    (tmp_path / "av").mkdir()
    (tmp_path / "av" / "__init__.py").write_text('raise ImportError("hidden by the test")\n')
    env = {**ENV, "PYTHONPATH": str(tmp_path) + os.pathsep + ENV["PYTHONPATH"]}
    done = subprocess.run([sys.executable, "-m", "jt808.cli", "demo", "--direct", "--quiet",
                           "--timeout", "40"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert ("] video stage skipped: PyAV not installed (pip install 'jt808[media]')\n"
            in done.stdout)
    assert re.search(r"live video \(JT/T 1078\) +skipped: no PyAV\n", done.stdout)
    assert "0x9101" not in done.stdout and "demo finished" in done.stdout


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe (ffmpeg) not installed")
def test_demo_counts_frames_with_ffprobe_as_pyav_does(tmp_path, monkeypatch):
    from hal.video import TestPatternSource
    from jt808.demo._video_stage import count_frames
    path = tmp_path / "pattern.h264"
    path.write_bytes(b"".join(u.data for u in TestPatternSource(160, 128, 15,
                                                                frames=20).iter_units()))
    assert count_frames(path) == (20, "ffprobe")
    monkeypatch.setenv("PATH", "")                            # no ffprobe: PyAV decodes
    assert count_frames(path) == (20, "PyAV")


def test_demo_minimal_terminal_over_the_modem_quiet():
    done = _jt808("demo", "--mini", "--quiet", "--timeout", "30")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "packets lost and resent                      1" in done.stdout
    assert "0x8100 TerminalRegisterResponse" not in done.stdout       # --quiet
    assert "video stage skipped: the minimal client has no JT/T 1078 side" in done.stdout


def test_platform_serves_tcp_and_udp_and_stops_on_ctrl_c():
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "jt808.cli", "platform", "--listen",
                             f"127.0.0.1:{port}"], cwd=REPO, env=ENV, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        lines = [proc.stdout.readline() for _ in range(2)]
        assert lines == [f"listening on tcp://127.0.0.1:{port}\n",
                         f"listening on udp://127.0.0.1:{port}\n"]
        heartbeat = pack(Frame(Header(0x0002, "13800138000", 1, Version.V2013), b""))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:   # UDP is served too
            sock.settimeout(5)
            sock.sendto(heartbeat, ("127.0.0.1", port))
            reply, _ = sock.recvfrom(100)
        assert reply[1:3] == b"\x80\x01"
    finally:
        proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "stopped" in err


def test_platform_prints_decoded_traffic():
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "jt808.cli", "platform", "--listen",
                             f"127.0.0.1:{port}", "--no-udp"], cwd=REPO, env=ENV, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline().startswith("listening on tcp://")
        heartbeat = pack(Frame(Header(0x0002, "13800138000", 7, Version.V2013), b""))
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(heartbeat)
            reply = sock.recv(100)
        assert reply[1:3] == b"\x80\x01"                      # 0x8001 general reply
        received = proc.stdout.readline()
        assert "0x0002 Heartbeat serial=7" in received
        assert "0x8001 PlatformGeneralResponse" in proc.stdout.readline()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)


@pytest.mark.parametrize("listen, message", [
    ("127.0.0.1", "is not HOST:PORT"),
    ("127.0.0.1:http", "is not a number"),
    ("127.0.0.1:70000", "outside 0..65535"),
])
def test_platform_bad_listen_address_is_a_one_line_error(capsys, listen, message):
    assert main(["platform", "--listen", listen]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_platform_port_in_use_is_a_one_line_error(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["platform", "--listen", f"127.0.0.1:{port}", "--no-udp"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("jt808 platform: cannot serve:") and err.count("\n") == 1


def test_run_unreachable_server_is_a_clear_error(capsys):
    port = _free_port()                                  # nothing listens there
    assert main(["run", "--server", f"127.0.0.1:{port}", "--connect-timeout", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"jt808 run: cannot reach tcp://127.0.0.1:{port}")
    assert err.count("\n") == 1


@pytest.mark.parametrize("argv, message", [
    (["run"], "give --server HOST:PORT or --transport URL"),
    (["run", "--server", "nowhere"], "is not HOST:PORT"),
    (["run", "--server", "127.0.0.1:0"], "port 0 cannot be connected to"),
    (["run", "--server", "127.0.0.1:1", "--phone", "12ab"], "must be up to 20 digits"),
    (["run", "--transport", "bogus://x"], "no transport for scheme 'bogus'"),
])
def test_run_bad_options_are_one_line_errors(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_run_bad_config_file(tmp_path, capsys):
    config = tmp_path / "terminal.json"
    config.write_text("{not json")
    assert main(["run", "--config", str(config)]) == 2
    assert "--config" in capsys.readouterr().err
    config.write_text('{"server": "127.0.0.1:1", "version": "1999"}')
    assert main(["run", "--config", str(config)]) == 2
    assert "version '1999'" in capsys.readouterr().err


def test_run_wrong_modem_port_is_a_clear_error(tmp_path, capsys):
    missing = tmp_path / "ttyUSB9"
    assert main(["run", "--server", "127.0.0.1:6808", "--modem", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"jt808 run: cannot open modem {missing}") and err.count("\n") == 1


def test_modem_sim_passes_its_options_through():
    done = _jt808("modem-sim", "--help", timeout=20)
    assert done.returncode == 0
    assert "--time-to-fix" in done.stdout


def test_modem_sim_starts_and_stops():
    proc = subprocess.Popen([sys.executable, "-m", "jt808.cli", "modem-sim", "--imei",
                             "860000000000009"], cwd=REPO, env=ENV, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout.readline().startswith("AT port: /dev/")
    finally:
        time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    assert proc.returncode == 0


def test_run_logs_in_to_a_platform_over_the_simulated_modem(tmp_path):
    import anyio

    from hal.modem_sim import ModemSimulator
    from jt808.platform import Platform

    config = tmp_path / "terminal.json"
    config.write_text('{"phone": "13912345678", "version": "2019", "gnss": "route"}')

    async def scenario() -> None:
        async with Platform() as platform:
            await platform.serve(["tcp://127.0.0.1:0"])
            host, port = platform.address("tcp")
            with ModemSimulator() as sim:
                async with await anyio.open_process(
                        [sys.executable, "-m", "jt808.cli", "run", "--config", str(config),
                         "--server", f"{host}:{port}", "--modem", sim.at_port],
                        cwd=REPO, env=ENV) as proc:
                    try:
                        await platform.wait_for(
                            lambda: "13912345678" in platform.terminals
                            and platform.terminals["13912345678"].authenticated, timeout=20)
                        record = platform.terminals["13912345678"]
                        assert record.registration.terminal_id == "2345678"
                        header, _ = record.received[-1]
                        assert header.version.value == 2019
                    finally:
                        proc.send_signal(signal.SIGINT)
                        with anyio.fail_after(10):
                            await proc.wait()

    anyio.run(scenario)
