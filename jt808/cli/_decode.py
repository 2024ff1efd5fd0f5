"""``jt808 decode``: dissect frames given as hex, or read from a file or stdin."""
from __future__ import annotations

import argparse
import binascii
import re
import sys

from ..codec import decode
from ..errors import JT808Error
from ..frame import Frame, Framer, Version


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("hex", nargs="*", help="frames as hex (spaces allowed); none: read stdin")
    parser.add_argument("-f", "--file", help="read raw bytes (or hex text with --hex-file) from a file")
    parser.add_argument("--hex-file", action="store_true", help="the file holds hex text")
    parser.add_argument("--version", choices=["2011", "2013", "2019"],
                        help="override the header's version flag")


def _read_input(args: argparse.Namespace) -> bytes:
    if args.file:
        with open(args.file, "rb") as handle:
            data = handle.read()
        return _from_hex(data.decode("ascii", "replace")) if args.hex_file else data
    text = " ".join(args.hex) if args.hex else sys.stdin.read()
    return _from_hex(text)


def _from_hex(text: str) -> bytes:
    cleaned = re.sub(r"(0x|[\s,:])", "", text)
    try:
        return binascii.unhexlify(cleaned)
    except (binascii.Error, ValueError) as exc:
        raise SystemExit(f"jt808 decode: not hex: {exc}") from None


def describe(frame: Frame, version: Version | None = None) -> str:
    """A multi-line human description of one frame (codec used when available)."""
    h = frame.header
    lines = [f"0x{h.msg_id:04X} phone={h.phone} serial={h.serial} version={h.version.value}"
             f" encryption={h.encryption} packet={h.packet} body={len(frame.body)} bytes",
             f"  body: {frame.body.hex()}"]
    try:
        lines.append(f"  {decode(frame)!r}")
    except JT808Error as exc:
        lines.append(f"  body does not decode: {exc}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    version = Version(int(args.version)) if args.version else None
    framer = Framer(version)
    events = framer.feed_events(_read_input(args))
    for event in events:
        print(describe(event, version) if isinstance(event, Frame) else f"bad frame: {event}")
    if framer.junk_bytes:
        print(f"skipped {framer.junk_bytes} bytes outside frames")
    if framer.buffered:
        print(f"{framer.buffered} bytes of an unfinished frame at the end")
    return 0 if framer.frames and not framer.bad_frames else 1
