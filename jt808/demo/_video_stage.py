"""The demo's last stage: JT/T 1078 live video from the terminal to the platform.

The terminal answers 0x9101 with ``enable_video`` and a generated test pattern
(``hal.video.TestPatternSource``, 45 pictures at 15 fps); the platform's
``MediaServer`` receives it (over the simulated modem's second socket, or plain TCP
with ``--direct``) and writes an ``.h264`` file, whose pictures are then counted with
``ffprobe`` when it is installed, else by decoding it with PyAV. Without PyAV (the
``media`` extra) the stage is skipped with one line.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import anyio

from ..platform import MediaServer

__all__ = ["video_stage", "count_frames", "SKIPPED_NO_PYAV"]

FRAMES = 45                      # 3 s at 15 fps
WIDTH, HEIGHT, FPS = 320, 240, 15
SKIPPED_NO_PYAV = "video stage skipped: PyAV not installed (pip install 'jt808[media]')"


def _modem_media_link(ip: str, port: int, tcp: bool) -> str:
    """The media link as a second socket of the terminal's shared modem driver."""
    return f"quectel+{'tcp' if tcp else 'udp'}://?host={ip}&port={port}"


def have_pyav() -> bool:
    try:
        import av  # noqa: F401
    except ImportError:
        return False
    return True


async def video_stage(demo: Any, platform: Any, terminal: Any, link: Any, phone: str,
                      number: int) -> None:
    """Stream the test pattern on channel 1 and check what the platform wrote; a
    failure here fails the demo's summary, not the stages before it."""
    try:
        await _video_stage(demo, platform, terminal, link, phone, number)
    except Exception as exc:  # one clear line, the summary says INCOMPLETE
        demo.say(f"live video FAILED: {type(exc).__name__}: {exc}")
        demo.facts["live video (JT/T 1078)"] = f"FAILED: {type(exc).__name__}: {exc}"
        demo.video_ok = False


async def _video_stage(demo: Any, platform: Any, terminal: Any, link: Any, phone: str,
                       number: int) -> None:
    if not have_pyav():
        demo.say(SKIPPED_NO_PYAV)
        demo.facts["live video (JT/T 1078)"] = "skipped: no PyAV"
        return
    from hal.video import TestPatternSource

    from ..terminal import enable_video
    demo.stage(f"{number}. live video (JT/T 1078): the platform asks for channel 1 (0x9101); "
               f"the terminal streams {FRAMES} pictures of a {WIDTH}x{HEIGHT} test pattern "
               "to the platform's media server")
    options = ({"link_url": _modem_media_link, "link_options": link.options}
               if link.modem is not None else {})
    video = enable_video(terminal, {1: TestPatternSource(WIDTH, HEIGHT, FPS, frames=FRAMES)},
                         **options)
    directory = Path(tempfile.mkdtemp(prefix="jt808-demo-video-"))
    async with MediaServer(directory) as media:
        await media.serve()
        reply = await media.request_live(platform, phone, 1, timeout=10)
        demo.say(f"0x9101 answered: result {reply.result}; media server "
                 f"tcp://{media.host}:{media.tcp_port}")
        if reply.result != 0:
            demo.facts["live video (JT/T 1078)"] = f"refused (result {reply.result})"
            demo.video_ok = False
            return
        await media.wait_for(lambda: video.streams, timeout=10)
        stream = video.streams[1]
        with anyio.fail_after(20):
            await stream.closed.wait()                    # the pattern ran out
        record = media.channel(phone, 1)
        await media.wait_for(lambda: record.frames >= stream.frames_sent
                             and media.links == 0, timeout=10)
        sent = stream.frames_sent
    counted, tool = await anyio.to_thread.run_sync(count_frames, record.video_path)
    demo.say(f"frames sent {sent}, received {record.frames}; {tool} counts {counted} in "
             f"{record.video_path}")
    demo.facts["live video frames sent/received/in file"] = (
        f"{sent} / {record.frames} / {counted} ({tool})")
    demo.video_ok = sent == FRAMES and record.frames == sent and counted == sent


def count_frames(path: Path) -> tuple[int, str]:
    """(pictures in the H.264 file, the tool that counted them): ``ffprobe`` when it is
    on PATH, else decoding with PyAV; -1 when the file cannot be read."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is not None:
        done = subprocess.run([ffprobe, "-v", "error", "-count_frames", "-select_streams",
                               "v:0", "-show_entries", "stream=nb_read_frames", "-of",
                               "csv=p=0", str(path)], capture_output=True, text=True,
                              timeout=60)
        text = done.stdout.strip().rstrip(",")
        return (int(text) if done.returncode == 0 and text.isdigit() else -1), "ffprobe"
    import av
    try:
        with av.open(str(path), format="h264") as container:
            return sum(1 for _ in container.decode(video=0)), "PyAV"
    except (av.FFmpegError, ValueError):
        return -1, "PyAV"
