"""Load simulator: thousands of JT/T 808 terminals as anyio tasks against a platform.

Each simulated terminal is a bare ``TerminalSession`` on one transport, driven by one
task: it registers, authenticates, reports positions along a shared route (each from
its own offset), sends heartbeats when idle and answers platform commands (0x8104/0x8106
-> 0x0104, 0x8201 -> 0x0201, anything else -> 0x0001)::

    stats = run_simulation(SimConfig("tcp://127.0.0.1:6808", terminals=1000, duration=60))
    print(format_report(stats))        # last line: "sent N, acknowledged N, lost N"

``jt808 simulate`` is the command-line front end.
"""
from ._config import SimConfig
from ._route import SharedRoute
from ._runner import Progress, run_simulation, simulate
from ._stats import Histogram, Stats, format_report
from ._system import raise_file_limit, rss_bytes
from ._terminal import SimTerminal

__all__ = ["SimConfig", "SimTerminal", "SharedRoute", "simulate", "run_simulation",
           "Progress", "Stats", "Histogram", "format_report", "raise_file_limit",
           "rss_bytes"]
