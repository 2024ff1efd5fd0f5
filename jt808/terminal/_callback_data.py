"""The ``data`` dict the seed's callback receives for a platform message (reference §4).

Codec field names already follow the seed's keys, so most messages are their attrs
fields (nested items as dicts, tuples as lists, datetimes as ``YYYY-MM-DD HH:MM:SS``);
a small table shapes the ones §4 writes differently (0x8103 ``params`` as
``(id, value)`` pairs, 0x8105 ``cmd_params`` as the parsed dict, RSA ``n`` as hex).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import attrs

from ..codec import Message, RawMessage

__all__ = ["message_data"]


def _plain(value: Any) -> Any:
    if attrs.has(type(value)):
        return {f.name: _plain(getattr(value, f.name)) for f in attrs.fields(type(value))}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value


def _params(message: Message) -> dict[str, Any]:
    return {"params": [(p.param_id, p.value) for p in message.params]}


def _control(message: Message) -> dict[str, Any]:
    return {"cmd_word": message.cmd_word, "cmd_params": message.parsed}


def _rsa(message: Message) -> dict[str, Any]:
    return {"e": message.e, "n": message.n.hex().upper()}


_SHAPES: dict[int, Callable[[Message], dict[str, Any]]] = {
    0x8103: _params, 0x8105: _control, 0x8A00: _rsa,
}


def message_data(message: Message) -> dict[str, Any]:
    shape = _SHAPES.get(message.msg_id)
    if shape is not None:
        return shape(message)
    if isinstance(message, RawMessage):
        return {"data": message.body}
    return _plain(message) if attrs.has(type(message)) else {}
