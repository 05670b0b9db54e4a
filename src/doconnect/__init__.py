"""do-connect: an open platform for municipal labour-market and employment policy."""

__version__ = "0.1.0"
