"""``python -m hal.modem_sim`` / ``jt808 modem-sim``: run the simulator until SIGINT/SIGTERM."""
from __future__ import annotations

import argparse
import signal
import sys
import threading

from ._gnss import Position
from ._simulator import ModemConfig, ModemSimulator
from ._sms import InProcessSmsCentre

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="modem-sim", description="Simulated Quectel EC25 on ptys.")
    d = ModemConfig()
    p.add_argument("--imei", default=d.imei)
    p.add_argument("--iccid", default=d.iccid)
    p.add_argument("--imsi", default=d.imsi)
    p.add_argument("--number", default=d.number, help="the SIM's own phone number")
    p.add_argument("--lat", type=float, default=40.90340, help="latitude, degrees")
    p.add_argument("--lon", type=float, default=111.78228, help="longitude, degrees")
    p.add_argument("--alt", type=float, default=1125.0, help="altitude, m")
    p.add_argument("--speed", type=float, default=0.0, help="speed, km/h")
    p.add_argument("--course", type=float, default=0.0, help="course, degrees")
    p.add_argument("--time-to-fix", type=float, default=1.0, help="seconds from AT+QGPS=1 to a fix")
    p.add_argument("--gnss-on", action="store_true", help="GNSS session on from start (NMEA streams)")
    p.add_argument("--map", action="append", default=[], metavar="HOST=REALHOST",
                   help="connect sockets opened to HOST to REALHOST instead (repeatable)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    def on_submit(sender: str, dest: str, data: bytes) -> None:
        print(f"SMS {sender} -> {dest}: {data.hex()}", flush=True)

    position = Position(args.lat, args.lon, args.alt, speed_kmh=args.speed, course=args.course)
    address_map = dict(item.split("=", 1) for item in args.map)
    sim = ModemSimulator(imei=args.imei, iccid=args.iccid, imsi=args.imsi, number=args.number,
                         position=position, time_to_fix=args.time_to_fix, gnss_on=args.gnss_on,
                         address_map=address_map, sms_centre=InProcessSmsCentre(on_submit))
    with sim:
        print(f"AT port: {sim.at_port}", flush=True)
        print(f"NMEA port: {sim.nmea_port}", flush=True)
        while not stop.wait(0.5):
            pass
    print("modem-sim stopped", file=sys.stderr, flush=True)
    return 0
