"""The data labels a city stores in German — target groups, a person's strengths and
support needs — shown in the reader's language.

Why gettext of the stored German text, not an English column: the labels are a small
shared vocabulary (the demo city's and the usual ones of a German employment office),
their translations belong with every other translation in the message catalogue, and
a city's own new label needs no migration or second field — it shows as stored until
the catalogue knows it. The lists below mark the known labels for ``makemessages``
(``gettext_noop``); ``tests/core/test_vocabulary.py`` keeps them in step with the demo.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

TARGET_GROUP_LABELS: tuple[str, ...] = (
    gettext_noop("Junge Menschen mit schwierigem Start"),
    gettext_noop("Schulabgänger:innen ohne Abschluss"),
    gettext_noop("Langzeitarbeitslose"),
    gettext_noop("Alleinerziehende"),
    gettext_noop("Geflüchtete"),
    gettext_noop("Ältere ab 50"),
    gettext_noop("Menschen mit Behinderung"),
    gettext_noop("Berufsrückkehrende"),
)
STRENGTHS: tuple[str, ...] = (
    gettext_noop("zuverlässig"),
    gettext_noop("handwerkliches Geschick"),
    gettext_noop("Teamfähigkeit"),
    gettext_noop("mehrsprachig"),
    gettext_noop("Kundenorientierung"),
    gettext_noop("Führerschein Klasse B"),
    gettext_noop("IT-Grundkenntnisse"),
    gettext_noop("Erfahrung in der Pflege Angehöriger"),
    gettext_noop("körperlich belastbar"),
    gettext_noop("Organisationstalent"),
    gettext_noop("Berufserfahrung im Herkunftsland"),
    gettext_noop("Ehrenamt im Stadtteil"),
)
SUPPORT_NEEDS: tuple[str, ...] = (
    gettext_noop("Kinderbetreuung"),
    gettext_noop("Deutschkurs"),
    gettext_noop("Schuldnerberatung"),
    gettext_noop("Wohnungssuche"),
    gettext_noop("Mobilität"),
    gettext_noop("gesundheitliche Stabilisierung"),
    gettext_noop("Anerkennung ausländischer Abschlüsse"),
    gettext_noop("Bewerbungsunterlagen"),
    gettext_noop("psychosoziale Begleitung"),
    gettext_noop("Tagesstruktur"),
    gettext_noop("Schulabschluss nachholen"),
    gettext_noop("Pflege eines Angehörigen"),
)
DATA_LABELS: frozenset[str] = frozenset(TARGET_GROUP_LABELS + STRENGTHS + SUPPORT_NEEDS)


def data_label(text: str) -> str:
    """A stored German label in the reader's language: the catalogue's translation of
    a known label, anything else as stored (never run through gettext: free text
    could collide with an unrelated message)."""
    return gettext(text) if text in DATA_LABELS else text


def data_labels(texts: list[str] | tuple[str, ...]) -> list[str]:
    return [data_label(text) for text in texts]
