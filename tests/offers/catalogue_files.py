"""Catalogue files for the tests, written out by hand so a reader can count the lines
the error messages point at."""

from __future__ import annotations

from pathlib import Path

# Uses the `city` fixture's world: districts Eving and Hörde, providers p-a and p-b,
# offers o-a and o-b, target group youth_difficult_start.
VALID = """\
{
  "providers": [
    {"id": "p-eving-1", "name": "Werkhof Eving", "district": "Eving"},
    {"id": "p-hoerde-1", "name": "Lernwerk Hörde", "district": "Hörde"}
  ],
  "offers": [
    {"id": "o-1", "provider": "p-eving-1", "title": "Werkstatt am Nollendorfplatz",
     "kind": "low_threshold", "district": "Eving", "capacity": 12, "status": "active",
     "target_groups": ["youth_difficult_start", "young_parents"],
     "min_age": 16, "max_age": 25, "legal_branches": ["SGB II"],
     "start": "2026-01-01", "end": "2026-12-31",
     "description": "Holz und Metall, ohne Voraussetzungen.",
     "other_rules": "Wohnsitz in Dortmund",
     "funding": [{"funder": "city", "amount_eur": 30000.5,
                  "start": "2026-07-01", "end": "2026-12-31"},
                 {"funder": "jobcenter", "amount_eur": 120000,
                  "start": "2026-01-01", "end": "2026-12-31"}],
     "follow_ons": ["o-2", "o-a", "destination:apprenticeship"]},
    {"id": "o-2", "provider": "p-hoerde-1", "title": "Berufsvorbereitung Hörde",
     "kind": "vocational_preparation", "district": "Hörde", "capacity": null,
     "legal_branches": ["SGB III", "SGB II"], "occupations": ["51312", "51311"],
     "follow_ons": ["destination:employment"]},
    {"id": "o-3", "provider": "p-b", "title": "Beratung im Stadtteil",
     "kind": "counselling"}
  ]
}
"""


def write(tmp_path: Path, text: str, name: str = "offers.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    """The 1-based line on which ``needle`` first appears."""
    return text[: text.index(needle)].count("\n") + 1
