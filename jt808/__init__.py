"""jt808: a JT/T 808 (2011/2013/2019) vehicle terminal, platform and simulator for CPython.

Layers (imports point down only): ``terminal`` > ``session`` > ``codec`` > ``frame``;
``transport`` moves bytes; ``hal`` is the hardware.
"""
from .errors import *  # noqa: F401,F403
from .errors import __all__ as _errors_all

__version__ = "0.1.0"
__all__ = ["__version__", *_errors_all]
