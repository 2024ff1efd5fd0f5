"""Sources that read from the ``ffmpeg`` command line: V4L2 cameras (and ALSA audio,
in ``hal.audio``). Used only where a user's camera needs it; PyAV covers the rest."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from typing import AsyncIterator

import anyio

from hal.video._errors import VideoError, VideoUnavailableError
from hal.video._units import AccessUnit, AnnexBSplitter, nal_types

__all__ = ["FfmpegV4l2Source", "ffmpeg_chunks"]

_STDERR_TAIL = 2000


async def ffmpeg_chunks(command: list[str]) -> AsyncIterator[bytes]:
    """Run ``command`` and yield its stdout in chunks; a failure raises ``VideoError``
    with the tail of ffmpeg's stderr; a missing binary ``VideoUnavailableError``."""
    if shutil.which(command[0]) is None:
        raise VideoUnavailableError(f"{command[0]!r} not found on PATH: install ffmpeg")
    with tempfile.TemporaryFile() as stderr:   # a file: a chatty ffmpeg never blocks
        process = await anyio.open_process(command, stdin=subprocess.DEVNULL, stderr=stderr)
        try:
            assert process.stdout is not None     # opened with a pipe
            async for chunk in process.stdout:
                yield chunk
            code = await process.wait()
            if code != 0:
                stderr.seek(0)
                tail = stderr.read().decode(errors="replace").strip()[-_STDERR_TAIL:]
                raise VideoError(f"{command[0]} exited with {code}: {tail}")
        finally:
            if process.returncode is None:
                process.kill()
                with anyio.CancelScope(shield=True):
                    await process.wait()
            await process.aclose()


class FfmpegV4l2Source:
    """H.264 from a V4L2 camera through ffmpeg: the camera's own H.264 (``camera_h264``)
    copied as is, or raw frames encoded with ``libx264 -tune zerolatency``."""

    def __init__(self, device: str = "/dev/video0", width: int = 640, height: int = 480,
                 fps: int = 15, *, camera_h264: bool = False, ffmpeg: str = "ffmpeg") -> None:
        self.device, self.width, self.height, self.fps = device, width, height, fps
        self.camera_h264 = camera_h264
        self.ffmpeg = ffmpeg
        self.codec = "h264"

    def command(self) -> list[str]:
        cmd = [self.ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "v4l2"]
        if self.camera_h264:
            cmd += ["-input_format", "h264"]
        cmd += ["-framerate", str(self.fps), "-video_size", f"{self.width}x{self.height}",
                "-i", self.device]
        if self.camera_h264:
            cmd += ["-c:v", "copy"]
        else:
            cmd += ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
                    "-bf", "0", "-g", str(self.fps), "-pix_fmt", "yuv420p"]
        return cmd + ["-f", "h264", "-"]

    async def units(self) -> AsyncIterator[AccessUnit]:
        splitter = AnnexBSplitter()
        index = 0
        async for chunk in ffmpeg_chunks(self.command()):
            for data in splitter.feed(chunk):
                yield _unit(data, index, self.fps)
                index += 1
        for data in splitter.flush():
            yield _unit(data, index, self.fps)
            index += 1


def _unit(data: bytes, index: int, fps: int) -> AccessUnit:
    return AccessUnit(data, index * 1000 // fps, 5 in nal_types(data))
