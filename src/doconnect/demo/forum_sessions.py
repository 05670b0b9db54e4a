"""What happened at the demo city's labour-policy conference: five sessions held and one
planned with their agendas, the decisions taken, and some twenty commitments in every
status (some overdue, some public). Pure data, no Django."""

from __future__ import annotations

import datetime as dt

from doconnect.demo.forum_actors import AGENCY, CITY, HWK, IHK, JOBCENTER, STATE

# Sessions: (title, kind, working group index or None, date, place, held).
SESSIONS: tuple[tuple[str, str, int | None, dt.date, str, bool], ...] = (
    (
        "Arbeitspolitikkonferenz Frühjahr 2026",
        "plenary",
        None,
        dt.date(2026, 3, 18),
        "Rathaus, Ratssaal",
        True,
    ),
    (
        "AG Übergang Schule – Beruf, 1. Sitzung",
        "working_group",
        0,
        dt.date(2026, 4, 22),
        "Berufskolleg am Hafen",
        True,
    ),
    (
        "AG Nordstadt, 1. Sitzung",
        "working_group",
        1,
        dt.date(2026, 5, 13),
        "Quartiersbüro Nordmarkt",
        True,
    ),
    (
        "AG Langzeitarbeitslosigkeit, 1. Sitzung",
        "working_group",
        2,
        dt.date(2026, 6, 10),
        "Jobcenter, Steinstraße",
        True,
    ),
    (
        "Arbeitspolitikkonferenz Herbst 2026",
        "plenary",
        None,
        dt.date(2026, 9, 30),
        "Rathaus, Ratssaal",
        True,
    ),
    (
        "Arbeitspolitikkonferenz Frühjahr 2027",
        "plenary",
        None,
        dt.date(2027, 3, 17),
        "Rathaus, Ratssaal",
        False,
    ),
)

AGENDAS: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        (
            "Begrüßung durch den Oberbürgermeister",
            "Ziele der Konferenz: **verbinden statt abhängen**.",
        ),
        ("Lage am Dortmunder Arbeitsmarkt", "Bericht der Agentur für Arbeit und des Jobcenters."),
        (
            "Schnittmengen der Programme",
            "Wo zahlen Stadt, Jobcenter, Agentur und Land für dieselben Gruppen – wo niemand?",
        ),
        (
            "Arbeitsgruppen einsetzen",
            "- Übergang Schule – Beruf\n- Nordstadt\n- Langzeitarbeitslosigkeit",
        ),
    ),
    (
        (
            "Anschlüsse nach der Schule",
            "Wer geht nach der Klasse 10 wohin? Bericht der Berufskollegs.",
        ),
        (
            "Gemeinsame Beratung",
            "Jugendberufsagentur: Beratung von Stadt, Jobcenter und Agentur unter einem Dach.",
        ),
    ),
    (
        ("Beschäftigung im Quartier", "Koppel-Beschäftigung mit Betrieben aus der Nordstadt."),
        (
            "Initiativen einbinden",
            "Wie kommen Stadtteilinitiativen und Migrantinnenorganisationen an den Tisch?",
        ),
    ),
    (
        ("Teilhabe am Arbeitsmarkt", "Stand der Plätze nach § 16i SGB II."),
        ("Übergänge aus geförderter Beschäftigung", "Anschlüsse in ungeförderte Arbeit."),
    ),
    (
        ("Bericht der Arbeitsgruppen", "Die drei AGs berichten über ihre Beschlüsse."),
        ("Stand der Zusagen", "Was ist erledigt, was verspätet, was aufgegeben – und warum?"),
        ("Haushalt 2027", "Brückenbudget der Stadt für auslaufende Programme."),
    ),
    (("Tagesordnung folgt", ""),),
)

# Decisions per held session: (agenda position, text, public).
DECISIONS: tuple[tuple[tuple[int, str, bool], ...], ...] = (
    (
        (
            3,
            "Die Konferenz lässt die Programme von Stadt, Jobcenter, Agentur und Land "
            "**nach Zielgruppe und Angebotsart** nebeneinanderstellen und bis zum Herbst "
            "Lücken und Doppelungen benennen.",
            True,
        ),
        (
            4,
            "Es werden drei Arbeitsgruppen eingesetzt: Übergang Schule – Beruf, Nordstadt, "
            "Langzeitarbeitslosigkeit.",
            True,
        ),
    ),
    (
        (
            1,
            "Jede Schulabgängerin und jeder Schulabgänger ohne Anschluss erhält bis Ende "
            "November ein Beratungsangebot.",
            True,
        ),
        (
            2,
            "Stadt, Jobcenter und Agentur beraten junge Menschen ab 2027 gemeinsam an einem Ort.",
            False,
        ),
    ),
    (
        (1, "Zwanzig Plätze in Koppel-Beschäftigung mit Betrieben aus der Nordstadt.", True),
        (2, "Die Stadtteilinitiativen erhalten einen ständigen Sitz in der AG.", False),
    ),
    (
        (
            1,
            "Die Plätze nach § 16i SGB II werden gehalten; Anschlüsse werden sechs Monate "
            "vor Ende geplant.",
            True,
        ),
    ),
    (
        (2, "Verspätete Zusagen werden mit Begründung im öffentlichen Protokoll gezeigt.", True),
        (
            3,
            "Die Stadt prüft ein Brückenbudget für Angebote, deren Landesförderung ausläuft.",
            False,
        ),
    ),
)

# Commitments: (decision index (flat, in DECISIONS order), owner, to_whom, what, due
# offset in days from today, status, reason, public, with offers).
STATUS_REASONS = {
    "late": "Die Abstimmung mit den Schulen dauert länger als geplant.",
    "dropped": "Die Landesförderung ist entfallen; die Stadt übernimmt die Aufgabe nicht.",
}
COMMITMENTS: tuple[tuple[int, int | str, int | str | None, str, int, str, bool, bool], ...] = (
    (
        0,
        CITY,
        None,
        "Übersicht der Programme nach Zielgruppe und Angebotsart vorlegen",
        -40,
        "done",
        True,
        False,
    ),
    (
        0,
        JOBCENTER,
        CITY,
        "Eigene Programme mit Budget und Plätzen an die Stadt melden",
        -120,
        "done",
        True,
        False,
    ),
    (
        0,
        AGENCY,
        CITY,
        "Programme der Agentur mit Budget und Plätzen melden",
        -110,
        "done",
        True,
        False,
    ),
    (
        0,
        STATE,
        CITY,
        "Landesprogramme für Dortmund mit Laufzeiten melden",
        -20,
        "open",
        True,
        False,
    ),
    (1, CITY, None, "Geschäftsordnung der Arbeitsgruppen entwerfen", -150, "done", True, False),
    (
        2,
        "college",
        CITY,
        "Liste der Abgänger:innen ohne Anschluss abgleichen",
        -10,
        "on_track",
        True,
        False,
    ),
    (
        2,
        JOBCENTER,
        CITY,
        "Beratungstermine für Abgänger im SGB II anbieten",
        7,
        "on_track",
        True,
        True,
    ),
    (2, AGENCY, CITY, "Berufsberatung an allen Berufskollegs im November", 5, "open", True, False),
    (2, HWK, CITY, "Zwanzig Praktikumsplätze im Handwerk vermitteln", 30, "late", True, False),
    (
        3,
        CITY,
        JOBCENTER,
        "Konzept für gemeinsame Beratung an einem Ort vorlegen",
        60,
        "on_track",
        False,
        False,
    ),
    (
        3,
        AGENCY,
        JOBCENTER,
        "Räume und Personal für die gemeinsame Beratung benennen",
        -5,
        "open",
        False,
        False,
    ),
    (
        4,
        "provider",
        CITY,
        "Zehn Plätze in Koppel-Beschäftigung einrichten",
        90,
        "on_track",
        True,
        True,
    ),
    (
        4,
        IHK,
        "provider",
        "Betriebe aus der Nordstadt für Koppel-Beschäftigung gewinnen",
        -30,
        "late",
        True,
        False,
    ),
    (
        4,
        "civic",
        CITY,
        "Sprechstunde für Arbeitsuchende im Quartier anbieten",
        120,
        "open",
        True,
        False,
    ),
    (5, CITY, "civic", "Einladung der Initiativen in die AG regeln", -60, "done", False, False),
    (6, JOBCENTER, CITY, "Plätze nach § 16i SGB II halten", 180, "on_track", True, True),
    (
        6,
        "provider",
        JOBCENTER,
        "Anschlussplanung sechs Monate vor Ende für alle Teilnehmenden",
        12,
        "open",
        True,
        True,
    ),
    (
        6,
        "union",
        JOBCENTER,
        "Betriebsräte für Übernahmen aus geförderter Beschäftigung gewinnen",
        -15,
        "on_track",
        True,
        False,
    ),
    (7, CITY, None, "Verspätete Zusagen mit Begründung veröffentlichen", 10, "open", True, False),
    (
        8,
        CITY,
        STATE,
        "Brückenbudget für auslaufende Landesförderung prüfen",
        45,
        "open",
        False,
        False,
    ),
    (
        8,
        STATE,
        CITY,
        "Weiterförderung des Programms Ausbildungswege zusagen",
        -25,
        "dropped",
        False,
        False,
    ),
)

# The session (index into SESSIONS) of each decision, in DECISIONS' flat order.
DECISION_SESSION: tuple[int, ...] = tuple(
    s for s, decisions in enumerate(DECISIONS) for _d in decisions
)
