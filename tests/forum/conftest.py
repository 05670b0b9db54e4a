"""The small conference of ``fixtures.py`` for every forum test."""

from tests.forum.fixtures import conference

__all__ = ["conference"]
