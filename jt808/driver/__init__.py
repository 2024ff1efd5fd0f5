"""The anyio driver around a sans-IO session: one loop for every role (see ``_driver``)."""
from ._driver import DEFAULT_MAX_OUTBOX_BYTES, SessionDriver

__all__ = ["SessionDriver", "DEFAULT_MAX_OUTBOX_BYTES"]
