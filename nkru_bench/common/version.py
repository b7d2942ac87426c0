"""The package's version, in one place (``nkru_bench.__version__`` re-exports it)."""

__version__ = "0.1.0"
