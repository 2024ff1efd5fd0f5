"""``python -m jt808.cli``: the ``jt808`` command."""
import sys

from . import main

sys.exit(main())
