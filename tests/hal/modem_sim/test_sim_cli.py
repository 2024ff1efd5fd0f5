"""``python -m hal.modem_sim`` as a separate process."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import serial

REPO = Path(__file__).resolve().parents[3]


def test_module_prints_its_ports_answers_at_and_stops_on_sigint() -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "hal.modem_sim", "--imei", "861234567890123",
                             "--lat", "22.5", "--lon", "114.05", "--gnss-on"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO)
    try:
        at_line = proc.stdout.readline().decode()
        nmea_line = proc.stdout.readline().decode()
        at_path = re.fullmatch(r"AT port: (/dev/pts/\d+)\n", at_line).group(1)
        nmea_path = re.fullmatch(r"NMEA port: (/dev/pts/\d+)\n", nmea_line).group(1)
        with serial.Serial(at_path, timeout=5) as port:
            port.write(b"AT+GSN\r")
            assert port.read_until(b"OK\r\n") == b"AT+GSN\r\r\n861234567890123\r\n\r\nOK\r\n"
        with serial.Serial(nmea_path, timeout=5) as port:
            assert port.read_until(b"\n").endswith(b"\r\n")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def test_main_rejects_bad_options() -> None:
    proc = subprocess.run([sys.executable, "-m", "hal.modem_sim", "--lat", "north"],
                          capture_output=True, env=dict(os.environ, PYTHONPATH=str(REPO)),
                          cwd=REPO, timeout=30)
    assert proc.returncode == 2
    assert b"--lat" in proc.stderr
