"""feetui: the fee-counter terminal. This module holds the version only, so `--help` stays fast."""

__version__ = "0.1.0"
__all__ = ["__version__"]
