"""innolink: measure how firms turn technology (patents) into products, across countries."""

__version__ = "0.1.0"
