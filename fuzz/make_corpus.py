"""Build the seed corpus ``fuzz/corpus/<target>/`` at run time (never committed).

JT/T 808 seeds come from ``tests/vectors/*.jsonl`` (frames for framer, unpack
and session; ``msg_id | version | body`` for codec). The hal targets get a few lines in
the formats of quectel-at.md and NMEA 0183, written here.
Usage: ``python fuzz/make_corpus.py [--out fuzz/corpus]``.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
VECTORS = REPO / "tests" / "vectors"
VERSION_BYTE = {"2011": 0, "2013": 1, "2019": 2}

HAL_SEEDS = {
    "at_parser": [
        b"\x00\r\n+QIRD: 5\r\nhello\r\n\r\nOK\r\n",
        b'\x00\r\n+QIURC: "recv",0,4\r\n\x7e\x01\x7e\x00\r\n+QIURC: "closed",0\r\n',
        b"\x05\r\n> \r\nSEND OK\r\n", b"\x00\r\n+CME ERROR: 516\r\n",
        b'\x00\r\n+CMT: ,24\r\n0791683108200005F0040D91683185171100F10004521010000000000401020304\r\n',
        b"\x02\r\n+CPIN: READY\r\n\r\nOK\r\n", b"\x03\r\n+CREG: 0,1\r\n\r\nOK\r\n",
    ],
    "nmea": [
        b"$GPRMC,061951.000,A,3113.8126,N,12128.4222,E,0.00,0.00,110513,,,A*68\r\n",
        b"$GPGGA,061951.000,3113.8126,N,12128.4222,E,1,09,0.7,62.2,M,7.0,M,,*5B\r\n",
    ],
    "qgpsloc": [b"+QGPSLOC: 061951.0,31.23021,121.47370,0.7,62.2,2,0.00,0.0,0.0,110513,09"],
}


def _records():
    for path in sorted(VECTORS.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if line.strip():
                yield json.loads(line)


def _jt808_seeds() -> dict[str, list[bytes]]:
    from jt808.errors import JT808Error
    from jt808.frame import unpack
    seeds: dict[str, list[bytes]] = {"framer": [], "unpack": [], "session": [], "codec": []}
    for record in _records():
        try:
            raw = bytes.fromhex(record.get("hex") or "")
        except (ValueError, TypeError):
            continue
        if record.get("scope") == "frame":
            seeds["framer"].append(raw)
            seeds["unpack"].append(raw)
            for selector in (0x03, 0x0B, 0x02, 0x0A):
                seeds["session"].append(bytes([selector]) + raw)
            try:
                body = unpack(raw).body
            except JT808Error:
                continue
        elif record.get("scope") == "body":
            body = raw
        else:
            continue
        if isinstance(record.get("msg_id"), int):
            version = VERSION_BYTE.get(str(record.get("version")), 1)
            seeds["codec"].append(record["msg_id"].to_bytes(2, "big") + bytes([version]) + body)
    return seeds


def build(out: Path) -> dict[str, int]:
    seeds = {**_jt808_seeds(), **HAL_SEEDS}
    seeds.setdefault("pdu", [bytes.fromhex(
        "0791683108200005F0040D91683185171100F10004521010000000000401020304")])
    counts = {}
    for target, items in seeds.items():
        folder = out / target
        folder.mkdir(parents=True, exist_ok=True)
        for item in items:
            (folder / hashlib.sha1(item).hexdigest()).write_bytes(item)
        counts[target] = len(set(items))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "corpus")
    args = parser.parse_args()
    for target, count in build(args.out).items():
        print(f"{target}: {count} seeds")


if __name__ == "__main__":
    main()
