"""``python -m hal.modem_sim``."""
import sys

from ._cli import main

sys.exit(main())
