"""The sectors of the demo city's employers (WZ 2008), with their share of employers,
how their names are built and the occupations (KldB codes) they hire. Pure data, no
Django."""

from __future__ import annotations

from typing import NamedTuple


class Sector(NamedTuple):
    wz: str  # WZ 2008 class
    label: str
    weight: float  # share of employers
    name_patterns: tuple[str, ...]  # {family}, {place}, {given}
    occupations: tuple[str, ...]  # KldB codes this sector hires, most frequent first


SECTORS: tuple[Sector, ...] = (
    Sector(
        "56.10",
        "Gastronomie",
        10,
        ("Restaurant {family}", "Gasthaus am {place}", "Bistro {place}", "{family}s Küche"),
        ("29301", "63301", "29302", "63302"),
    ),
    Sector(
        "55.10",
        "Hotellerie",
        3,
        ("Hotel am {place}", "Stadthotel {place}"),
        ("63221", "63301", "29302", "63302"),
    ),
    Sector(
        "47.11",
        "Lebensmitteleinzelhandel",
        10,
        ("{family} Frischemarkt", "Nahversorger {place}", "Markthalle {place}"),
        ("62101", "62102", "62112", "62302"),
    ),
    Sector(
        "52.10",
        "Lagerei und Logistik",
        10,
        ("{family} Logistik GmbH", "Logistikzentrum {place} GmbH", "Westfalen Lager {family}"),
        ("51311", "51312", "52122", "51321"),
    ),
    Sector(
        "53.20",
        "Kurier- und Paketdienste",
        3,
        ("{place} Kurierdienst GmbH", "Paketservice {family}"),
        ("51321", "52122", "51311"),
    ),
    Sector(
        "87.10",
        "Pflegeheime",
        8,
        ("Seniorenzentrum {place}", "Haus {family} Pflege gGmbH"),
        ("82101", "82102", "81301", "81302", "83212"),
    ),
    Sector(
        "88.10",
        "Ambulante Pflege",
        5,
        ("Pflegedienst {family}", "Ambulante Pflege {place}"),
        ("82101", "82102", "81302"),
    ),
    Sector(
        "86.21",
        "Arztpraxen",
        4,
        ("Praxis Dr. {family}", "Gemeinschaftspraxis {place}"),
        ("81102", "81112", "71402"),
    ),
    Sector(
        "81.21",
        "Gebäudereinigung",
        7,
        ("{family} Gebäudeservice GmbH", "Glanz & Sauber {place} GmbH"),
        ("54101", "54112"),
    ),
    Sector(
        "80.10",
        "Sicherheitsdienste",
        3,
        ("{place} Sicherheitsdienst GmbH", "Objektschutz {family}"),
        ("53111", "53112"),
    ),
    Sector(
        "41.20",
        "Hochbau",
        4,
        ("{family} Bau GmbH & Co. KG", "Bauunternehmung {family}"),
        ("32101", "32122", "24412"),
    ),
    Sector(
        "43.21",
        "Elektroinstallation",
        4,
        ("Elektro {family} GmbH", "{family} Elektrotechnik"),
        ("26212", "26112"),
    ),
    Sector(
        "43.22",
        "Sanitär, Heizung, Klima",
        4,
        ("{family} Haustechnik", "Heizung & Sanitär {family}"),
        ("34212",),
    ),
    Sector(
        "43.34",
        "Maler- und Lackiererhandwerk",
        3,
        ("Malerbetrieb {family}", "Farbe & Raum {place}"),
        ("33212", "33211"),
    ),
    Sector(
        "45.20",
        "Kfz-Werkstätten",
        4,
        ("Kfz-Werkstatt {family}", "Autohaus {family}"),
        ("25212", "62102"),
    ),
    Sector(
        "25.11",
        "Metallbau",
        4,
        ("{family} Metallbau GmbH", "Stahlbau {place} GmbH"),
        ("24412", "24422", "25102", "26112"),
    ),
    Sector(
        "10.71",
        "Bäckereien",
        3,
        ("Bäckerei {family}", "Backstube {place}"),
        ("29222", "62302", "62101"),
    ),
    Sector(
        "62.01",
        "Softwareentwicklung",
        3,
        ("{family} IT-Services GmbH", "Hafen Digital {place} GmbH"),
        ("43412", "43312", "71402"),
    ),
    Sector("69.20", "Steuerberatung", 2, ("Steuerkanzlei {family}",), ("72212", "71402", "71401")),
    Sector("82.20", "Call-Center", 2, ("Dialogservice {place} GmbH",), ("92122", "71401")),
    Sector("96.02", "Friseursalons", 2, ("Salon {given}", "Haarwerk {place}"), ("82312",)),
    Sector(
        "88.91",
        "Kindertagesbetreuung",
        3,
        ("Kita {place}", "Familienzentrum {place}"),
        ("83112", "83111", "83212"),
    ),
    Sector(
        "81.30",
        "Garten- und Landschaftsbau",
        2,
        ("{family} Garten- und Landschaftsbau",),
        ("12101", "12142"),
    ),
    Sector("84.11", "Öffentliche Verwaltung", 1, ("Zweckverband {place}",), ("73202", "71402")),
    Sector(
        "78.20",
        "Arbeitnehmerüberlassung",
        3,
        ("{family} Personaldienste GmbH",),
        ("51311", "54101", "32101", "24422", "71401"),
    ),
    Sector("16.23", "Tischlerei", 2, ("Tischlerei {family}",), ("22342",)),
)
