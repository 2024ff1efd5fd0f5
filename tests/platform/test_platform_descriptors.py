"""Issue 18: ``accept()`` failing with EMFILE ("Too many open files") stopped the listener
for good. The platform runs in a subprocess limited to 64 descriptors; 100 idle sockets
fill them; good terminals must still be served, then and after the idle ones leave."""
from __future__ import annotations

import sys
import textwrap

import anyio
import pytest

from jt808.demo import MiniTerminal

pytestmark = pytest.mark.anyio

SERVER = textwrap.dedent("""
    import resource, sys, anyio
    from jt808.platform import Platform
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))
    async def main():
        async with Platform(auth_timeout=600, idle_timeout=600) as platform:
            await platform.serve("tcp://127.0.0.1:0")
            print(platform.address()[1], flush=True)
            await anyio.to_thread.run_sync(sys.stdin.readline)   # until the test is done
            print(dict(platform.links.evicted), flush=True)
    anyio.run(main)
""")


async def _serve_three(port: int) -> list[int]:
    results = []
    for index in range(3):
        async with await MiniTerminal.connect(f"tcp://127.0.0.1:{port}",
                                              f"1380000000{index}") as terminal:
            await terminal.login()
            results.append((await terminal.report()).result)
    return results


async def test_out_of_descriptors_the_listener_backs_off_and_keeps_accepting():
    async with await anyio.open_process([sys.executable, "-c", SERVER]) as process:
        try:
            with anyio.fail_after(60):
                first = b""
                while not first.endswith(b"\n"):
                    first += await process.stdout.receive()
                port = int(first)
                idle = [await anyio.connect_tcp("127.0.0.1", port) for _ in range(100)]
                await anyio.sleep(0.5)                  # the platform hits the limit
                during = await _serve_three(port)
                for stream in idle:
                    await stream.aclose()
                await anyio.sleep(0.2)
                after = await _serve_three(port)
                await process.stdin.send(b"done\n")
                evicted = b"".join([chunk async for chunk in process.stdout]).decode()
        finally:
            if process.returncode is None:
                process.kill()
    assert during == [0, 0, 0] and after == [0, 0, 0]
    assert "descriptors exhausted" in evicted
