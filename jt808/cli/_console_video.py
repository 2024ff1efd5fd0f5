"""The ``jt808 platform`` console's JT/T 1078 commands, served with ``--media DIR``.

``live PHONE [CHANNEL] [channel=1] [udp] [stream=0]`` sends 0x9101 naming the media
server and prints the answer and the file the video goes to; ``stop PHONE [channel=1]``
closes it (0x9102); ``files PHONE [channel=0] [start=…] [end=…]`` lists the terminal's
recordings (0x9205 -> 0x1205); ``playback PHONE channel=N start=… end=… [speed=1]`` has one
played back to the media server (0x9201); ``talk PHONE [channel=1] [udp] [seconds=2]
[hz=440]`` opens a two-way talk (0x9101 data type 2), says a tone on it for that long and
closes it (0x9102 command 4); ``media`` shows what the server has received.
Times are ``YYMMDDhhmmss`` (GMT+8, as sent); ``0`` or no value means "no limit".
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..jt1078 import LiveVideoControl, PlaybackRequest, ResourceListQuery
from ._console_commands import CommandError, Words

__all__ = ["VIDEO_COMMANDS", "VideoCommands"]

#: name -> (usage after the phone, help)
VIDEO_COMMANDS: dict[str, tuple[str, str]] = {
    "live": ("[channel=1] [udp] [stream=0]", "0x9101 live video to the media server"),
    "stop": ("[channel=1]", "0x9102 close the live video of a channel"),
    "files": ("[channel=0] [start=YYMMDDhhmmss] [end=YYMMDDhhmmss]",
              "0x9205 list recordings (0x1205 answer)"),
    "playback": ("channel=N start=YYMMDDhhmmss end=YYMMDDhhmmss [speed=1]",
                 "0x9201 play a recording back to the media server"),
    "talk": ("[channel=1] [udp] [seconds=2] [hz=440]",
             "0x9101 two-way talk: say a tone to the terminal, then 0x9102 close it"),
}
#: playback speed (times real time) -> 0x9201 speed code (JT/T 1078 table 26)
_SPEED_CODES = {1: 1, 2: 2, 4: 3, 8: 4, 16: 5}
_NO_MEDIA = "no media server (start the platform with --media DIR)"
MAX_TALK_SECONDS = 60


def parse_time(text: str, key: str) -> dt.datetime | None:
    if text in ("", "0"):
        return None
    try:
        return dt.datetime.strptime(text, "%y%m%d%H%M%S")
    except ValueError:
        raise CommandError(f"{key}={text!r} is not YYMMDDhhmmss") from None


def _time(time: dt.datetime | None) -> str:
    return "-" if time is None else f"{time:%Y-%m-%d %H:%M:%S}"


class VideoCommands:
    """Runs the 1078 commands for ``console`` (its platform, output, timeout, phones)
    against ``media`` (a :class:`jt808.platform.MediaServer`, or ``None``);
    ``media_ip`` is the address terminals are told to send media to."""

    def __init__(self, console: Any, media: Any, media_ip: str | None = None) -> None:
        self.console, self.media = console, media
        self.media_ip: str = media_ip or (media.host if media is not None else "")

    async def run(self, name: str, rest: list[str]) -> None:
        if name == "media":
            self._media_records(rest)
            return
        usage, _ = VIDEO_COMMANDS[name]
        if not rest:
            raise CommandError(f"usage: {name} PHONE {usage}")
        if self.media is None:
            raise CommandError(_NO_MEDIA)
        phone = self.console.phone(rest[0])
        await getattr(self, f"_{name}")(phone, rest[1:])

    # -- live -----------------------------------------------------------------------------
    async def _live(self, phone: str, rest: list[str]) -> None:
        words = Words(rest, ("channel", "stream"))
        udp = "udp" in words.positional
        channel = self._channel(words, {"udp", "tcp"}, 1)
        reply = await self.media.request_live(
            self.console.platform, phone, channel, tcp=not udp,
            stream_type=words.int("stream", 0), server_ip=self.media_ip,
            timeout=self.console.timeout)
        self.console.out(f"{phone}: 0x{reply.MSG_ID:04X} {reply!r}")
        if getattr(reply, "result", 1) == 0:
            port = self.media.udp_port if udp else self.media.tcp_port
            record = self.media.channel(phone, channel)
            self.console.out(f"{phone}: channel {channel} live over "
                             f"{'udp' if udp else 'tcp'}://{self.media_ip}:{port} -> "
                             f"{record.video_path}")

    async def _stop(self, phone: str, rest: list[str], command: int = 0) -> None:
        channel = self._channel(Words(rest, ("channel",)), set(), 1)
        reply = await self.console.platform.request(phone, LiveVideoControl(channel, command),
                                                    timeout=self.console.timeout)
        self.console.out(f"{phone}: 0x{reply.MSG_ID:04X} {reply!r}")

    async def _talk(self, phone: str, rest: list[str]) -> None:
        from hal.audio import ToneSource
        words = Words(rest, ("channel", "seconds", "hz"))
        udp = "udp" in words.positional
        channel = self._channel(words, {"udp", "tcp"}, 1)
        seconds, hz = words.int("seconds", 2), words.int("hz", 440)
        if not 1 <= seconds <= MAX_TALK_SECONDS or not 1 <= hz <= 3999:
            raise CommandError(f"give seconds=1..{MAX_TALK_SECONDS} and hz=1..3999")
        reply = await self.media.request_talk(self.console.platform, phone, channel,
                                              tcp=not udp, server_ip=self.media_ip,
                                              timeout=self.console.timeout)
        self.console.out(f"{phone}: 0x{reply.MSG_ID:04X} {reply!r}")
        if getattr(reply, "result", 1) != 0:
            return
        tone = ToneSource(hz, frames=seconds * 25)               # 40 ms frames
        try:
            said = await self.media.talk(phone, channel, tone.units(),
                                         timeout=self.console.timeout)
        except TimeoutError:
            raise CommandError(f"no talk link from {phone} within "
                               f"{self.console.timeout:g} s") from None
        self.console.out(f"{phone}: said {said} G.711A frames of {hz} Hz on channel {channel}")
        await self._stop(phone, [f"channel={channel}"], command=4)

    # -- recordings -------------------------------------------------------------------------
    async def _files(self, phone: str, rest: list[str]) -> None:
        words = Words(rest, ("channel", "start", "end"))
        query = ResourceListQuery(self._channel(words, set(), 0),
                                  parse_time(words.options.get("start", ""), "start"),
                                  parse_time(words.options.get("end", ""), "end"))
        self._list(phone, await self._ask_list(phone, query))

    async def _playback(self, phone: str, rest: list[str]) -> None:
        words = Words(rest, ("channel", "start", "end", "speed"))
        if "channel" not in words.options and not words.positional:
            raise CommandError(f"usage: playback PHONE {VIDEO_COMMANDS['playback'][0]}")
        channel = self._channel(words, set(), 1)
        speed = words.int("speed", 1)
        if speed not in _SPEED_CODES:
            raise CommandError(f"speed={speed}: give 1, 2, 4, 8 or 16")
        request = PlaybackRequest(
            self.media_ip, self.media.tcp_port, 0, channel, 0, 0, 0,
            0 if speed == 1 else 1, _SPEED_CODES[speed],
            parse_time(words.options.get("start", ""), "start"),
            parse_time(words.options.get("end", ""), "end"))
        found = await self._ask_list(phone, request)
        self._list(phone, found)
        if found.items:
            record = self.media.channel(phone, channel)
            self.console.out(f"{phone}: channel {channel} playback at x{speed} over "
                             f"tcp://{self.media_ip}:{self.media.tcp_port} -> "
                             f"{record.video_path}")

    async def _ask_list(self, phone: str, message: Any) -> Any:
        """Send ``message``; its answer is the 0x1205 that names its serial."""
        platform = self.console.platform
        serial = await platform.send(phone, message)

        def answer() -> Any:
            record = platform.terminals.get(phone)
            return next((m for m in (record.messages(0x1205) if record else ())
                         if m.reply_serial == serial), None)
        try:
            return await platform.wait_for(answer, timeout=self.console.timeout)
        except TimeoutError:
            raise CommandError(f"no 0x1205 answer within {self.console.timeout:g} s") from None

    def _list(self, phone: str, answer: Any) -> None:
        self.console.out(f"{phone}: 0x1205 {len(answer.items)} recording(s)")
        for item in answer.items:
            self.console.out(
                f"  channel {item.channel} {_time(item.start)} .. {_time(item.end)} "
                f"{item.file_size} bytes alarm=0x{item.alarm:X} av_type={item.av_type} "
                f"stream_type={item.stream_type} storage_type={item.storage_type}")

    # -- what arrived -----------------------------------------------------------------------
    def _media_records(self, rest: list[str]) -> None:
        if rest:
            raise CommandError(f"unexpected words: {' '.join(rest)}")
        if self.media is None:
            raise CommandError(_NO_MEDIA)
        if not self.media.channels:
            self.console.out("no media yet")
        for record in self.media.channels.values():
            s = record.summary()
            self.console.out(f"{record.sim} channel {record.channel}: {s['frames']} frames "
                             f"({s['keyframes']} key), {s['audio_frames']} audio, "
                             f"{s['packets']} packets, {s['lost_packets']} lost -> "
                             f"{record.video_path}")

    @staticmethod
    def _channel(words: Words, flags: set[str], default: int) -> int:
        numbers = [w for w in words.positional if w not in flags]
        unknown = [w for w in numbers if not w.isdigit()]
        if unknown or len(numbers) > 1:
            raise CommandError(f"unexpected words: {' '.join(unknown or numbers[1:])}")
        if numbers and "channel" in words.options:
            raise CommandError("give the channel once")
        return int(numbers[0]) if numbers else words.int("channel", default)
