"""AT line syntax: split a command line into commands, encode replies."""
from __future__ import annotations

from typing import Callable

import attrs

__all__ = ["Command", "Reply", "DataMode", "AtError", "parse_line", "split_args", "ok"]


@attrs.frozen
class Command:
    name: str                     # "+QIOPEN", "E", "&F", "I"
    kind: str                     # "exec" (=args), "read" (?), "test" (=?), "action"
    args: tuple[str, ...] = ()    # quotes removed
    raw: str = ""


@attrs.frozen
class DataMode:
    """After the ``> `` prompt: ``length`` raw bytes, or up to Ctrl-Z when None."""

    on_data: Callable[[bytes], "Reply"]
    length: int | None = None
    echo: bool = False
    on_cancel: Callable[[], "Reply"] | None = None
    limit: int = 4096


@attrs.frozen
class Reply:
    """``\\r\\n<text>\\r\\n`` + raw + ``\\r\\n<final>\\r\\n`` (+ ``\\r\\n> `` prompt)."""

    text: str | None = None
    raw: bytes = b""
    final: str | None = "OK"
    data_mode: DataMode | None = None

    def body(self) -> bytes:
        """The information part: text line(s) and raw bytes, no final code."""
        out = b""
        if self.text is not None:
            out += b"\r\n" + self.text.encode("latin-1") + b"\r\n"
        return out + self.raw

    def encode(self, *, with_final: bool = True) -> bytes:
        out = self.body()
        if with_final and self.final is not None:
            out += b"\r\n" + self.final.encode("latin-1") + b"\r\n"
        if self.data_mode is not None:
            out += b"\r\n> "
        return out


def ok(*lines: str, raw: bytes = b"") -> Reply:
    return Reply(text="\r\n".join(lines) if lines else None, raw=raw)


class AtError(Exception):
    """A command failed: ``kind`` "plain" (ERROR), "cme" or "cms" with ``code``."""

    def __init__(self, kind: str = "plain", code: int = 0) -> None:
        super().__init__(kind, code)
        self.kind = kind
        self.code = code


def split_args(text: str) -> tuple[str, ...]:
    """``1,"TCP","a,b",5`` -> ("1", "TCP", "a,b", "5"); an empty field stays ""."""
    args: list[str] = []
    cur: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            args.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    args.append("".join(cur).strip())
    return tuple(args)


def _extended(text: str) -> Command:
    for mark, kind in (("=?", "test"), ("?", "read"), ("=", "exec")):
        pos = text.find(mark)
        if pos > 0 and (mark != "?" or "=" not in text[:pos]):
            name, rest = text[:pos], text[pos + len(mark):]
            args = split_args(rest) if kind == "exec" else ()
            return Command(name.upper(), kind, args, text)
    return Command(text.upper(), "action", (), text)


def _split_extended(body: str) -> tuple[str, str]:
    quoted = False
    for i, ch in enumerate(body):
        if ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            return body[:i], body[i + 1:]
    return body, ""


def parse_line(line: str) -> list[Command] | None:
    """Commands on one ``AT...`` line; None when the line is not an AT command."""
    line = line.strip(" \t\x00")
    if line[:2].upper() != "AT":
        return None
    body, out = line[2:], []
    while body:
        head = body[0]
        if head == ";" or head == " ":
            body = body[1:]
        elif head in "+$":
            text, body = _split_extended(body)
            out.append(_extended(text))
        elif head == "&" or head.isalpha():
            size = 2 if head == "&" else 1
            name, body = body[:size].upper(), body[size:]
            digits = ""
            if name in ("S", "D"):          # S: register; D: a dial string runs to ";"
                text, body = _split_extended(body)
                out.append(Command(name, "exec", (text,), name + text))
                continue
            while body and body[0].isdigit():
                digits, body = digits + body[0], body[1:]
            out.append(Command(name, "exec" if digits else "action", (digits,) if digits else (), name + digits))
        else:
            out.append(Command(body, "action", (), body))
            break
    return out
