"""The demo with the real ``jt808.terminal.Terminal`` (``run()`` drives it)."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import anyio

from hal.camera import StaticCamera
from hal.gnss import RouteGnss

from ..codec import CameraShootCommand, QueryTerminalParams, TerminalRegister
from ..terminal import Terminal
from ._constants import PHONE, VERSION
from ._shared_modem import ModemLink, shared_modem
from ._video_stage import video_stage

__all__ = ["run_terminal"]

ROUTE_SPEEDUP = 20.0            # simulated route seconds per real second
REPORT_INTERVAL = 1             # parameter 0x0029, s
#: link parameters for a quick demo: 1 s reply timeout (0x0002), no retransmission (0x0003)
DEMO_PARAMS = {0x0029: REPORT_INTERVAL, 0x0002: 1, 0x0003: 0, 0x0001: 30}
PHOTO_PACKET_BYTES = 256
OUTAGE_FAILED_OPENS = 1         # reconnects that fail before coverage returns


async def run_terminal(demo: Any, platform: Any, sim: Any, url: str, gnss: Any) -> None:
    async with shared_modem(url) as link:
        await _run_terminal(demo, platform, link, sim)


async def _run_terminal(demo: Any, platform: Any, link: ModemLink, sim: Any) -> None:
    start = time.monotonic()
    gnss = RouteGnss(clock=lambda: start + (time.monotonic() - start) * ROUTE_SPEEDUP)
    register = TerminalRegister(11, 105, "70111", "PY-JT808", "DEMO001", 1, "京A12345")
    with tempfile.TemporaryDirectory(prefix="jt808-demo-") as tmp:
        terminal = Terminal(link.url, transport_options=link.options, phone=PHONE,
                            version=VERSION,
                            register_info=register, gnss=gnss, camera=StaticCamera(),
                            store_path=Path(tmp) / "blind.sqlite", params=dict(DEMO_PARAMS),
                            imei="860000000000001", app_version="demo")
        terminal.session.max_body = PHOTO_PACKET_BYTES
        async with terminal:
            async with anyio.create_task_group() as tg:
                tg.start_soon(terminal.run)
                try:
                    await _script(demo, platform, PHONE, sim)
                    await video_stage(demo, platform, terminal, link, PHONE,
                                      6 if demo.options.direct else 7)
                finally:
                    await terminal.close()
                    tg.cancel_scope.cancel()
    demo.facts["terminal"] = "jt808.terminal.Terminal"


async def _script(demo: Any, platform: Any, phone: str, sim: Any) -> None:
    record = lambda: platform.terminals.get(phone)                       # noqa: E731

    demo.stage("1. register and authenticate (0x0100 -> 0x8100, 0x0102 -> 0x8001)")
    await platform.wait_for(lambda: record() and record().authenticated, timeout=20)
    demo.say(f"terminal authenticated with auth code {record().auth_code!r}")

    demo.stage(f"2. location reports every {REPORT_INTERVAL} s from the simulated route "
               "(0x0200 -> 0x8001)")
    await platform.wait_for(lambda: len(record().positions) >= 3, timeout=15)

    demo.stage("3. the platform queries the parameters (0x8104 -> 0x0104)")
    reply = await platform.request(phone, QueryTerminalParams(), timeout=10)
    demo.say("terminal parameters: " + ", ".join(
        f"0x{p.param_id:04X}={p.value!r}" for p in reply.params[:8])
        + (" …" if len(reply.params) > 8 else ""))

    demo.stage("4. the platform orders a photo (0x8801 -> 0x0805); the upload comes in "
               f"{PHOTO_PACKET_BYTES}-byte subpackets and one is lost (0x8800 list, resend)")
    demo.drop_armed = True
    shot = await platform.request(phone, CameraShootCommand(1, 1), timeout=10)
    demo.say(f"camera answer: {shot}")
    await platform.wait_for(lambda: record().messages(0x0801), timeout=20)
    upload = record().messages(0x0801)[-1]
    demo.say(f"photo received: media id {upload.media_id}, "
             f"{len(upload.media_data)} bytes of JPEG")

    demo.stage("5. blind area: the platform stops acknowledging 0x0200; the terminal keeps "
               "the positions and flushes them with 0x0704 once acks return")
    platform.ack_filter = lambda phone_, header, message: header.msg_id != 0x0200
    batches = len(record().batches)
    before = len(record().unacknowledged)
    await platform.wait_for(lambda: len(record().unacknowledged) >= before + 3, timeout=20)
    await anyio.sleep(1.5)                      # the last one times out at the terminal too
    platform.ack_filter = None
    demo.say("acknowledgements resume")
    await platform.wait_for(lambda: len(record().batches) > batches, timeout=20)
    batch = record().batches[-1]
    demo.say(f"blind-area batch: {len(batch.items)} positions, type {batch.location_type}")
    if sim is not None and not demo.options.direct:
        await _pdp_outage(demo, platform, sim, phone, record)


async def _pdp_outage(demo: Any, platform: Any, sim: Any, phone: str, record: Any) -> None:
    demo.stage("6. coverage lost: the modem drops the PDP context; the terminal reconnects, "
               "logs in again and flushes what it kept with 0x0704")
    await anyio.sleep(0.5)                      # let the last acknowledgement arrive
    connections, batches = record().connections, len(record().batches)
    sim.fail_next_open(566, OUTAGE_FAILED_OPENS)
    sim.drop_pdp(1)
    demo.say(f"simulator: +QIURC: \"pdpdeact\",1, then {OUTAGE_FAILED_OPENS} failed "
             "AT+QIOPEN (566) while the terminal backs off")
    await platform.wait_for(lambda: record().connections > connections
                            and len(record().batches) > batches, timeout=25)
    batch = record().batches[-1]
    demo.say(f"reconnected; blind-area batch: {len(batch.items)} positions")
