"""``jt808 decode``: dissect frames given as hex, or read from a file or stdin."""
from __future__ import annotations

import argparse
import binascii
import re
import sys

from ..codec import decode
from ..errors import ChecksumError, JT808Error
from ..frame import Frame, Framer, Version


_HEX_TEXT = re.compile(rb"^(?:0x|[0-9a-fA-F\s,:])+$")


class InputError(Exception):
    """No input, or input that is not hex: a usage error (exit 2)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("hex", nargs="*",
                        help="frames as hex (spaces allowed) (default: read hex from stdin)")
    parser.add_argument("-f", "--file", help="read raw bytes (or hex text with --hex-file) "
                        "from a file (default none)")
    parser.add_argument("--hex-file", action="store_true",
                        help="the file holds hex text (default off: raw bytes)")
    parser.add_argument("--version", choices=["2011", "2013", "2019"],
                        help="decode as this version whatever the header's version flag "
                             "says (default: the header's version flag decides)")
    parser.add_argument("--lenient-check", action="store_true",
                        help="dissect frames whose check code is wrong, and say so per frame "
                             "(default off: such a frame is reported as bad)")
    parser.add_argument("--strict", action="store_true",
                        help="refuse device quirks (hex digits in BCD, bytes after the last "
                             "field, ...) instead of decoding them (default off: tolerant)")


def _read_input(args: argparse.Namespace) -> bytes:
    if args.file:
        with open(args.file, "rb") as handle:
            data = handle.read()
        return _from_hex(data.decode("ascii", "replace")) if args.hex_file else data
    if args.hex:
        return _from_hex(" ".join(args.hex))
    if sys.stdin.isatty():
        print("jt808 decode: reading hex from stdin (end with Ctrl-D)", file=sys.stderr)
    text = sys.stdin.read()
    if not text.strip():
        raise InputError("no input: give frames as hex arguments, --file FILE, or pipe hex "
                      "to stdin")
    return _from_hex(text)


def looks_like_hex_text(data: bytes) -> bool:
    """Raw bytes that are really hex text (a file given without ``--hex-file``)."""
    return bool(data.strip()) and _HEX_TEXT.match(data) is not None


def _from_hex(text: str) -> bytes:
    cleaned = re.sub(r"(0x|[\s,:])", "", text)
    try:
        return binascii.unhexlify(cleaned)
    except (binascii.Error, ValueError) as exc:
        raise InputError(f"not hex: {exc}") from None


def describe(frame: Frame, version: Version | None = None, strict: bool = False) -> str:
    """A multi-line human description of one frame (codec used when available)."""
    h = frame.header
    lines = [f"0x{h.msg_id:04X} phone={h.phone} serial={h.serial} version={h.version.value}"
             f" encryption={h.encryption} packet={h.packet} body={len(frame.body)} bytes",
             f"  body: {frame.body.hex()}"]
    try:
        message = decode(frame, version, strict=strict)
        lines.append(f"  {message!r}")
        for quirk in getattr(message, "quirks", ()) or ():
            lines.append(f"  quirk: {quirk}")
    except JT808Error as exc:
        lines.append(f"  body does not decode: {exc}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    try:
        data = _read_input(args)
    except InputError as exc:
        print(f"jt808 decode: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"jt808 decode: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    version = Version(int(args.version)) if args.version else None
    framer = Framer(version, strict=args.strict, lenient_check=args.lenient_check)
    for event in framer.feed_events(data):
        if isinstance(event, Frame):
            print(describe(event, version, args.strict))
        elif args.lenient_check and isinstance(event, ChecksumError):
            print(f"check code wrong, frame dissected anyway: {event}")
        else:
            print(f"bad frame: {event}")
    if framer.junk_bytes:
        print(f"skipped {framer.junk_bytes} bytes outside frames")
    if framer.buffered > 1:          # a lone 0x7E is the closing flag of a bad frame
        print(f"{framer.buffered} bytes of an unfinished frame at the end")
    if not framer.frames and args.file and not args.hex_file and looks_like_hex_text(data):
        print(f"hint: {args.file} looks like hex text; add --hex-file", file=sys.stderr)
    return 0 if framer.frames and not framer.bad_frames else 1
