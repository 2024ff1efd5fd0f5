"""The accept loop: a listener that runs out of file descriptors backs off and goes on."""
from __future__ import annotations

import errno
import logging
from collections.abc import Callable
from typing import Any

import anyio

from ..errors import TransportError

__all__ = ["accept_forever", "out_of_descriptors", "FIRST_BACKOFF", "MAX_BACKOFF"]

log = logging.getLogger("jt808.platform")

#: Seconds to wait after an ``accept()`` that failed for lack of descriptors (doubling).
FIRST_BACKOFF, MAX_BACKOFF = 0.05, 1.0
_EXHAUSTED = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})


def out_of_descriptors(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or an error it was caused by) says the process or system ran
    out of file descriptors or socket buffers: a reason to wait, not to stop."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, OSError) and exc.errno in _EXHAUSTED:
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


async def accept_forever(listener: Any, serve: Callable[[Any], None],
                         make_room: Callable[[], int]) -> None:
    """Accept until the listener is closed; ``serve(transport)`` each new peer.

    When ``accept()`` fails with EMFILE/ENFILE/ENOBUFS/ENOMEM: ``make_room()`` (closes
    some connections, returns how many), wait ``FIRST_BACKOFF`` s doubling up to
    ``MAX_BACKOFF`` s, and try again. Any other error ends the loop (logged).
    """
    backoff = FIRST_BACKOFF
    while True:
        try:
            transport = await listener.accept()
        except TransportError as exc:
            if not out_of_descriptors(exc):
                log.info("listener stopped: %s", exc)
                return
            closed = make_room()
            log.warning("accept failed (%s); closed %d idle unauthenticated connection(s), "
                        "retrying in %.2f s", exc, closed, backoff)
            await anyio.sleep(backoff)
            backoff = min(MAX_BACKOFF, backoff * 2)
            continue
        backoff = FIRST_BACKOFF
        serve(transport)
