"""The ``jt808 platform`` console: one line, one command; answers printed.

``NAME PHONE [words]`` sends a platform->terminal message (``_console_commands``) with
``Platform.request`` and prints the terminal's answer. Besides those: ``terminals``,
``wait PHONE [timeout=30]`` (until it has authenticated), ``sleep SECONDS``,
``help`` and ``quit``; with a media server (``--media DIR``) the JT/T 1078 commands
``live``, ``stop``, ``files``, ``playback`` and ``media`` (``_console_video``). A bad
line prints one ``error:`` line and the console goes on.
"""
from __future__ import annotations

import queue
import shlex
import sys
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio

from ..errors import JT808Error
from ._console_commands import MESSAGES, CommandError, Words, parse_int
from ._console_video import VIDEO_COMMANDS, VideoCommands

__all__ = ["Console", "stdin_lines", "file_lines"]

DEFAULT_TIMEOUT = 30.0           # s to wait for a terminal's answer


class Quit(Exception):
    """``quit``: stop the console (and the platform)."""


class Console:
    """Runs lines against ``platform``; ``out`` prints one line. ``media`` (a
    :class:`jt808.platform.MediaServer`, optional) serves the video commands; terminals
    are told to send media to ``media_ip`` (default: the server's host)."""

    def __init__(self, platform: Any, out: Callable[[str], None],
                 timeout: float = DEFAULT_TIMEOUT, media: Any = None,
                 media_ip: str | None = None) -> None:
        self.platform, self.out, self.timeout = platform, out, timeout
        self.video = VideoCommands(self, media, media_ip)

    async def run(self, lines: AsyncIterator[str], echo: bool = False) -> bool:
        """Run every line; False when ``quit`` ended it, True at the end of input."""
        async for line in lines:
            if echo and line.strip():
                self.out(f"> {line.strip()}")
            try:
                await self.execute(line)
            except Quit:
                return False
        return True

    async def execute(self, line: str) -> None:
        try:
            words = shlex.split(line, comments=True)
        except ValueError as exc:
            self.out(f"error: {exc}")
            return
        if not words:
            return
        name, rest = words[0], words[1:]
        try:
            await self._dispatch(name, rest)
        except (CommandError, JT808Error, TimeoutError) as exc:
            self.out(f"error: {name}: {exc or type(exc).__name__}")

    async def _dispatch(self, name: str, rest: list[str]) -> None:
        if name in ("quit", "exit"):
            raise Quit
        if name == "help":
            self._help()
        elif name == "terminals":
            self._terminals()
        elif name == "sleep":
            await anyio.sleep(_seconds(rest, "sleep SECONDS"))
        elif name == "wait":
            await self._wait(rest)
        elif name in MESSAGES:
            await self._send(name, rest)
        elif name in VIDEO_COMMANDS or name == "media":
            await self.video.run(name, rest)
        else:
            raise CommandError("unknown command (try: help)")

    async def _send(self, name: str, rest: list[str]) -> None:
        command = MESSAGES[name]
        if not rest:
            raise CommandError(f"usage: {name} PHONE {command.usage}".rstrip())
        phone = self.phone(rest[0])
        message = command.build(Words(rest[1:], command.options))
        reply = await self.platform.request(phone, message, timeout=self.timeout)
        self.out(f"{phone}: 0x{reply.MSG_ID:04X} {reply!r}")

    async def _wait(self, rest: list[str]) -> None:
        if not rest:
            raise CommandError("usage: wait PHONE [timeout=30]")
        words = Words(rest[1:], ("timeout",))
        wanted = rest[0]
        timeout = words.int("timeout", int(self.timeout))

        def authenticated() -> bool:
            phone = self._known(wanted)
            return phone is not None and self.platform.terminals[phone].authenticated
        try:
            await self.platform.wait_for(authenticated, timeout=timeout)
        except TimeoutError:
            raise CommandError(f"{wanted} did not authenticate within {timeout} s") from None
        self.out(f"{self._known(wanted)}: authenticated")

    def phone(self, text: str) -> str:
        """The platform's key for ``text`` (leading zeros of the BCD phone optional)."""
        known = self._known(text)
        if known is None:
            raise CommandError(f"terminal {text} is not connected (see: terminals)")
        return known

    def _known(self, text: str) -> str | None:
        if not text.isdigit():
            raise CommandError(f"phone {text!r} is not digits")
        if text in self.platform.terminals:
            return text
        return next((p for p in self.platform.terminals
                     if p.lstrip("0") == text.lstrip("0")), None)

    def _terminals(self) -> None:
        records = self.platform.terminals
        if not records:
            self.out("no terminals yet")
        for phone, record in records.items():
            state = "authenticated" if record.authenticated else "not authenticated"
            connected = "connected" if phone in self.platform.connections else "gone"
            self.out(f"{phone}: {connected}, {state}, {len(record.positions)} positions")

    def _help(self) -> None:
        self.out("commands (PHONE as the terminal sent it; key=value options):")
        for name, command in MESSAGES.items():
            self.out(f"  {name} PHONE {command.usage}".rstrip() + f"  - {command.help}")
        video = "" if self.video.media is not None else " (needs --media DIR)"
        self.out(f"JT/T 1078 video{video}:")
        for name, (usage, text) in VIDEO_COMMANDS.items():
            self.out(f"  {name} PHONE {usage}  - {text}")
        self.out("  media  - what the media server has received")
        self.out("  terminals  - who is there;  wait PHONE [timeout=30]  - until it "
                 "authenticates;  sleep SECONDS;  help;  quit")


def _seconds(rest: list[str], usage: str) -> float:
    if len(rest) != 1:
        raise CommandError(f"usage: {usage}")
    try:
        value = float(rest[0])
    except ValueError:
        value = float(parse_int(rest[0], "seconds"))
    if value < 0:
        raise CommandError("seconds must be >= 0")
    return value


async def stdin_lines(poll: float = 0.05) -> AsyncIterator[str]:
    """Lines of stdin, read by a daemon thread (a blocked read never holds up the exit)
    so the platform keeps serving; ends at end of input."""
    lines: queue.SimpleQueue[str] = queue.SimpleQueue()

    def read() -> None:
        for line in sys.stdin:
            lines.put(line)
        lines.put("")

    threading.Thread(target=read, name="jt808-console", daemon=True).start()
    while True:
        try:
            line = lines.get_nowait()
        except queue.Empty:
            await anyio.sleep(poll)
            continue
        if not line:
            return
        yield line


async def file_lines(path: str) -> AsyncIterator[str]:
    with open(path, encoding="utf-8") as handle:
        lines = handle.readlines()
    for line in lines:
        yield line
