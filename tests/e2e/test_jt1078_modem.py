"""End to end, JT/T 1078 through the Quectel modem simulator's AT bridge (issue 16): the
terminal's 808 link and its media link are two sockets of one modem (one shared driver);
10 s of the 640x480 test pattern at 15 fps reach the platform's media server decodable."""
from __future__ import annotations

import json

import anyio
import pytest

from hal.modem_sim import ModemSimulator
from hal.video import TestPatternSource
from jt808.codec import TerminalRegister
from jt808.demo import shared_modem
from jt808.platform import Platform
from jt808.platform._media_server import MediaServer
from jt808.terminal import Terminal
from jt808.terminal._video import enable_video

from jt1078_support import PHONE, decode_file, looks_like_pattern

pytestmark = pytest.mark.anyio
FRAMES = 150


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def shared_modem_link(ip: str, port: int, tcp: bool) -> str:
    """The media link as a second socket of the terminal's modem driver (given to
    ``open_transport`` as ``modem=`` through ``link_options``)."""
    return f"quectel+{'tcp' if tcp else 'udp'}://?host={ip}&port={port}"


async def test_live_video_over_the_modem_at_bridge(tmp_path):
    sim = ModemSimulator().start()
    register = TerminalRegister(31, 115, "70111", "MODEL-1078", "TID1078", 1, "A12345")
    try:
        async with Platform() as platform, MediaServer(tmp_path / "media") as media:
            await platform.serve(["tcp://127.0.0.1:0"])
            await media.serve()
            url = f"quectel+tcp://{sim.at_port}?host=127.0.0.1&port={platform.address()[1]}"
            async with shared_modem(url) as link:
                terminal = Terminal(link.url, phone=PHONE, register_info=register,
                                    transport_options=link.options,
                                    store_path=tmp_path / "blind.sqlite")
                async with terminal:
                    video = enable_video(terminal, {1: TestPatternSource(640, 480, 15,
                                                                         frames=FRAMES)},
                                         link_url=shared_modem_link,
                                         link_options=link.options)
                    with anyio.fail_after(60):
                        await terminal.connect()
                        await terminal.login()
                        reply = await media.request_live(platform, PHONE, 1)
                        assert reply.result == 0
                        await media.wait_for(lambda: video.streams, timeout=10)
                        stream = video.streams[1]
                        await stream.closed.wait()
                        await media.wait_for(lambda: media.links == 0, timeout=20)
                        stats = stream.stats
                    await terminal.close()
            record = media.channel(PHONE, 1)
    finally:
        sim.stop()
    pictures = decode_file(record.video_path)
    assert len(pictures) >= 0.95 * FRAMES
    assert pictures[0][0] == 0 and looks_like_pattern(pictures[0][1], 640, 480,
                                                      pictures[0][3], 0)
    summary = json.loads(record.summary_path.read_text())
    assert summary["frames"] == len(pictures) == stats["frames_sent"]
