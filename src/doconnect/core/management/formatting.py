"""Help output for commands whose description carries examples and file formats."""

from __future__ import annotations

from argparse import RawDescriptionHelpFormatter

from django.core.management.base import DjangoHelpFormatter


class ExampleHelpFormatter(DjangoHelpFormatter, RawDescriptionHelpFormatter):
    """Django's option order, but the description and epilog keep their line breaks, so
    examples and format sketches stay readable."""
