"""``jt808 platform --media DIR``: the console's JT/T 1078 commands (issue 16) against a
real ``Terminal`` with ``enable_video`` over loopback; the platform is a subprocess."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import anyio

from hal.audio import ToneSource
from hal.video import RecordingStore, TestPatternSource
from jt808.codec import TerminalRegister
from jt808.terminal import Terminal, enable_video

from cli_support import free_port, jt808, running

PHONE = "13800138000"                  # sent as BCD 013800138000 (JT/T 808-2013)
T0 = datetime(2026, 12, 5, 8, 0, 0)
REGISTER = TerminalRegister(31, 115, "70111", "MODEL-1078", "TID1078", 1, "A12345")


async def _ask(platform, line: str, expected: str, timeout: float = 20) -> str:
    """Send ``line``; the first line printed after it that contains ``expected``."""
    start = len(platform.lines)
    await platform.send_line(line)
    try:
        with anyio.fail_after(timeout):
            while True:
                found = next((x for x in platform.lines[start:] if expected in x), None)
                if found is not None:
                    return found
                await anyio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"no {expected!r} after {line!r}:\n{platform.text}") from None


async def _frames(platform, channel: int, at_least: int) -> int:
    """Ask ``media`` until channel ``channel`` shows ``at_least`` frames; the count."""
    pattern = re.compile(rf"^{PHONE} channel {channel}: (\d+) frames")
    with anyio.fail_after(30):
        while True:
            found = await _ask(platform, "media", f"{PHONE} channel {channel}: ")
            count = int(pattern.match(found).group(1))
            if count >= at_least:
                return count
            await anyio.sleep(0.2)


def test_live_stop_files_and_playback_from_the_console(tmp_path) -> None:
    port = free_port()
    media_dir = tmp_path / "media"
    store = RecordingStore(tmp_path / "recordings")
    store.record(2, TestPatternSource(160, 128, 15, frames=15).iter_units(), T0, fps=15)
    store.record(2, TestPatternSource(160, 128, 15, frames=15).iter_units(),
                 T0 + timedelta(minutes=1), fps=15, alarm=1 << 32)
    size = store.query(2)[0].size

    async def scenario() -> None:
        async with running("platform", "--listen", f"tcp://127.0.0.1:{port}", "--quiet",
                           "--media", str(media_dir)) as platform:
            await platform.wait_for(f"listening on tcp://127.0.0.1:{port}")
            started = await platform.wait_for("media server on tcp://127.0.0.1:")
            assert f"files in {media_dir}" in started and "terminals told 127.0.0.1" in started
            terminal = Terminal(f"tcp://127.0.0.1:{port}", phone=PHONE,
                                register_info=REGISTER, store_path=tmp_path / "blind.sqlite")
            async with terminal:
                video = enable_video(terminal, {1: TestPatternSource(160, 128, 15)}, store)
                await terminal.connect()
                await terminal.login()
                await platform.send_line(f"wait {PHONE} timeout=20")
                await platform.wait_for(f"{PHONE}: authenticated")

                await platform.send_line(f"live {PHONE} channel=1")
                line = await platform.wait_for("channel 1 live over tcp://127.0.0.1:")
                assert line.endswith(str(media_dir / f"{PHONE}_ch1.h264")), line
                assert "0x0001 TerminalGeneralResponse" in platform.text
                assert await _frames(platform, 1, 10) >= 10
                await platform.send_line(f"stop {PHONE}")
                await platform.wait_for("reply_id=37122, result=0")          # 0x9102 OK
                with anyio.fail_after(10):
                    while video.streams:
                        await anyio.sleep(0.05)

                await platform.send_line(f"files {PHONE} channel=2 start=261205070000 "
                                         "end=261205090000")
                await platform.wait_for(f"{PHONE}: 0x1205 2 recording(s)")
                # 1 s recordings end 08:00:00.999, sent in whole seconds (BCD)
                await platform.wait_for(f"  channel 2 2026-12-05 08:00:00 .. 2026-12-05 "
                                        f"08:00:00 {size} bytes alarm=0x0 av_type=2")
                await platform.wait_for("  channel 2 2026-12-05 08:01:00 .. 2026-12-05 "
                                        f"08:01:00 {size} bytes alarm=0x100000000")
                await platform.send_line(f"files {PHONE} channel=3")
                await platform.wait_for(f"{PHONE}: 0x1205 0 recording(s)")

                await platform.send_line(f"playback {PHONE} channel=2 start=261205080000 "
                                         "end=261205080030")
                await platform.wait_for(f"{PHONE}: 0x1205 1 recording(s)")
                await platform.wait_for("channel 2 playback at x1 over tcp://127.0.0.1:")
                assert await _frames(platform, 2, 15) == 15

                for line, error in (
                        (f"live {PHONE} channel=9", "result=1"),       # no such channel
                        (f"files {PHONE} start=tomorrow",
                         "error: files: start='tomorrow' is not YYMMDDhhmmss"),
                        (f"playback {PHONE} channel=2 speed=3",
                         "error: playback: speed=3: give 1, 2, 4, 8 or 16"),
                        (f"live {PHONE} fast", "error: live: unexpected words: fast"),
                        ("live 13999999999", "error: live: terminal 13999999999 is not "
                                             "connected (see: terminals)")):
                    await _ask(platform, line, error)
                await platform.send_line("quit")
                with anyio.fail_after(15):
                    await platform.process.wait()
                await terminal.close()
        assert platform.process.returncode == 0, platform.text
        assert "Traceback" not in platform.text

    try:
        anyio.run(scenario)
    finally:
        store.close()
    summary = json.loads((media_dir / f"{PHONE}_ch1.json").read_text())
    assert summary["frames"] >= 10 and summary["sim"] == PHONE          # written at quit
    assert json.loads((media_dir / f"{PHONE}_ch2.json").read_text())["frames"] == 15


def test_live_over_udp_reaches_the_media_port_given(tmp_path) -> None:
    port, media_port = free_port(), free_port()

    async def scenario() -> None:
        async with running("platform", "--listen", f"127.0.0.1:{port}", "--quiet",
                           "--media", str(tmp_path), "--media-port", str(media_port)
                           ) as platform:
            await platform.wait_for(f"media server on tcp://127.0.0.1:{media_port} and "
                                    f"udp://127.0.0.1:{media_port}")
            terminal = Terminal(f"tcp://127.0.0.1:{port}", phone=PHONE,
                                register_info=REGISTER, store_path=tmp_path / "blind.sqlite")
            async with terminal:
                enable_video(terminal, {1: TestPatternSource(160, 128, 15, frames=None)})
                await terminal.connect()
                await terminal.login()
                await platform.send_line(f"wait {PHONE} timeout=20")
                await platform.wait_for("authenticated")
                await platform.send_line(f"live {PHONE} 1 udp")
                await platform.wait_for(f"channel 1 live over udp://127.0.0.1:{media_port} ->")
                assert await _frames(platform, 1, 5) >= 5
                await platform.send_line(f"stop {PHONE} 1")
                await platform.wait_for("reply_id=37122, result=0")
                await terminal.close()
        assert "Traceback" not in platform.text

    anyio.run(scenario)


def test_talk_says_a_tone_the_terminal_hears(tmp_path) -> None:
    port = free_port()
    heard: list[bytes] = []

    async def scenario() -> None:
        async with running("platform", "--listen", f"tcp://127.0.0.1:{port}", "--quiet",
                           "--media", str(tmp_path / "media")) as platform:
            await platform.wait_for("media server on tcp://127.0.0.1:")
            terminal = Terminal(f"tcp://127.0.0.1:{port}", phone=PHONE,
                                register_info=REGISTER, store_path=tmp_path / "blind.sqlite")
            async with terminal:
                video = enable_video(terminal, {1: None},
                                     talk_sink=lambda channel, data: heard.append(data))
                await terminal.connect()
                await terminal.login()
                await platform.send_line(f"wait {PHONE} timeout=20")
                await platform.wait_for("authenticated")
                await _ask(platform, f"talk {PHONE} seconds=1 hz=1000",
                           f"{PHONE}: said 25 G.711A frames of 1000 Hz on channel 1")
                await platform.wait_for("reply_id=37122, result=0")       # 0x9102 close talk
                with anyio.fail_after(10):
                    while video.talks:
                        await anyio.sleep(0.05)
                await _ask(platform, f"talk {PHONE} seconds=0",
                           "error: talk: give seconds=1..60 and hz=1..3999")
                await _ask(platform, f"talk {PHONE} channel=9", "result=1")  # no such channel
                await terminal.close()
        assert "Traceback" not in platform.text

    anyio.run(scenario)
    # the 0x9102 close may overtake the last frames on the media link: a prefix, in order
    tone = [u.data for u in ToneSource(1000, frames=25).iter_units()]
    assert heard and heard == tone[:len(heard)]


def test_video_commands_without_media_say_so() -> None:
    async def scenario() -> None:
        async with running("platform", "--listen", "127.0.0.1:0", "--no-udp") as platform:
            await platform.wait_for("listening on tcp://")
            await platform.send_line("help")
            await platform.wait_for("JT/T 1078 video (needs --media DIR):")
            for line in (f"live {PHONE}", f"stop {PHONE}", f"files {PHONE}",
                         f"playback {PHONE} channel=1", f"talk {PHONE}", "media"):
                await platform.send_line(line)
                name = line.split()[0]
                await platform.wait_for(f"error: {name}: no media server (start the "
                                        "platform with --media DIR)")
            await platform.send_line("live")
            await platform.wait_for("error: live: usage: live PHONE [channel=1] [udp] "
                                    "[stream=0]")
            await platform.send_line("quit")
            with anyio.fail_after(15):
                await platform.process.wait()
        assert platform.process.returncode == 0, platform.text
        assert "media server on" not in platform.text

    anyio.run(scenario)


def test_media_options_are_checked() -> None:
    done = jt808("platform", "--listen", "127.0.0.1:0", "--media", "/tmp/x",
                 "--media-port", "70000")
    assert done.returncode == 2
    assert done.stderr == "jt808 platform: --media-port 70000: not a port (0-65535)\n"
    done = jt808("platform", "--listen", "127.0.0.1:0", "--media-ip", "10.0.0.1")
    assert done.returncode == 2
    assert done.stderr == "jt808 platform: --media-ip needs --media DIR\n"
