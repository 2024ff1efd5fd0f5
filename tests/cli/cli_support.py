"""Running ``python -m jt808.cli`` as a real subprocess and reading what it prints."""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import anyio

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
       "PYTHONUNBUFFERED": "1"}
CLI = [sys.executable, "-m", "jt808.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def jt808(*args: str, stdin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run the command to its end (stdin closed unless given)."""
    return subprocess.run([*CLI, *args], cwd=REPO, env=ENV, capture_output=True, text=True,
                          input=stdin if stdin is not None else "", timeout=timeout)


class Running:
    """A started command: its output lines so far (stdout and stderr together)."""

    def __init__(self, process: anyio.abc.Process) -> None:
        self.process = process
        self.lines: list[str] = []

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    async def collect(self) -> None:
        pending = b""
        async for chunk in self.process.stdout:
            pending += chunk
            *done, pending = pending.split(b"\n")
            self.lines.extend(line.decode("utf-8", "replace") for line in done)
        if pending:
            self.lines.append(pending.decode("utf-8", "replace"))

    async def wait_for(self, text: str, timeout: float = 30) -> str:
        """The first line containing ``text``; fails with the output so far."""
        try:
            with anyio.fail_after(timeout):
                while True:
                    found = next((line for line in self.lines if text in line), None)
                    if found is not None:
                        return found
                    if self.process.returncode is not None:
                        await anyio.sleep(0.2)          # the last lines
                        found = next((line for line in self.lines if text in line), None)
                        if found is None:
                            raise AssertionError(f"exited before {text!r}:\n{self.text}")
                        return found
                    await anyio.sleep(0.05)
        except TimeoutError:
            raise AssertionError(f"no line with {text!r} within {timeout} s:\n"
                                 f"{self.text}") from None

    async def send_line(self, line: str) -> None:
        await self.process.stdin.send((line + "\n").encode())


@contextlib.asynccontextmanager
async def running(*args: str) -> AsyncIterator[Running]:
    """Start ``jt808 ARGS``; on exit interrupt it (SIGINT) and wait for it."""
    process = await anyio.open_process([*CLI, *args], cwd=REPO, env=ENV,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT)
    run = Running(process)
    async with process, anyio.create_task_group() as tg:
        tg.start_soon(run.collect)
        try:
            yield run
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGINT)
            with anyio.fail_after(15):
                await process.wait()                     # collect() ends at end of output
