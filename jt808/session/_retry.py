"""Reply timeout and retransmission (JT/T 808-2013 §6, 2019 §6).

T1 is parameter 0x0002 (TCP) / 0x0004 (UDP) / 0x0006 (SMS) seconds; retransmission N+1
waits ``T(N+1) = T(N) * (N + 1)``; at most 0x0003 / 0x0005 / 0x0007 retransmissions.
With T1 = 30 s and 3 retransmissions a request goes out at 0, 30, 90 and 270 s and is
given up at 990 s.
"""
from __future__ import annotations

import attrs

__all__ = ["Bearer", "RetryPolicy", "LINK_PARAM_DEFAULTS"]

# param id -> default: heartbeat 0x0001; TCP 0x0002/0x0003; UDP 0x0004/0x0005; SMS 0x0006/0x0007
LINK_PARAM_DEFAULTS = {0x0001: 60, 0x0002: 30, 0x0003: 3, 0x0004: 30, 0x0005: 3,
                       0x0006: 60, 0x0007: 3}

# bearer -> (timeout param id, retransmission count param id)
_BEARER_PARAMS = {"tcp": (0x0002, 0x0003), "udp": (0x0004, 0x0005), "sms": (0x0006, 0x0007)}

Bearer = str  # "tcp" | "udp" | "sms"


@attrs.frozen(slots=True)
class RetryPolicy:
    first_timeout: float
    max_retransmissions: int

    @classmethod
    def from_params(cls, params: dict[int, int], bearer: Bearer) -> "RetryPolicy":
        if bearer not in _BEARER_PARAMS:
            raise ValueError(f"bearer must be one of {sorted(_BEARER_PARAMS)}, got {bearer!r}")
        timeout_id, count_id = _BEARER_PARAMS[bearer]
        return cls(float(params.get(timeout_id, LINK_PARAM_DEFAULTS[timeout_id])),
                   int(params.get(count_id, LINK_PARAM_DEFAULTS[count_id])))

    def timeout(self, attempt: int) -> float:
        """Wait after transmission number ``attempt`` (1 = the first sending)."""
        value = self.first_timeout
        for n in range(1, attempt):
            value *= n + 1
        return value
