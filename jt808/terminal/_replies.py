"""What every command handler uses: result codes, hooks, version-aware answers."""
from __future__ import annotations

import inspect
from typing import Any, Awaitable, Callable, Dict, Optional

from ..codec import Message, message_class
from ..frame import Header

__all__ = ["RESULT_OK", "RESULT_FAILED", "RESULT_BAD_MESSAGE", "RESULT_NOT_SUPPORTED",
           "call_hook", "has_message", "answer", "Handler", "HandlerTable"]

# A command handler: ``await handler(terminal, message, header)``.
Handler = Callable[[Any, Any, Header], Awaitable[None]]
# Handlers by message id; the ``None`` entry answers a message no other entry takes.
HandlerTable = Dict[Optional[int], Handler]

RESULT_OK, RESULT_FAILED, RESULT_BAD_MESSAGE, RESULT_NOT_SUPPORTED = 0, 1, 2, 3


async def call_hook(hook: Any, *args: Any) -> Any:
    """``hook(*args)`` (awaited when it returns an awaitable); ``None`` without a hook."""
    if hook is None:
        return None
    result = hook(*args)
    if inspect.isawaitable(result):
        result = await result
    return result


def has_message(terminal: Any, msg_id: int) -> bool:
    """Whether ``msg_id`` exists in the terminal's protocol version (the codec's table)."""
    return message_class(msg_id, terminal.version) is not None


async def answer(terminal: Any, header: Header, message: Message) -> None:
    """Send the specific answer ``message``, or, when the session's version has no such
    message (e.g. 0x0608 before 2019), the general 0x0001 result 3 (not supported)."""
    if not has_message(terminal, message.msg_id):
        terminal.reply(header, RESULT_NOT_SUPPORTED)
        return
    await terminal.send(message)
