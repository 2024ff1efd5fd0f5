"""The one ffmpeg command line that captures an ALSA device as mono audio."""
from __future__ import annotations

__all__ = ["alsa_command"]


def alsa_command(ffmpeg: str, device: str, sample_rate: int, output: list[str], *,
                 seconds: float | None = None) -> list[str]:
    """``ffmpeg -f alsa -i <device>`` (for ``seconds`` when given), mono at
    ``sample_rate``, then the ``output`` options (format and destination)."""
    command = [ffmpeg, "-hide_banner", "-loglevel", "error", "-f", "alsa", "-i", device]
    if seconds is not None:
        command += ["-t", f"{seconds:g}"]
    return command + ["-ac", "1", "-ar", str(sample_rate), *output]
