"""``jt808 run``: a real terminal (``jt808.terminal.Terminal``) against a platform.

The link is ``--transport URL``, or ``--modem PORT`` (the Quectel AT socket bridge to
``--server``), or plain TCP (``--udp``: UDP) to ``--server``. ``--config FILE`` is JSON
whose keys are the long option names (``server``, ``phone``, ``version``, ``gnss``, …);
options on the command line win.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

import anyio

from ..errors import JT808Error, TransportError
from ._common import UsageError, parse_host_port, run_async

log = logging.getLogger("jt808.run")

_DEFAULTS = {"phone": "13800138000", "version": "2013", "gnss": "route"}
_VERSIONS = ("2011", "2013", "2019")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", metavar="HOST:PORT", help="the platform")
    parser.add_argument("--transport", metavar="URL",
                        help="transport URL instead (tcp://, udp://, quectel+tcp://…, sms://…)")
    parser.add_argument("--modem", metavar="PORT",
                        help="reach --server through the Quectel modem on this AT port")
    parser.add_argument("--udp", action="store_true", help="UDP instead of TCP")
    parser.add_argument("--gnss", metavar="SOURCE",
                        help="route (simulated, default), modem (the modem's GNSS), "
                             "an NMEA serial port (/dev/…) or an NMEA log file")
    parser.add_argument("--phone", help=f"terminal phone number (default {_DEFAULTS['phone']})")
    parser.add_argument("--version", choices=_VERSIONS, help="protocol version (default 2013)")
    parser.add_argument("--auth-code", help="skip registration, authenticate with this code")
    parser.add_argument("--store", metavar="PATH", help="blind-area store (sqlite file)")
    parser.add_argument("--config", metavar="FILE", help="JSON file of the options above")
    parser.add_argument("--connect-timeout", type=float, default=10.0,
                        help="seconds to wait for the first connection (default 10)")


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """The options merged: command line over ``--config`` over defaults."""
    merged: dict[str, Any] = dict(_DEFAULTS)
    if args.config:
        try:
            with open(args.config, encoding="utf-8") as handle:
                loaded = json.load(handle)
        except (OSError, ValueError) as exc:
            raise UsageError(f"--config {args.config}: {exc}") from None
        if not isinstance(loaded, dict):
            raise UsageError(f"--config {args.config}: expected a JSON object")
        merged.update({key.replace("-", "_"): value for key, value in loaded.items()})
    merged.update({key: value for key, value in vars(args).items()
                   if value is not None and key in _KEYS})
    if str(merged["version"]) not in _VERSIONS:
        raise UsageError(f"version {merged['version']!r} is not one of {', '.join(_VERSIONS)}")
    phone = str(merged["phone"])
    if not phone.isdigit() or len(phone) > 20:
        raise UsageError(f"phone {phone!r} must be up to 20 digits")
    return merged


_KEYS = {"server", "transport", "modem", "udp", "gnss", "phone", "version", "auth_code",
         "store", "connect_timeout"}


def transport_url(conf: dict[str, Any]) -> str:
    if conf.get("transport"):
        return str(conf["transport"])
    if not conf.get("server"):
        raise UsageError("give --server HOST:PORT or --transport URL")
    host, port = parse_host_port(str(conf["server"]), "--server")
    if port == 0:
        raise UsageError(f"--server {conf['server']!r}: port 0 cannot be connected to")
    kind = "udp" if conf.get("udp") else "tcp"
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
            raise UsageError("--gnss modem needs --modem PORT")
        return gnss.QuectelGnss(modem)
    if spec.startswith("/dev/"):
        return gnss.NmeaSerialGnss(spec)
    return gnss.NmeaFileGnss(spec)


async def _probe(url: str, options: dict[str, Any], timeout: float) -> None:
    """Connect once and hang up: an unreachable server is a clear error, not a retry loop."""
    from ..transport import open_transport
    shown = url
    try:
        with anyio.fail_after(timeout):
            transport = await open_transport(url, **options)
    except TimeoutError:
        raise TransportError(f"cannot reach {shown}: no connection within {timeout:g} s") from None
    except TransportError as exc:
        raise TransportError(f"cannot reach {shown}: {exc}") from None
    await transport.aclose()


async def _run(conf: dict[str, Any], url: str) -> int:
    from ..demo import shared_modem
    from ..frame import Version
    from ..terminal import Terminal
    async with shared_modem(url) as link:
        await _probe(link.url, link.options, float(conf["connect_timeout"]))
        terminal = Terminal(link.url, transport_options=link.options, phone=str(conf["phone"]),
                            version=Version(int(conf["version"])),
                            register_info=_register_info(conf), auth_code=conf.get("auth_code"),
                            gnss=gnss_source(str(conf["gnss"]), link.modem),
                            store_path=conf.get("store"))
        print(f"terminal {conf['phone']} on {url}; Ctrl-C to stop", flush=True)
        await terminal.run()
    return 0


def _register_info(conf: dict[str, Any]) -> Any:
    from ..codec import TerminalRegister
    info = conf.get("register_info") or {}
    phone = str(conf["phone"])
    defaults = {"province_id": 0, "city_id": 0, "manufacturer_id": "JT808",
                "terminal_model": "PY-JT808", "terminal_id": phone[-7:],
                "license_plate_color": 0, "license_plate": ""}
    defaults.update(info)
    return TerminalRegister(**defaults)


def run(args: argparse.Namespace) -> int:
    try:
        conf = settings(args)
        url = transport_url(conf)
        return run_async(_run, conf, url)
    except UsageError as exc:
        print(f"jt808 run: {exc}", file=sys.stderr)
        return 2
    except (JT808Error, OSError, ValueError, TypeError) as exc:
        print(f"jt808 run: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("jt808 run: stopped", file=sys.stderr)
        return 0
