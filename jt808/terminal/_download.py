"""Download a file for 0x8105 wireless upgrade: HTTP(S) and FTP, bounded in size and
time, resumed where the server allows (HTTP ``Range`` answered 206; FTP ``REST``).

``download(url, dest)`` is blocking (run it in a worker thread); it writes
``<dest>.part`` and renames it to ``dest`` once complete, so a partial file left by a
dropped link or a killed process is continued by the next call with the same ``dest``.
"""
from __future__ import annotations

import ftplib
import os
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import TransportError

__all__ = ["download", "DownloadError", "MAX_DOWNLOAD_BYTES"]

MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024
_CHUNK = 64 * 1024


class DownloadError(TransportError):
    """The file could not be fetched (bad URL, server error, too big, cut short)."""


class _Sink:
    """Appends to ``<dest>.part`` and refuses to pass ``limit`` bytes in all."""

    def __init__(self, part: Path, limit: int, resume: bool) -> None:
        self.part, self.limit = part, limit
        self.file = open(part, "ab" if resume else "wb")
        self.size = self.file.tell()

    def write(self, data: bytes) -> None:
        if self.size + len(data) > self.limit:
            raise DownloadError(f"the file passes {self.limit} bytes")
        self.file.write(data)
        self.size += len(data)

    def close(self) -> None:
        self.file.close()


def _http(url: str, part: Path, limit: int, timeout: float) -> None:
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:             # nothing left to fetch: the part is whole
            return
        raise DownloadError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    with response:
        resume = have > 0 and response.status == 206
        length = response.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) + (have if resume else 0) > limit:
            raise DownloadError(f"{url}: {length} bytes is more than {limit}")
        sink = _Sink(part, limit, resume)
        try:
            while chunk := response.read(_CHUNK):
                sink.write(chunk)
        finally:
            sink.close()
        if length is not None and length.isdigit() and sink.size != int(length) + (
                have if resume else 0):
            raise DownloadError(f"{url}: cut short at {sink.size} bytes")


def _ftp(url: str, part: Path, limit: int, timeout: float) -> None:
    parts = urlsplit(url)
    have = part.stat().st_size if part.exists() else 0
    try:
        with ftplib.FTP(timeout=timeout) as ftp:
            ftp.connect(parts.hostname or "", parts.port or 21)
            ftp.login(unquote(parts.username or "anonymous"), unquote(parts.password or ""))
            ftp.voidcmd("TYPE I")
            path = unquote(parts.path)
            size = ftp.size(path)
            if size is not None and size > limit:
                raise DownloadError(f"{url}: {size} bytes is more than {limit}")
            if size is not None and have >= size:
                return
            sink = _Sink(part, limit, have > 0)
            try:
                ftp.retrbinary(f"RETR {path}", sink.write, blocksize=_CHUNK, rest=have or None)
            finally:
                sink.close()
    except ftplib.all_errors as exc:
        if isinstance(exc, DownloadError):
            raise
        raise DownloadError(f"{url}: FTP {exc}") from None


def download(url: str, dest: str | os.PathLike[str], *, limit: int = MAX_DOWNLOAD_BYTES,
             timeout: float = 30.0) -> Path:
    """Fetch ``url`` into ``dest`` (resuming ``<dest>.part``); returns ``dest``."""
    dest = Path(dest)
    part = dest.with_name(dest.name + ".part")
    scheme = urlsplit(url).scheme.lower()
    try:
        if scheme in ("http", "https"):
            _http(url, part, limit, timeout)
        elif scheme == "ftp":
            _ftp(url, part, limit, timeout)
        else:
            raise DownloadError(f"{url!r}: only http, https and ftp URLs are fetched")
    except OSError as exc:
        raise DownloadError(f"{url}: {exc}") from None
    os.replace(part, dest)
    return dest
