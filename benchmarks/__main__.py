"""All benchmarks in one run, each next to the same work done by the plain-struct
baseline (``benchmarks.baseline``): ``python -m benchmarks [--quick] [--no-e2e]``.

Columns: the library's figure, the baseline's, and the ratio (library cost / baseline
cost: 2.0x means the library takes twice the time per operation).
"""
from __future__ import annotations

import argparse
import struct
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jt808.codec import decode, encode  # noqa: E402
from jt808.frame import pack, unpack  # noqa: E402

from . import baseline, bench_codec, bench_e2e, bench_frame, bench_session  # noqa: E402
from ._timing import best_us  # noqa: E402

PHONE = "013800138000"


def _us(value: float) -> str:
    return f"{value:.2f} µs"


def _row(name: str, ours: float, theirs: float, unit=_us) -> tuple[str, str, str, str]:
    return name, unit(ours), unit(theirs), f"{ours / theirs:.1f}x" if theirs else "-"


def _baseline_extras(report) -> dict[int, bytes]:
    """The five extras of ``bench_codec._location()`` packed by hand."""
    mileage, fuel, speed, signal, satellites = (e for e in report.extras)
    return {0x01: struct.pack(">I", round(mileage.km * 10)),
            0x02: struct.pack(">H", round(fuel.liters * 10)),
            0x03: struct.pack(">H", round(speed.kmh * 10)),
            0x30: bytes((signal.level,)), 0x31: bytes((satellites.count,))}


def frame_rows(n: int, r: int) -> list:
    frame = bench_frame._location_frame()
    wire = pack(frame)
    body = frame.body
    assert baseline.unpack_frame(wire)[3] == body == unpack(wire).body
    return [
        _row(f"frame pack 0x0200 ({len(wire)} B)", best_us(lambda: pack(frame), number=n, repeat=r),
             best_us(lambda: baseline.pack_frame(0x0200, PHONE, 1, body), number=n, repeat=r)),
        _row("frame unpack 0x0200", best_us(lambda: unpack(wire), number=n, repeat=r),
             best_us(lambda: baseline.unpack_frame(wire), number=n, repeat=r)),
    ]


def codec_rows(n: int, r: int) -> list:
    report = bench_codec._location()
    wire = pack(encode(report, phone=PHONE, serial=7))
    fields = (report.alarm_flag, report.status, report.latitude, report.longitude,
              report.altitude, report.speed, report.direction, report.time)

    def base_encode() -> bytes:
        return baseline.pack_frame(0x0200, PHONE, 7, baseline.encode_location(
            *fields, _baseline_extras(report)))

    assert base_encode() == wire, "baseline and library disagree on the bytes"
    return [
        _row("codec encode 0x0200 +5 extras, whole frame",
             best_us(lambda: pack(encode(report, phone=PHONE, serial=7)), number=n, repeat=r),
             best_us(base_encode, number=n, repeat=r)),
        _row("codec decode 0x0200 +5 extras, whole frame",
             best_us(lambda: decode(unpack(wire)), number=n, repeat=r),
             best_us(lambda: baseline.decode_location(baseline.unpack_frame(wire)[3]),
                     number=n, repeat=r)),
    ]


def _baseline_round_trip(fields: tuple, pending: dict) -> None:
    """Terminal encodes, platform decodes and answers 0x8001, terminal matches the reply."""
    pending[7] = True
    up = baseline.pack_frame(0x0200, PHONE, 7, baseline.encode_location(*fields, {}))
    msg_id, phone, serial, body = baseline.unpack_frame(up)
    baseline.decode_location(body)
    down = baseline.general_reply(phone, 1, serial, msg_id)
    reply_serial, reply_id, result = baseline.REPLY.unpack(baseline.unpack_frame(down)[3])
    pending.pop(reply_serial)


def session_rows(quick: bool) -> list:
    n = 3_000 if quick else 20_000
    ours = 1e6 / bench_session.round_trips_per_second(n)
    r = bench_session.report()
    fields = (r.alarm_flag, r.status, r.latitude, r.longitude, r.altitude, r.speed,
              r.direction, r.time)
    pending: dict = {}
    theirs = best_us(lambda: _baseline_round_trip(fields, pending), number=n // 4, repeat=3)
    count = 2_000 if quick else 10_000
    memory = bench_session.session_memory(count)
    return [_row("session pair: 0x0200 up, 0x8001 back", ours, theirs)] + [
        (f"{count:,} idle {name}, memory each", f"{size / 1024:.1f} KB", "-", "target < 20 KB")
        for name, size in memory.items()]


def e2e_rows(quick: bool) -> list:
    seconds = 3.0 if quick else 10.0
    ours, ours_cpu = bench_e2e.platform_throughput(bench_e2e.REFERENCE, seconds)
    theirs, theirs_cpu = bench_e2e.platform_throughput(bench_e2e.BASELINE, seconds)

    def rate(value: float) -> str:
        return f"{value:,.0f}/s"
    return [("platform 0x0200 acked, loopback TCP", rate(ours), rate(theirs),
             f"{theirs / ours:.1f}x"),
            ("  same, per CPU-second of the platform", rate(ours_cpu), rate(theirs_cpu),
             f"{theirs_cpu / ours_cpu:.1f}x")]


def render(rows: list) -> str:
    rows = [("case", "jt808", "baseline", "ratio"), *rows]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, small e2e")
    parser.add_argument("--no-e2e", action="store_true", help="skip the end-to-end part")
    args = parser.parse_args()
    n, r = (2_000, 3) if args.quick else (10_000, 7)
    rows = frame_rows(n, r) + codec_rows(n, r) + session_rows(args.quick)
    if not args.no_e2e:
        rows += e2e_rows(args.quick)
    print(render(rows))
    if not args.no_e2e:
        print("\nsimulator (one process) vs reference platform (another), 1 report / 5 s each:")
        results = [bench_e2e.simulator_run(t, d) for t, d in bench_e2e.simulator_sizes(args.quick)]
        print(bench_e2e.simulator_table(results))


if __name__ == "__main__":
    main()
