"""Who the demo city's clients are and what is agreed with them: the target groups, the
free tags of strengths and support needs, and the titles and texts of agreements (what
the person does, what the institution guarantees). Pure data, no Django."""

from __future__ import annotations

from typing import NamedTuple


class TargetGroupInfo(NamedTuple):
    code: str
    label: str


TARGET_GROUPS: tuple[TargetGroupInfo, ...] = (
    TargetGroupInfo("youth_difficult_start", "Junge Menschen mit schwierigem Start"),
    TargetGroupInfo("school_leavers_without_qualification", "Schulabgänger:innen ohne Abschluss"),
    TargetGroupInfo("long_term_unemployed", "Langzeitarbeitslose"),
    TargetGroupInfo("single_parents", "Alleinerziehende"),
    TargetGroupInfo("refugees", "Geflüchtete"),
    TargetGroupInfo("over_50", "Ältere ab 50"),
    TargetGroupInfo("disabled", "Menschen mit Behinderung"),
    TargetGroupInfo("returners", "Berufsrückkehrende"),
)
TG = {info.code: index for index, info in enumerate(TARGET_GROUPS)}

# Free tags: what a person brings and what would help, never a deficit score.
STRENGTHS: tuple[str, ...] = (
    "zuverlässig",
    "handwerkliches Geschick",
    "Teamfähigkeit",
    "mehrsprachig",
    "Kundenorientierung",
    "Führerschein Klasse B",
    "IT-Grundkenntnisse",
    "Erfahrung in der Pflege Angehöriger",
    "körperlich belastbar",
    "Organisationstalent",
    "Berufserfahrung im Herkunftsland",
    "Ehrenamt im Stadtteil",
)
SUPPORT_NEEDS: tuple[str, ...] = (
    "Kinderbetreuung",
    "Deutschkurs",
    "Schuldnerberatung",
    "Wohnungssuche",
    "Mobilität",
    "gesundheitliche Stabilisierung",
    "Anerkennung ausländischer Abschlüsse",
    "Bewerbungsunterlagen",
    "psychosoziale Begleitung",
    "Tagesstruktur",
    "Schulabschluss nachholen",
    "Pflege eines Angehörigen",
)

PERSON_COMMITMENTS: tuple[str, ...] = (
    "Bewirbt sich monatlich auf mindestens vier passende Stellen.",
    "Nimmt regelmäßig am vereinbarten Angebot teil.",
    "Legt die Zeugnisse zur Anerkennung vor.",
    "Besucht den Deutschkurs bis zum Abschluss B1.",
    "Meldet sich bei der Schuldnerberatung an.",
    "Erstellt mit Unterstützung vollständige Bewerbungsunterlagen.",
    "Nimmt zwei Praktikumstage im Betrieb wahr.",
    "Klärt die Kinderbetreuung für die Zeit der Maßnahme.",
)
INSTITUTION_GUARANTEES: tuple[str, ...] = (
    "Übernimmt die Fahrtkosten zum Angebot.",
    "Vermittelt einen Platz im vereinbarten Angebot.",
    "Übernimmt die Kosten der Kinderbetreuung während der Maßnahme.",
    "Prüft die Anerkennung des ausländischen Abschlusses innerhalb von vier Wochen.",
    "Stellt einen Bildungsgutschein aus.",
    "Vereinbart einen Termin bei der Schuldnerberatung.",
    "Begleitet die ersten drei Monate im neuen Betrieb.",
    "Schlägt mindestens drei passende Stellen pro Monat vor.",
)
AGREEMENT_TITLES: tuple[str, ...] = (
    "Kooperationsplan",
    "Eingliederungsvereinbarung",
    "Vereinbarung Übergang Schule–Beruf",
    "Vereinbarung Arbeit und Lernen",
)
