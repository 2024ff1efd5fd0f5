"""``jt808 run``: a real terminal (``jt808.terminal.Terminal``) against a platform.

The link is ``--transport URL``, or ``--modem PORT`` (the Quectel AT socket bridge to
``--server``), or plain TCP (``--udp`` or ``udp://``: UDP) to ``--server``. The options
(and the ``--config`` keys) are the table in ``_run_options``. It prints one line per
state change and a summary every ``--summary-interval`` s (``_run_monitor``). A platform
that is down at start is retried with backoff for ``--connect-timeout`` s.
"""
from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from pathlib import Path
from typing import Any

import anyio

from hal.errors import HalError

from ..errors import JT808Error, TransportError
from ._common import UsageError, parse_address, run_async
from ._run_monitor import RunMonitor
from ._run_options import add_options, settings

POLL = 0.1                 # s between looks for the first connection


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_options(parser)


def say(text: str) -> None:
    print(f"jt808 run: {text}", flush=True)


def transport_url(conf: dict[str, Any]) -> str:
    if conf.get("transport"):
        return str(conf["transport"])
    if not conf.get("server"):
        raise UsageError("give --server HOST:PORT or --transport URL")
    scheme, host, port = parse_address(str(conf["server"]), "--server")
    if port == 0:
        raise UsageError(f"--server {conf['server']!r}: port 0 cannot be connected to")
    kind = scheme or ("udp" if conf.get("udp") else "tcp")
    if conf.get("modem"):
        return f"quectel+{kind}://{conf['modem']}?host={host}&port={port}"
    return f"{kind}://{host}:{port}"


def gnss_source(spec: str, modem: Any = None) -> Any:
    """The GNSS source ``--gnss`` names; ``modem`` is the shared driver of ``--modem``."""
    from hal import gnss
    if spec == "route":
        return gnss.RouteGnss()
    if spec == "none":
        return None
    if spec == "modem":
        if modem is None:
            raise UsageError("--gnss modem needs --modem PORT (the modem's AT port)")
        return gnss.QuectelGnss(modem)
    if spec.startswith("/dev/"):
        try:
            return gnss.NmeaSerialGnss(spec)
        except gnss.GnssError as exc:
            raise UsageError(f"--gnss {spec}: {exc}; is it the NMEA port (on a Quectel "
                             "modem usually the first ttyUSB)?") from None
    if not Path(spec).is_file():
        raise UsageError(f"--gnss {spec!r}: no such NMEA log file; use route, modem, none, "
                         "a /dev/… NMEA port or a file")
    return gnss.NmeaFileGnss(spec)


async def turn_gnss_on(conf: dict[str, Any], modem: Any) -> None:
    """For an NMEA port on a Quectel modem: ``AT+QGPS=1`` on its AT port, and say so."""
    from hal.gnss import quectel_gnss_on
    spec = str(conf["gnss"])
    if not spec.startswith("/dev/"):
        return
    try:
        if modem is not None:
            await modem.gnss_on()
            where = f"--modem {conf['modem']}"
        elif conf.get("gnss_at"):
            await quectel_gnss_on(str(conf["gnss_at"]))
            where = f"--gnss-at {conf['gnss_at']}"
        else:
            say(f"GNSS: reading NMEA from {spec}; not sending AT+QGPS=1 (no --modem or "
                "--gnss-at AT port): turn the receiver on yourself if no fix arrives")
            return
    except Exception as exc:   # serial, OS and driver errors alike: one line, no traceback
        raise TransportError(f"cannot turn GNSS on (AT+QGPS=1): {exc}") from exc
    say(f"GNSS: turned on with AT+QGPS=1 on {where}; reading NMEA from {spec}")


def _register_info(conf: dict[str, Any]) -> Any:
    from ..codec import TerminalRegister
    phone = str(conf["phone"])
    return TerminalRegister(conf["province"], conf["city"], conf["maker"], conf["model"],
                            conf["terminal_id"] or phone[-7:], conf["plate_color"],
                            conf["plate"])


@contextlib.contextmanager
def _store_path(conf: dict[str, Any]) -> Any:
    if conf.get("store"):
        yield Path(conf["store"])
        return
    with tempfile.TemporaryDirectory(prefix="jt808-run-") as tmp:
        yield Path(tmp) / "blind.sqlite"


def _auth_source(conf: dict[str, Any], terminal: Any) -> str | None:
    code = terminal.auth_code
    if code is None:
        return None
    if conf.get("auth_code") and code == conf["auth_code"]:
        return "--auth-code"
    return f"the auth file {terminal.auth_file.path}"


async def _run(conf: dict[str, Any], url: str) -> int:
    from hal.gnss import WatchedGnss

    from ..demo import shared_modem
    from ..frame import Version
    from ..terminal import Terminal
    async with shared_modem(url) as link:
        source = gnss_source(str(conf["gnss"]), link.modem)
        await turn_gnss_on(conf, link.modem)
        gnss = WatchedGnss(source, on_change=say) if source is not None else None
        with _store_path(conf) as store:
            terminal = Terminal(
                link.url, transport_options=link.options, phone=str(conf["phone"]),
                version=Version(int(conf["version"])), register_info=_register_info(conf),
                auth_code=conf.get("auth_code"), gnss=gnss, store_path=store,
                params={0x0001: conf["heartbeat"], 0x0029: conf["report_interval"]})
            monitor = RunMonitor(terminal, say, url=url,
                                 auth_source=_auth_source(conf, terminal), gnss=gnss,
                                 no_fix_warning=conf["no_fix_warning"],
                                 summary_interval=conf["summary_interval"])
            say(f"terminal {conf['phone']} (JT/T 808-{conf['version']}) to {url}; "
                "Ctrl-C to stop")
            async with terminal, anyio.create_task_group() as tg:
                tg.start_soon(terminal.run)
                tg.start_soon(monitor.run)
                await _first_connection(terminal, url, float(conf["connect_timeout"]))
                await anyio.sleep_forever()
    return 0


async def _first_connection(terminal: Any, url: str, timeout: float) -> None:
    """Wait while ``run()`` retries; after ``timeout`` s (0: never) give up."""
    with anyio.move_on_after(timeout or float("inf")):
        while not terminal.connected:
            await anyio.sleep(POLL)
        return
    error = terminal.error
    raise TransportError(f"cannot reach {url}: no connection within {timeout:g} s"
                         + (f" (last error: {error})" if error else ""))


def run(args: argparse.Namespace) -> int:
    try:
        conf = settings(args)
        url = transport_url(conf)
        return run_async(_run, conf, url)
    except UsageError as exc:
        print(f"jt808 run: {exc} (see: jt808 run --help)", file=sys.stderr)
        return 2
    except (JT808Error, HalError, OSError, ValueError, TypeError) as exc:
        print(f"jt808 run: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("jt808 run: stopped", file=sys.stderr)
        return 0
