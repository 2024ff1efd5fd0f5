"""The demo with the minimal ``TerminalSession`` client (before/without ``Terminal``)."""
from __future__ import annotations

from typing import Any

from ..codec import LocationReport, QueryTerminalParams
from ..errors import ResponseTimeout, TransportError
from ..transport import open_transport
from ._constants import DROPPED_PACKET, PHONE, PHOTO, PHOTO_PACKET, VERSION
from ._mini_terminal import MiniTerminal, location

__all__ = ["run_mini", "report_from_fix"]

ROUTE_STEP = 45.0          # seconds of route between two demo positions


def report_from_fix(fix: Any) -> LocationReport:
    return location(fix.latitude, fix.longitude, speed=fix.speed, direction=fix.direction,
                    altitude=fix.altitude, when=fix.utc)


async def _open(demo: Any, url: str, platform: Any) -> Any:
    try:
        return await open_transport(url)
    except (TransportError, OSError) as exc:
        fallback = platform.url("tcp")
        demo.say(f"modem bridge failed ({exc}); falling back to {fallback}")
        return await open_transport(fallback)


async def run_mini(demo: Any, platform: Any, sim: Any, url: str, gnss: Any) -> None:
    demo.stage("1. register and authenticate (0x0100 -> 0x8100, 0x0102 -> 0x8001)")
    transport = await _open(demo, url, platform)
    async with MiniTerminal(transport, PHONE, VERSION, max_body=PHOTO_PACKET) as terminal:
        code = await terminal.login()
        demo.say(f"terminal logged in with auth code {code!r}")

        demo.stage("2. location reports from the simulated route (0x0200 -> 0x8001)")
        step = 0
        for step in range(3):
            await terminal.report(report_from_fix(gnss.fix_at(step * ROUTE_STEP)))

        demo.stage("3. the platform queries the parameters (0x8104 -> 0x0104)")
        reply = await platform.request(PHONE, QueryTerminalParams(), timeout=10)
        demo.say("terminal parameters: " + ", ".join(
            f"0x{p.param_id:04X}={p.value!r}" for p in reply.params))

        demo.stage(f"4. photo upload in {PHOTO_PACKET}-byte subpackets; the platform loses "
                   f"packet {DROPPED_PACKET} (0x0801, 0x8800 list, resend)")
        demo.drop_armed = True
        final = await terminal.upload_media(1, PHOTO, timeout=20)
        demo.say(f"upload complete: {final}")

        demo.stage("5. blind area: the platform stops acknowledging, the terminal keeps "
                   "positions, then flushes them with 0x0704")
        platform.ack_filter = lambda phone, header, message: header.msg_id != 0x0200
        blind: list[LocationReport] = []
        for step in range(step + 1, step + 4):
            report = report_from_fix(gnss.fix_at(step * ROUTE_STEP))
            try:
                await terminal.report(report, timeout=1.0)
            except ResponseTimeout:
                demo.say("no acknowledgement: position kept for the blind-area upload")
                blind.append(report)
        platform.ack_filter = None
        reply = await terminal.batch(blind)
        result = getattr(reply, "result", None)          # the platform's 0x8001
        demo.say(f"blind-area batch of {len(blind)} acknowledged: result {result}")
        demo.facts["terminal"] = "minimal TerminalSession client"
        demo.say("video stage skipped: the minimal client has no JT/T 1078 side "
                 "(run without --mini)")
