"""Process resources: the open-file limit and resident memory."""
from __future__ import annotations

import os

__all__ = ["raise_file_limit", "rss_bytes"]

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def raise_file_limit(terminals: int, spare: int = 64) -> list[str]:
    """Raise RLIMIT_NOFILE's soft limit up to the hard one for ``terminals`` sockets
    (plus ``spare`` other files); lines saying what happened."""
    needed = terminals + spare
    try:
        import resource
    except ImportError:                               # not on this platform
        return []
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    notes = []
    if needed > soft and soft != hard:
        target = hard if hard != resource.RLIM_INFINITY else max(needed, soft)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            notes.append(f"open-file limit raised from {soft} to {target}")
            soft = target
        except (ValueError, OSError) as exc:
            notes.append(f"could not raise the open-file limit ({soft}): {exc}")
    if needed > soft:
        notes.append(f"{terminals} terminals need about {needed} open files, more than the "
                     f"open-file limit ({soft}, hard {hard}): expect connect failures; "
                     f"raise it (ulimit -n) or use --processes")
    return notes


def rss_bytes() -> int:
    """Resident set size of this process (0 when unknown)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0
