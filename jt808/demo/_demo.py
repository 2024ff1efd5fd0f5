"""The demo: a whole terminal-platform conversation on one machine, no hardware.

The reference platform listens on 127.0.0.1 (port 0), a ``ModemSimulator`` plays the
Quectel modem on a pty, ``RouteGnss`` drives a vehicle round Beijing's 2nd Ring Road,
and a terminal talks to the platform through the modem's AT socket bridge
(``quectel+tcp://<pty>?host=127.0.0.1&port=<port>``). Printed: the decoded
conversation as the platform sees it, stage by stage, then a summary.

The terminal is ``jt808.terminal.Terminal``; when it fails, or with ``mini=True``, a
minimal one driven directly by ``TerminalSession`` (``_mini_run``).
"""
from __future__ import annotations

import time
from typing import Any

import anyio
import attrs

from hal.gnss import RouteGnss
from hal.modem_sim import ModemSimulator

from ..platform import Platform
from ._constants import DROPPED_PACKET, PHONE
from ._mini_run import run_mini
from ._terminal_run import run_terminal

__all__ = ["DemoOptions", "Demo", "run_demo"]


@attrs.frozen
class DemoOptions:
    """``mini``: the minimal client; ``direct``: plain TCP, no simulated modem;
    ``quiet``: stages and summary only; ``timeout``: give up after this many s."""

    mini: bool = False
    direct: bool = False
    quiet: bool = False
    timeout: float = 60.0


class Demo:
    """State shared by the stages: output, the platform, the lost-packet switch."""

    def __init__(self, options: DemoOptions) -> None:
        self.options = options
        self.started = time.monotonic()
        self.dropped: list[tuple[int, int]] = []
        self.drop_armed = False
        self.facts: dict[str, Any] = {}
        self.video_ok = True            # the live-video stage, when it ran, got every frame

    def say(self, line: str) -> None:
        print(f"[{time.monotonic() - self.started:5.1f}s] {line}", flush=True)

    def stage(self, title: str) -> None:
        print(f"\n== {title} ==", flush=True)

    def trace(self, line: str) -> None:
        if not self.options.quiet:
            self.say(f"platform {line}")

    def drop_frame(self, header: Any) -> bool:
        """Lose packet ``DROPPED_PACKET`` of the photo upload, once."""
        if (self.drop_armed and header.msg_id == 0x0801 and header.packet is not None
                and header.packet[1] == DROPPED_PACKET):
            self.drop_armed = False
            self.dropped.append(header.packet)
            return True
        return False


async def run_demo(options: DemoOptions) -> int:
    """Run the whole demo, printing as it goes; 0 when every stage finished."""
    demo = Demo(options)
    platform = Platform(trace=demo.trace, drop_frame=demo.drop_frame)
    async with platform:
        await platform.serve(["tcp://127.0.0.1:0"])
        host, port = platform.address("tcp")
        demo.say(f"reference platform listening on tcp://{host}:{port}")
        with ModemSimulator() as sim:
            url = (f"tcp://{host}:{port}" if options.direct
                   else f"quectel+tcp://{sim.at_port}?host={host}&port={port}")
            demo.say(f"modem simulator AT port {sim.at_port}; terminal URL {url}")
            gnss = RouteGnss()
            runner = _pick_runner(demo)
            with anyio.fail_after(options.timeout):
                try:
                    await runner(demo, platform, sim, url, gnss)
                except Exception as exc:  # the Terminal is young: show its failure, go on
                    if runner is run_mini:
                        raise
                    demo.say(f"jt808.terminal.Terminal FAILED: {type(exc).__name__}: {exc}; "
                             "running the minimal TerminalSession client instead")
                    demo.facts["Terminal failure"] = f"{type(exc).__name__}: {exc}"
                    await run_mini(demo, platform, sim, url, gnss)
    return _summary(demo, platform)


def _pick_runner(demo: Demo):
    if demo.options.mini:
        demo.say("terminal: minimal TerminalSession client (--mini)")
        return run_mini
    demo.say("terminal: jt808.terminal.Terminal")
    return run_terminal


def _summary(demo: Demo, platform: Any) -> int:
    record = platform.terminals.get(PHONE)
    demo.stage("summary")
    if record is None:
        print("the terminal never reached the platform", flush=True)
        return 1
    ids = [header.msg_id for header, _ in record.received]
    facts = {
        "registered (0x0100 -> 0x8100)": ids.count(0x0100) >= 1 and record.auth_code is not None,
        "authenticated (0x0102 -> 0x8001)": ids.count(0x0102) >= 1,
        "location reports (0x0200)": ids.count(0x0200),
        "parameter query answered (0x8104 -> 0x0104)": ids.count(0x0104),
        "photo uploaded (0x0801)": len(record.messages(0x0801)),
        "packets lost and resent": len(demo.dropped),
        "blind-area batches (0x0704)": ids.count(0x0704),
        "positions recorded in all": len(record.positions),
    }
    facts.update(demo.facts)
    width = max(len(key) for key in facts)
    for key, value in facts.items():
        print(f"  {key:<{width}}  {value}", flush=True)
    ok = all(facts[key] for key in ("registered (0x0100 -> 0x8100)",
                                     "parameter query answered (0x8104 -> 0x0104)",
                                     "photo uploaded (0x0801)", "blind-area batches (0x0704)")
             ) and demo.video_ok
    print(f"demo {'finished' if ok else 'INCOMPLETE'} in {time.monotonic() - demo.started:.1f} s",
          flush=True)
    return 0 if ok else 1
