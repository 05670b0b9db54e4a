"""Who takes part in the demo city's labour-policy conference: the public bodies' ids,
the union and civic initiatives the demo adds, every kind of actor's policy fields and
description, the programmes of the city, the Jobcenter, the Agentur and the Land, and
the working groups. Pure data, no Django."""

from __future__ import annotations

# The fixed public bodies' ids (organisation_tables.PUBLIC_BODIES order).
CITY, JOBCENTER, AGENCY, STATE = 1, 2, 3, 4
HWK, IHK = 6, 7
COLLEGES = (8, 9, 10, 11, 12, 13)

# Organisations the conference needs and the demo lacks: (external id, name, kind,
# district number 1-12 or None).
EXTRA_ORGANISATIONS: tuple[tuple[str, str, str, int | None], ...] = (
    ("dgb-dortmund", "DGB Dortmund-Hellweg", "union", 1),
    ("ini-nordstadt", "Stadtteilinitiative Nordstadt e. V.", "civic", 2),
    ("alz-dortmund", "Arbeitslosenzentrum Dortmund e. V.", "civic", 3),
    ("mig-netz", "Netzwerk Migrantinnenorganisationen Dortmund", "civic", 2),
    ("buergerstiftung", "Bürgerstiftung Dortmund", "civic", 1),
)

POLICY_BY_KIND = {
    "city": ["education_employment", "urban_development_employment", "economy", "social"],
    "jobcenter": ["social", "education_employment", "integration"],
    "federal_agency": ["education_employment", "economy"],
    "state": ["education_employment", "economy", "urban_development_employment"],
    "provider": ["education_employment", "social"],
    "vocational_college": ["education_employment", "youth"],
    "chamber": ["economy", "education_employment"],
    "union": ["economy", "social", "gender_equality"],
    "civic": ["urban_development_employment", "social", "integration"],
}
DESCRIPTIONS = {
    "city": "Lädt zur Arbeitspolitikkonferenz ein und verhandelt auf Augenhöhe mit "
    "Jobcenter, Agentur für Arbeit und Land.",
    "jobcenter": "Grundsicherung für Arbeitsuchende (SGB II): Beratung, Vermittlung, Förderung.",
    "federal_agency": "Arbeitsförderung (SGB III), Berufsberatung, Weiterbildung.",
    "state": "Landesprogramme für Ausbildung, Übergänge und Arbeit, ESF-Mittel.",
    "provider": "Bildungs- und Beschäftigungsträger.",
    "vocational_college": "Berufskolleg: Ausbildungsvorbereitung, vollzeitschulische "
    "Bildungsgänge, Berufsschule.",
    "chamber": "Kammer: Ausbildungsberatung, Prüfungen, Kontakte zu den Betrieben.",
    "union": "Gewerkschaftsbund: gute Arbeit, Tarifbindung, Mitbestimmung.",
    "civic": "Zivilgesellschaftliche Initiative im Stadtteil.",
}

# Programmes: (actor, funder, title, target group codes, offer kinds, budget per
# year, places, district numbers). Codes as in clients.py and
# offer_kinds.py.
PROGRAMMES: tuple[
    tuple[int, int, str, tuple[str, ...], tuple[str, ...], int, int, tuple[int, ...]], ...
] = (
    (
        CITY,
        CITY,
        "Dortmunder Arbeitsmarktprogramm: Koppel-Beschäftigung",
        ("long_term_unemployed",),
        ("coupled_employment", "subsidised_employment"),
        2_400_000,
        180,
        (),
    ),
    (
        CITY,
        CITY,
        "Jugendberufshilfe im Quartier",
        ("youth_difficult_start", "school_leavers_without_qualification"),
        ("counselling", "low_threshold"),
        950_000,
        320,
        (2, 3),
    ),
    (
        CITY,
        STATE,
        "Kommunale Koordinierung Kein Abschluss ohne Anschluss",
        ("school_leavers_without_qualification",),
        ("orientation",),
        600_000,
        0,
        (),
    ),
    (
        JOBCENTER,
        JOBCENTER,
        "Teilhabe am Arbeitsmarkt (§ 16i SGB II)",
        ("long_term_unemployed", "over_50"),
        ("subsidised_employment",),
        6_800_000,
        420,
        (),
    ),
    (
        JOBCENTER,
        JOBCENTER,
        "Coaching für Alleinerziehende",
        ("single_parents",),
        ("counselling", "job_placement"),
        780_000,
        150,
        (),
    ),
    (
        JOBCENTER,
        JOBCENTER,
        "Berufssprachkurse und Anerkennung",
        ("refugees",),
        ("qualification",),
        1_250_000,
        260,
        (),
    ),
    (
        AGENCY,
        AGENCY,
        "Assistierte Ausbildung",
        ("youth_difficult_start",),
        ("apprenticeship", "vocational_preparation"),
        1_900_000,
        240,
        (),
    ),
    (
        AGENCY,
        AGENCY,
        "Weiterbildung mit Bildungsgutschein",
        ("long_term_unemployed", "returners", "over_50"),
        ("further_training",),
        3_600_000,
        500,
        (),
    ),
    (
        STATE,
        STATE,
        "Landesprogramm Ausbildungswege NRW",
        ("youth_difficult_start", "refugees"),
        ("apprenticeship",),
        1_100_000,
        120,
        (),
    ),
    (
        STATE,
        STATE,
        "Beratung zur beruflichen Entwicklung",
        ("returners", "single_parents"),
        ("counselling",),
        420_000,
        0,
        (),
    ),
)

WORKING_GROUPS: tuple[tuple[str, str, int], ...] = (
    ("AG Übergang Schule – Beruf", "education_employment", CITY),
    ("AG Nordstadt: Stadtentwicklung und Beschäftigung", "urban_development_employment", CITY),
    ("AG Langzeitarbeitslosigkeit", "social", JOBCENTER),
)
