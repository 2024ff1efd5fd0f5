"""Codec speed, whole frames (frame pack/unpack + body): ``python -m benchmarks.bench_codec``.

Targets: a 0x0200 frame with mileage, fuel, speed, signal and satellite extras encodes
(message -> wire bytes) in < 8 µs and decodes (wire bytes -> message) in < 10 µs; the
frame layer alone is about 2.4 µs to pack and 2.6 µs to unpack. Also shown: 0x0100
(2013 and 2019) and, when ``_params`` provides it, 0x8103 with 20 parameters.
"""
from __future__ import annotations

import datetime as dt

from jt808.codec import (Fuel, LocationReport, Mileage, SatelliteCount, SignalStrength,
                         TachographSpeed, TerminalRegister, decode, encode)
from jt808.frame import Version, pack, unpack

from ._timing import best_us, table

PHONE_2013 = "013800138000"
PHONE_2019 = "00000000013800138000"


def _location() -> LocationReport:
    return LocationReport(0, 0x000C0003, 31.824845, 117.24091, 120, 60.5, 90,
                          dt.datetime(2022, 6, 27, 10, 11, 30),
                          (Mileage(1000.5), Fuel(32.5), TachographSpeed(60.0),
                           SignalStrength(31), SatelliteCount(12)))


def _register() -> TerminalRegister:
    return TerminalRegister(44, 100, "70111", "QUECTEL-EC200U", "T123456", 1, "粤B12345")


def _set_params():
    """0x8103 with 20 parameters, or None when the codec has no SetTerminalParams yet."""
    try:
        from jt808.codec._params import (  # type: ignore[attr-defined]
            PARAM_TYPES, SetTerminalParams, TerminalParam,
        )
    except ImportError:
        return None
    items = []
    for param_id in (0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0007, 0x0010, 0x0013,
                     0x0018, 0x0019, 0x0020, 0x0021, 0x0022, 0x0027, 0x0029, 0x0055, 0x0056,
                     0x0080, 0x0083):
        kind = PARAM_TYPES.get(param_id)
        if kind is None:
            return None
        value = "cmnet.example" if kind.kind == "STRING" else (
            bytes(kind.size) if kind.kind == "BYTES" else 30)
        items.append(TerminalParam(param_id, value))
    return SetTerminalParams(tuple(items))


def _case(name: str, message, version: Version, phone: str, target: tuple[str, str]):
    wire = pack(encode(message, phone=phone, serial=7, version=version))
    assert decode(unpack(wire)) == message, name
    enc = best_us(lambda: pack(encode(message, phone=phone, serial=7, version=version)))
    dec = best_us(lambda: decode(unpack(wire)))
    return [(f"{name} encode ({len(wire)} B)", f"{enc:.2f} µs", target[0]),
            (f"{name} decode", f"{dec:.2f} µs", target[1])]


def main() -> None:
    rows = []
    rows += _case("0x0200 +5 extras", _location(), Version.V2013, PHONE_2013,
                  ("< 8 µs", "< 10 µs"))
    rows += _case("0x0100 2013", _register(), Version.V2013, PHONE_2013, ("", ""))
    rows += _case("0x0100 2019", _register(), Version.V2019, PHONE_2019, ("", ""))
    params = _set_params()
    if params is None:
        rows.append(("0x8103 x20", "n/a (no SetTerminalParams)", ""))
    else:
        rows += _case("0x8103 x20 params", params, Version.V2013, PHONE_2013, ("", ""))
    print(table(rows))


if __name__ == "__main__":
    main()
