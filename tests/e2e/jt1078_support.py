"""A platform, its media server and a terminal with video, all on loopback sockets."""
from __future__ import annotations

import contextlib
from typing import Any, AsyncIterator

import anyio

from jt808.codec import TerminalRegister
from jt808.frame import Version
from jt808.platform import Platform
from jt808.platform._media_server import MediaServer
from jt808.terminal import Terminal
from jt808.terminal._video import enable_video

PHONE = "13800138000"


@contextlib.asynccontextmanager
async def video_rig(tmp_path, sources: dict, recordings: Any = None,
                    version: Version = Version.V2013, **options: Any) -> AsyncIterator[tuple]:
    """(platform, media server, terminal, video service), the terminal logged in."""
    register = TerminalRegister(31, 115, "70111", "MODEL-1078", "TID1078", 1, "A12345")
    async with Platform() as platform, MediaServer(tmp_path / "media") as media:
        await platform.serve(["tcp://127.0.0.1:0"])
        await media.serve()
        terminal = Terminal(platform.url("tcp"), phone=PHONE, version=version,
                            register_info=register, store_path=tmp_path / "blind.sqlite")
        async with terminal:
            video = enable_video(terminal, sources, recordings, **options)
            await terminal.connect()
            await terminal.login()
            yield platform, media, terminal, video
            with anyio.CancelScope(shield=True):
                await terminal.close()


def decode_file(path) -> list[tuple[int, bytes, int, int]]:
    """Every picture PyAV decodes from an Annex B file: (frame index drawn in it, Y plane,
    width, line size)."""
    import av

    from hal.video import read_frame_index
    pictures = []
    with av.open(str(path), format="h264") as container:
        for frame in container.decode(video=0):
            plane = frame.planes[0]
            luma = bytes(plane)
            pictures.append((read_frame_index(luma, frame.width, plane.line_size), luma,
                             frame.width, plane.line_size))
    return pictures


def looks_like_pattern(luma: bytes, width: int, height: int, stride: int, index: int) -> bool:
    """The decoded picture is the generated pattern ``index`` (mean error under 6 levels)."""
    from hal.video import pattern_luma
    expected = pattern_luma(index, width, height)
    diffs = [abs(luma[y * stride + x] - expected[y * width + x])
             for y in range(0, height, 5) for x in range(0, width, 5)]
    return sum(diffs) / len(diffs) < 6
