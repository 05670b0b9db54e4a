"""The demo city's places: Dortmund's twelve Stadtbezirke with their official keys,
postcodes, quarters and the share of the platform's clientele living there, and the
street names of synthetic addresses. Pure data, no Django."""

from __future__ import annotations

from typing import NamedTuple

# Amtlicher Gemeindeschlüssel of the city of Dortmund.
AGS_DORTMUND = "05913000"


class DistrictInfo(NamedTuple):
    name: str
    number: str  # the city's three-digit Stadtbezirk number
    slug: str
    postcodes: tuple[str, ...]
    # Relative share of the platform's clientele living here; the northern inner city
    # and the north-east carry far more unemployment than the southern districts.
    weight: float
    quarters: tuple[str, ...]


# The twelve Stadtbezirke in the city's official order. The official key is the AGS
# followed by the three-digit Stadtbezirk number 010..120 (Innenstadt-West = 010 …
# Mengede = 120): unique, stable and sortable in the official order. If the city's
# statistics office publishes another key, only this table changes.
DISTRICTS: tuple[DistrictInfo, ...] = (
    DistrictInfo(
        "Innenstadt-West",
        "010",
        "innenstadt-west",
        ("44135", "44137", "44139"),
        8.0,
        ("City", "Westfalenhalle", "Dorstfeld", "Kreuzviertel"),
    ),
    DistrictInfo(
        "Innenstadt-Nord",
        "020",
        "innenstadt-nord",
        ("44145", "44147"),
        17.0,
        ("Hafen", "Nordmarkt", "Borsigplatz"),
    ),
    DistrictInfo(
        "Innenstadt-Ost",
        "030",
        "innenstadt-ost",
        ("44141", "44143"),
        6.5,
        ("Körne", "Kaiserbrunnen", "Westfalendamm"),
    ),
    DistrictInfo(
        "Eving",
        "040",
        "eving",
        ("44339",),
        9.0,
        ("Eving", "Lindenhorst", "Brechten", "Holthausen"),
    ),
    DistrictInfo(
        "Scharnhorst",
        "050",
        "scharnhorst",
        ("44328", "44329"),
        10.0,
        ("Scharnhorst-Ost", "Derne", "Husen", "Grevel"),
    ),
    DistrictInfo(
        "Brackel",
        "060",
        "brackel",
        ("44309",),
        6.5,
        ("Brackel", "Asseln", "Wambel", "Wickede"),
    ),
    DistrictInfo(
        "Aplerbeck",
        "070",
        "aplerbeck",
        ("44287", "44289"),
        4.5,
        ("Aplerbeck", "Berghofen", "Schüren", "Sölde"),
    ),
    DistrictInfo(
        "Hörde",
        "080",
        "hoerde",
        ("44263", "44265", "44269"),
        7.5,
        ("Hörde", "Benninghofen", "Wellinghofen", "Syburg"),
    ),
    DistrictInfo(
        "Hombruch",
        "090",
        "hombruch",
        ("44225", "44227", "44229"),
        4.5,
        ("Hombruch", "Barop", "Kirchhörde", "Eichlinghofen"),
    ),
    DistrictInfo(
        "Lütgendortmund",
        "100",
        "luetgendortmund",
        ("44388",),
        7.0,
        ("Lütgendortmund", "Marten", "Bövinghausen", "Kley"),
    ),
    DistrictInfo(
        "Huckarde",
        "110",
        "huckarde",
        ("44369",),
        7.0,
        ("Huckarde", "Deusen", "Kirchlinde", "Jungferntal"),
    ),
    DistrictInfo(
        "Mengede",
        "120",
        "mengede",
        ("44357", "44359"),
        6.0,
        ("Mengede", "Westerfilde", "Nette", "Bodelschwingh"),
    ),
)


STREETS: tuple[str, ...] = (
    "Hauptstraße",
    "Bahnhofstraße",
    "Schulstraße",
    "Kirchstraße",
    "Gartenstraße",
    "Lindenstraße",
    "Bergstraße",
    "Waldstraße",
    "Ringstraße",
    "Mühlenweg",
    "Am Markt",
    "Parkstraße",
    "Feldstraße",
    "Wiesenweg",
    "Rosenweg",
    "Birkenweg",
    "Ahornweg",
    "Buchenweg",
    "Goethestraße",
    "Schillerstraße",
    "Mozartstraße",
    "Kantstraße",
    "Lessingstraße",
    "Zechenstraße",
    "Hüttenweg",
    "Kolonie am Schacht",
    "Bergmannstraße",
    "Am Hafenbecken",
    "Emscherweg",
    "Westfalenstraße",
)
