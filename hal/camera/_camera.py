"""The ``Camera`` interface and its backends: static, directory, ffmpeg/V4L2."""
from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol, Union, runtime_checkable

import anyio
import anyio.to_thread

from hal.camera._errors import CameraError, CameraUnavailableError
from hal.camera._jpeg import flat_jpeg

__all__ = ["Camera", "StaticCamera", "DirectoryCamera", "FfmpegCamera",
           "RESOLUTIONS", "resolve_resolution", "Resolution"]

Resolution = Union[int, tuple[int, int], None]

#: Resolution codes of 0x8801 "take photo now" (seed API_Reference 0x8801;
#: 0x00 lowest, 0xFF highest).
RESOLUTIONS: dict[int, tuple[int, int]] = {
    0x00: (176, 144), 0x01: (320, 240), 0x02: (640, 480), 0x03: (800, 600),
    0x04: (1024, 768), 0x05: (176, 144), 0x06: (352, 288), 0x07: (704, 288),
    0x08: (704, 576), 0xFF: (1024, 768),
}
DEFAULT_RESOLUTION = (640, 480)
JPEG_MAGIC = b"\xff\xd8"


def resolve_resolution(resolution: Resolution) -> tuple[int, int]:
    """A 0x8801 code or ``(width, height)`` (``None``: 640x480) to ``(width, height)``."""
    if resolution is None:
        return DEFAULT_RESOLUTION
    if isinstance(resolution, int):
        try:
            return RESOLUTIONS[resolution]
        except KeyError:
            raise ValueError(f"unknown 0x8801 resolution code 0x{resolution:02X}") from None
    width, height = resolution
    if width <= 0 or height <= 0:
        raise ValueError(f"bad resolution {resolution!r}")
    return int(width), int(height)


@runtime_checkable
class Camera(Protocol):
    async def capture(self, channel: int, resolution: Resolution = None) -> bytes:
        """Take one photo on ``channel``; return JPEG bytes."""
        ...


class StaticCamera:
    """Generated flat-grey JPEGs of the asked size; each shot a different grey.

    Needs nothing external. A COM segment names the channel and shot number.
    """

    def __init__(self) -> None:
        self.shots = 0

    async def capture(self, channel: int, resolution: Resolution = None) -> bytes:
        width, height = resolve_resolution(resolution)
        self.shots += 1
        level = (64 + 37 * self.shots) % 256
        return flat_jpeg(width, height, level, f"jt808 StaticCamera channel={channel} "
                                               f"shot={self.shots}")


class DirectoryCamera:
    """Cycles through the ``*.jpg``/``*.jpeg`` files of ``path`` in name order.

    Files are listed again on each capture (images may be added). The resolution is
    not applied: files are returned as they are.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._next = 0

    def _images(self) -> list[Path]:
        try:
            return sorted(p for p in self.path.iterdir()
                          if p.suffix.lower() in (".jpg", ".jpeg") and p.is_file())
        except OSError as exc:
            raise CameraUnavailableError(f"cannot list {str(self.path)!r}: {exc}") from exc

    def _read_next(self) -> bytes:
        images = self._images()
        if not images:
            raise CameraUnavailableError(f"no .jpg/.jpeg images in {str(self.path)!r}")
        image = images[self._next % len(images)]
        self._next += 1
        try:
            data = image.read_bytes()
        except OSError as exc:
            raise CameraError(f"cannot read {str(image)!r}: {exc}") from exc
        if not data.startswith(JPEG_MAGIC):
            raise CameraError(f"{str(image)!r} is not a JPEG (no FF D8 start)")
        return data

    async def capture(self, channel: int, resolution: Resolution = None) -> bytes:
        return await anyio.to_thread.run_sync(self._read_next)


class FfmpegCamera:
    """One V4L2 frame through the ``ffmpeg`` binary, as JPEG.

    ``device`` serves every channel unless ``channels`` maps a channel to its own
    device. ``CameraUnavailableError`` when ffmpeg or the device is missing;
    ``CameraError`` (with ffmpeg's stderr tail) when the capture fails.
    """

    def __init__(self, device: str = "/dev/video0", *, ffmpeg: str = "ffmpeg",
                 channels: Mapping[int, str] | None = None, timeout: float = 15.0) -> None:
        self.device = device
        self.ffmpeg = ffmpeg
        self.channels = dict(channels or {})
        self.timeout = timeout

    def command(self, device: str, width: int, height: int) -> list[str]:
        binary = shutil.which(self.ffmpeg)
        if binary is None:
            raise CameraUnavailableError(
                f"{self.ffmpeg!r} not found on PATH: install ffmpeg to use FfmpegCamera")
        return [binary, "-hide_banner", "-loglevel", "error", "-nostdin",
                "-f", "v4l2", "-video_size", f"{width}x{height}", "-i", device,
                "-frames:v", "1", "-f", "image2pipe", "-vcodec", "mjpeg", "-"]

    async def capture(self, channel: int, resolution: Resolution = None) -> bytes:
        device = self.channels.get(channel, self.device)
        if not os.path.exists(device):
            raise CameraUnavailableError(f"camera device {device!r} does not exist")
        command = self.command(device, *resolve_resolution(resolution))
        try:
            with anyio.fail_after(self.timeout):
                result = await anyio.run_process(command, check=False)
        except TimeoutError:
            raise CameraError(f"ffmpeg took over {self.timeout} s on {device!r}") from None
        except OSError as exc:
            raise CameraUnavailableError(f"cannot run {command[0]!r}: {exc}") from exc
        if result.returncode != 0 or not result.stdout.startswith(JPEG_MAGIC):
            tail = result.stderr.decode("utf-8", "replace").strip()[-300:]
            raise CameraError(f"ffmpeg capture from {device!r} failed "
                              f"(exit {result.returncode}): {tail or 'no JPEG output'}")
        return result.stdout
