"""A small scripted Quectel peer on a real pty (test helper, not the full simulator).

Speaks the wire formats of quectel-at.md §1-§8 for the commands the driver
sends; the test drives URCs (``inject``) and received data (``deliver``).
"""
from __future__ import annotations

import os
import pty
import re
import select
import threading
import tty


class FakePeer:
    def __init__(self) -> None:
        self.master, self.slave = pty.openpty()
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)
        self.echo = True                      # factory default E1 (§1)
        self.commands: list[str] = []
        self.sent: dict[int, bytearray] = {}  # connectID -> bytes the host sent
        self.rx: dict[int, bytearray] = {}    # connectID -> bytes waiting for QIRD
        self.open_errors: list[int] = []      # next +QIOPEN err codes (default 0)
        self.send_fails = 0                   # answer SEND FAIL this many times
        self.active: set[int] = set()
        self.qiact_error_when_active = True
        self.sms_sent: list[str] = []
        self.sms_store: dict[int, str] = {}
        self.replies: dict[str, str] = {}     # exact command -> reply text (overrides)
        self.silent: set[str] = set()         # commands that get no reply (timeouts)
        self._buf = bytearray()
        self._data_left = 0                   # raw bytes owed after a QISEND prompt
        self._data_id = -1
        self._sms_hex: bytearray | None = None
        self._lock = threading.Lock()
        self._stop = False
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    # -------------------------------------------------------------- test API

    def write(self, data: bytes) -> None:
        with self._lock:
            os.write(self.master, data)

    def inject(self, text: str) -> None:
        self.write(b"\r\n" + text.encode() + b"\r\n")

    def deliver(self, connect_id: int, data: bytes) -> None:
        """Data from the network: buffer it and send the single-shot "recv" URC (§2)."""
        with self._lock:
            first = not self.rx.get(connect_id)
            self.rx.setdefault(connect_id, bytearray()).extend(data)
        if first:
            self.inject(f'+QIURC: "recv",{connect_id}')

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        os.close(self.master)
        os.close(self.slave)

    # -------------------------------------------------------------- loop

    def _loop(self) -> None:
        while not self._stop:
            ready, _, _ = select.select([self.master], [], [], 0.02)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                return
            for byte in chunk:
                self._byte(byte)

    def _byte(self, byte: int) -> None:
        if self._data_left:
            self.sent.setdefault(self._data_id, bytearray()).append(byte)
            self._data_left -= 1
            if not self._data_left:
                self._send_done()
            return
        if self._sms_hex is not None:
            if byte == 0x1A:
                self.sms_sent.append(self._sms_hex.decode())
                self._sms_hex = None
                self.write(b"\r\n+CMGS: %d\r\n\r\nOK\r\n" % len(self.sms_sent))
            else:
                self._sms_hex.append(byte)
            return
        if byte in (0x0A, 0x1A, 0x1B):
            return
        if self.echo:
            self.write(bytes([byte]))
        if byte != 0x0D:
            self._buf.append(byte)
            return
        cmd = self._buf.decode()
        self._buf.clear()
        if cmd:
            self.commands.append(cmd)
            self._command(cmd)

    def _send_done(self) -> None:
        if self.send_fails:
            self.send_fails -= 1
            self.sent[self._data_id].clear()
            self.write(b"\r\nSEND FAIL\r\n")
        else:
            self.write(b"\r\nSEND OK\r\n")

    def _command(self, cmd: str) -> None:
        if cmd in self.silent:
            return
        if cmd in self.replies:
            self.write(self.replies[cmd].encode())
            return
        for pattern, handler in _HANDLERS:
            match = re.fullmatch(pattern, cmd)
            if match:
                reply = handler(self, *match.groups())
                if reply is not None:
                    self.write(reply)
                return
        self.write(b"\r\nERROR\r\n")

    # -------------------------------------------------------------- handlers

    def _ate(self, value: str) -> bytes:
        self.echo = value == "1"
        return b"\r\nOK\r\n"

    def _qiact(self, cid: str) -> bytes:
        if int(cid) in self.active and self.qiact_error_when_active:
            return b"\r\nERROR\r\n"
        self.active.add(int(cid))
        return b"\r\nOK\r\n"

    def _qiact_query(self) -> bytes:
        lines = b"".join(b'\r\n+QIACT: %d,1,1,"10.7.157.1"\r\n' % c for c in sorted(self.active))
        return lines + b"\r\nOK\r\n"

    def _qideact(self, cid: str) -> bytes:
        self.active.discard(int(cid))
        return b"\r\nOK\r\n"

    def _qiopen(self, cid: str, cid_: str, kind: str, host: str, port: str) -> bytes:
        err = self.open_errors.pop(0) if self.open_errors else 0
        self.write(b"\r\nOK\r\n")
        self.inject(f"+QIOPEN: {cid_},{err}")
        return None  # type: ignore[return-value]

    def _qisend(self, cid: str, length: str) -> bytes:
        self._data_id, self._data_left = int(cid), int(length)
        return b"\r\n> "

    def _qird(self, cid: str, length: str) -> bytes:
        with self._lock:
            buf = self.rx.setdefault(int(cid), bytearray())
            data = bytes(buf[:int(length)])
            del buf[:int(length)]
        if not data:
            return b"\r\n+QIRD: 0\r\n\r\nOK\r\n"
        return b"\r\n+QIRD: %d\r\n" % len(data) + data + b"\r\n\r\nOK\r\n"

    def _cmgs(self, length: str) -> bytes:
        self._sms_hex = bytearray()
        return b"\r\n> "

    def _cmgr(self, index: str) -> bytes:
        pdu = self.sms_store.get(int(index))
        if pdu is None:
            return b"\r\n+CMS ERROR: 321\r\n"
        return b"\r\n+CMGR: 0,,%d\r\n%s\r\n\r\nOK\r\n" % (len(pdu) // 2 - 9, pdu.encode())

    def _cmgd(self, index: str) -> bytes:
        self.sms_store.pop(int(index), None)
        return b"\r\nOK\r\n"

    def _cmgl(self) -> bytes:
        out = b"".join(b"\r\n+CMGL: %d,0,,%d\r\n%s" % (i, len(p) // 2 - 9, p.encode())
                       for i, p in sorted(self.sms_store.items()))
        return out + b"\r\n\r\nOK\r\n" if out else b"\r\nOK\r\n"


def _ok(*_args: object) -> bytes:
    return b"\r\nOK\r\n"


_HANDLERS = [
    (r"AT", _ok),
    (r"ATE([01])", FakePeer._ate),
    (r"AT\+CMEE\?", lambda peer: b"\r\n+CMEE: 1\r\n\r\nOK\r\n"),   # the channel's resync marker
    (r"AT\+CMEE=1|AT\+QISDE=0|AT\+QURCCFG=\"urcport\",\"\w+\"|AT\+QICSGP=.*", _ok),
    (r"AT\+QIACT=(\d+)", FakePeer._qiact),
    (r"AT\+QIACT\?", FakePeer._qiact_query),
    (r"AT\+QIDEACT=(\d+)", FakePeer._qideact),
    (r'AT\+QIOPEN=(\d+),(\d+),"(TCP|UDP)","([^"]*)",(\d+),0,0', FakePeer._qiopen),
    (r"AT\+QISEND=(\d+),(\d+)", FakePeer._qisend),
    (r"AT\+QIRD=(\d+),(\d+)", FakePeer._qird),
    (r"AT\+QICLOSE=\d+", _ok),
    (r"AT\+CMGF=0|AT\+CNMI=2,1,0,0,0|AT\+CPMS=.*", _ok),
    (r"AT\+CMGS=(\d+)", FakePeer._cmgs),
    (r"AT\+CMGR=(\d+)", FakePeer._cmgr),
    (r"AT\+CMGD=(\d+)", FakePeer._cmgd),
    (r"AT\+CMGL=4", FakePeer._cmgl),
    # §7 modem info
    (r"AT\+GSN", lambda s: b"\r\n867584030123454\r\n\r\nOK\r\n"),
    (r"AT\+QCCID", lambda s: b"\r\n+QCCID: 8986001234567890123F\r\n\r\nOK\r\n"),
    (r"AT\+CIMI", lambda s: b"\r\n460001234567890\r\n\r\nOK\r\n"),
    (r"AT\+CSQ", lambda s: b"\r\n+CSQ: 24,99\r\n\r\nOK\r\n"),
    (r"AT\+CREG\?", lambda s: b"\r\n+CREG: 0,1\r\n\r\nOK\r\n"),
    (r"AT\+QGMR", lambda s: b"\r\nEC25EFAR06A08M4G_01.001.01.001\r\n\r\nOK\r\n"),
    (r"AT\+CGMR", lambda s: b"\r\nEC25EFAR06A08M4G\r\n\r\nOK\r\n"),
    # §8 GNSS
    (r"AT\+QGPS=1", _ok),
    (r"AT\+QGPSEND", _ok),
    (r"AT\+QGPSLOC=2", lambda s: b"\r\n+CME ERROR: 516\r\n"),
]
