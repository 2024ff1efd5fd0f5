"""JT/T 1078 0x9206 FTP uploads of recordings on the terminal, held until the network
allows them; 0x9207 pauses, resumes or cancels them; 0x1206 reports the end.

The 0x9206 task conditions BYTE (JT/T 1078-2016 table 37): bit 0 WIFI, bit 1 LAN,
bit 2 3G/4G; a set bit allows the upload while the terminal is on that network. A byte
with none of the three bits (platforms that leave it unset send 0) allows any network.
The terminal always answers 0x0001 at once (the request is accepted); an upload the
current network does not allow is held (``state == "waiting"``) and starts when the
network changes to one it allows, or ends with 0x1206 result 1 when cancelled.

The network kind is ``"wifi"``, ``"lan"`` or ``"mobile"`` (3G/4G). By default it comes
from the terminal's link: through the modem (a ``quectel…``/``modem…`` URL or transport)
is ``mobile``, anything else ``lan``. ``network=`` gives a fixed kind or a hook returning
it (a HAL that knows its interfaces); ``set_network(kind)`` tells of a change. Held
uploads look again on every change and on every message from the platform (a reconnect
over another link is seen so).
"""
from __future__ import annotations

import ftplib
import logging
import threading
from pathlib import Path
from typing import Any, Callable, Iterable

import anyio

from ..frame import Header
from ..jt1078 import FileUploadDone

__all__ = ["FtpUpload", "UploadService", "NETWORK_BITS", "network_allows", "network_of_link"]

log = logging.getLogger("jt808.terminal.video")

RESULT_OK, RESULT_FAILED = 0, 1
#: network kind -> its bit in the 0x9206 task conditions
NETWORK_BITS = {"wifi": 0x01, "lan": 0x02, "mobile": 0x04}
_ANY_NETWORK = 0x07
_FINISHED = ("done", "failed", "cancelled")
MAX_KEPT_UPLOADS = 32       # finished uploads kept for 0x9207 answers and inspection


def network_allows(conditions: int, network: str) -> bool:
    """Whether a 0x9206 with these task conditions may run on ``network``."""
    return not conditions & _ANY_NETWORK or bool(conditions & NETWORK_BITS[network])


def network_of_link(target: Any) -> str:
    """``mobile`` for a link through the modem (URL or transport), else ``lan``."""
    if isinstance(target, str):
        name = target.split(":", 1)[0]
    else:
        name = type(target).__module__ + "." + type(target).__name__
    name = name.lower()
    return "mobile" if "quectel" in name or "modem" in name else "lan"


class FtpUpload:
    """One 0x9206 upload, run in a worker thread; ``pause``/``resume``/``cancel`` from
    the event loop. ``state``: waiting (held for the network), running, paused
    (acknowledged by the thread), done, failed, cancelled."""

    def __init__(self, serial: int, conditions: int = 0) -> None:
        self.serial, self.conditions = serial, conditions
        self.state = "running"
        self.bytes_sent = 0
        self.files: list[str] = []
        self._go = threading.Event()
        self._go.set()
        self._cancel = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def pause(self) -> None:
        self._go.clear()

    def resume(self) -> None:
        self._go.set()

    def cancel(self) -> None:
        self._cancel.set()
        self._go.set()

    def _block(self, data: bytes) -> None:
        self.bytes_sent += len(data)
        if not self._go.is_set():
            self.state = "paused"
            self._go.wait()
            self.state = "running"
        if self._cancel.is_set():
            raise _Cancelled

    def run(self, request: Any, paths: Iterable[Path]) -> int:
        """Upload every file; 0 when all went up, 1 otherwise (failed or cancelled)."""
        self.state = "running"
        try:
            with ftplib.FTP() as ftp:
                ftp.connect(request.server_ip, request.port, timeout=30)
                ftp.login(request.user, request.password)
                _enter(ftp, request.path)
                for path in paths:
                    with open(path, "rb") as handle:
                        ftp.storbinary(f"STOR {path.name}", handle, 8192, self._block)
                    self.files.append(path.name)
        except _Cancelled:
            self.state = "cancelled"
            return RESULT_FAILED
        except (OSError, ftplib.Error, EOFError) as exc:
            log.info("FTP upload %d failed: %s", self.serial, exc)
            self.state = "failed"
            return RESULT_FAILED
        self.state = "done"
        return RESULT_OK


class _Cancelled(Exception):
    pass


def _enter(ftp: ftplib.FTP, path: str) -> None:
    """Change to ``path`` on the server, creating the directories that are missing."""
    for part in [p for p in path.replace("\\", "/").split("/") if p and p != "."]:
        try:
            ftp.cwd(part)
        except ftplib.error_perm:
            ftp.mkd(part)
            ftp.cwd(part)


class UploadService:
    """The terminal's uploads (``uploads``: serial -> :class:`FtpUpload`, the last
    ``MAX_KEPT_UPLOADS`` finished ones kept) and the network they wait for."""

    def __init__(self, terminal: Any, network: str | Callable[[], str] | None = None) -> None:
        self.terminal = terminal
        self._network = _checked(network) if isinstance(network, str) else network
        self.uploads: dict[int, FtpUpload] = {}
        self._changed = anyio.Event()
        terminal.add_listener(self._look_again)

    @property
    def network(self) -> str:
        """The network the terminal is on now."""
        if self._network is None:
            return network_of_link(getattr(self.terminal, "_target", None))
        if callable(self._network):
            return _checked(self._network())
        return self._network

    def set_network(self, kind: str) -> None:
        """The terminal is on ``kind`` now (``wifi``, ``lan``, ``mobile``): held uploads
        it allows start."""
        self._network = _checked(kind)
        self._wake()

    async def upload(self, terminal: Any, message: Any, header: Header,
                     paths: list[Path]) -> None:
        """Answer a 0x9206: 0x0001 at once, hold for the network, upload, then 0x1206."""
        terminal.reply(header, RESULT_OK)
        upload = self._keep(FtpUpload(header.serial, message.conditions))
        while not upload.cancelled and not network_allows(upload.conditions, self.network):
            upload.state = "waiting"
            log.info("FTP upload %d waits: conditions 0x%02X do not allow %s", upload.serial,
                     upload.conditions, self.network)
            await self._changed.wait()
        if upload.cancelled:
            upload.state = "cancelled"
            result = RESULT_FAILED
        else:
            try:
                result = await anyio.to_thread.run_sync(upload.run, message, paths,
                                                        abandon_on_cancel=True)
            except BaseException:
                upload.cancel()
                raise
        await terminal.send(FileUploadDone(header.serial, result))

    async def control(self, terminal: Any, message: Any, header: Header) -> None:
        """Answer a 0x9207: pause (0), resume (1) or cancel (2, or any higher code)."""
        upload = self.uploads.get(message.reply_serial)
        if upload is None or upload.state in _FINISHED:
            terminal.reply(header, 1)
            return
        (upload.pause, upload.resume, upload.cancel)[min(message.control, 2)]()
        self._wake()
        terminal.reply(header, RESULT_OK)

    def _keep(self, upload: FtpUpload) -> FtpUpload:
        self.uploads[upload.serial] = upload
        finished = [s for s, u in self.uploads.items() if u.state in _FINISHED]
        for serial in finished[:max(0, len(finished) - MAX_KEPT_UPLOADS)]:
            del self.uploads[serial]
        return upload

    def _look_again(self, message: Any, header: Header) -> None:
        if any(u.state == "waiting" for u in self.uploads.values()):
            self._wake()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()


def _checked(kind: str) -> str:
    if kind not in NETWORK_BITS:
        raise ValueError(f"network must be one of {', '.join(NETWORK_BITS)}, got {kind!r}")
    return kind
