"""The kinds of offer of the demo city: their place in a pathway and share of offers,
their titles, descriptions and rules, the occupations a title qualifies for, who funds
each kind and what a place costs; and how providers are named. Pure data, no Django."""

from __future__ import annotations

# Offer kinds, their place in a pathway and how they are named. Levels: 0 entry,
# 1 preparation/qualification, 2 close to a destination.
OFFER_KINDS: tuple[str, ...] = (
    "counselling",
    "orientation",
    "low_threshold",
    "vocational_preparation",
    "qualification",
    "further_training",
    "apprenticeship",
    "subsidised_employment",
    "coupled_employment",
    "job_placement",
)
KIND = {kind: index for index, kind in enumerate(OFFER_KINDS)}
KIND_LEVEL: tuple[int, ...] = (0, 0, 0, 1, 1, 2, 2, 2, 2, 2)
# Share of each kind among offers (the issue's ~300 offers of all kinds).
KIND_WEIGHTS: tuple[float, ...] = (11, 8, 19, 9, 14, 10, 6, 9, 5, 9)

OFFER_TITLES: dict[str, tuple[str, ...]] = {
    "counselling": (
        "Beratungsstelle Arbeit {place}",
        "Jugendberufsagentur-Sprechstunde {place}",
        "Schuldner- und Sozialberatung {place}",
        "Beratung für Alleinerziehende {place}",
        "Anerkennungsberatung ausländischer Abschlüsse",
        "Bewerbungscafé {place}",
        "Erwerbslosenberatung {place}",
    ),
    "orientation": (
        "Berufsorientierung kompakt {place}",
        "Perspektivwerkstatt {place}",
        "Kompetenzfeststellung {place}",
        "Orientierungskurs Frauen und Beruf",
        "Talentwerkstatt {place}",
        "Neustart 25plus {place}",
    ),
    "low_threshold": (
        "Werkstatt-Café {place}",
        "Stadtteilwerkstatt {place}",
        "Fahrradwerkstatt {place}",
        "Tagesstruktur-Projekt {place}",
        "Gartenprojekt {place}",
        "Jugendwerkstatt {place}",
        "Nähstube {place}",
        "Sozialkaufhaus {place}",
        "Offener Treff Arbeit {place}",
    ),
    "vocational_preparation": (
        "Berufsvorbereitende Bildungsmaßnahme {place}",
        "Einstiegsqualifizierung Handwerk",
        "Ausbildungsvorbereitung {place}",
        "Produktionsschule {place}",
    ),
    "qualification": (
        "Qualifizierung Lager und Logistik",
        "Qualifizierung Pflegehilfe",
        "Berufsbezogener Deutschkurs B1/B2 {place}",
        "Qualifizierung Gastronomie",
        "Teilqualifizierung Verkauf",
        "Qualifizierung Reinigung und Hauswirtschaft",
        "Gabelstaplerschein und Lagerpraxis",
        "Digitale Grundbildung {place}",
    ),
    "further_training": (
        "Umschulung Kaufleute für Büromanagement",
        "Umschulung Fachkraft für Lagerlogistik",
        "Weiterbildung Pflegefachassistenz",
        "Umschulung Fachinformatik",
        "Berufskraftfahrer-Qualifizierung",
        "Umschulung Elektroniker/in",
    ),
    "apprenticeship": (
        "Außerbetriebliche Ausbildung Maler/in und Lackierer/in",
        "Außerbetriebliche Ausbildung Koch/Köchin",
        "Außerbetriebliche Ausbildung Verkäufer/in",
        "Ausbildung Fachpraktiker/in Hauswirtschaft",
        "Assistierte Ausbildung {place}",
        "Teilzeitausbildung für Alleinerziehende",
    ),
    "subsidised_employment": (
        "Teilhabe am Arbeitsmarkt: Quartiershausmeister {place}",
        "Teilhabe am Arbeitsmarkt: Stadtteilservice {place}",
        "Eingliederung von Langzeitarbeitslosen: Grünpflege {place}",
        "Sozialer Arbeitsmarkt: Mobilitätshilfe {place}",
        "Sozialer Arbeitsmarkt: Kantine {place}",
    ),
    "coupled_employment": (
        "Koppel-Beschäftigung Logistik und Qualifizierung",
        "Arbeiten und Lernen: Pflegehilfe",
        "Job plus Sprachkurs {place}",
        "Koppel-Beschäftigung Gastronomie",
    ),
    "job_placement": (
        "Jobcoaching {place}",
        "Vermittlung 50plus",
        "Aktivierungshilfe Arbeit {place}",
        "Jobbrücke {place}",
        "Vermittlungscoaching für Geflüchtete",
    ),
}

# The occupations (KldB codes of OCCUPATIONS) an offer with this title template may
# qualify for; the demo draws one or two of them per offer (``landscape.offer_occupations``).
# Titles that name no occupation (a language course, digital basics) qualify for none;
# the generic apprenticeship titles draw from the skilled occupations such schemes train.
OFFER_OCCUPATIONS: dict[str, tuple[str, ...]] = {
    "Qualifizierung Lager und Logistik": ("51311", "51312", "51321"),
    "Qualifizierung Pflegehilfe": ("81301", "82101"),
    "Qualifizierung Gastronomie": ("29301", "63301", "63302"),
    "Teilqualifizierung Verkauf": ("62101", "62102", "62112"),
    "Qualifizierung Reinigung und Hauswirtschaft": ("54101", "83212"),
    "Gabelstaplerschein und Lagerpraxis": ("51311",),
    "Umschulung Kaufleute für Büromanagement": ("71402",),
    "Umschulung Fachkraft für Lagerlogistik": ("51312",),
    "Weiterbildung Pflegefachassistenz": ("81301", "82101"),
    "Umschulung Fachinformatik": ("43412", "43312"),
    "Berufskraftfahrer-Qualifizierung": ("52122", "52132"),
    "Umschulung Elektroniker/in": ("26212",),
    "Außerbetriebliche Ausbildung Maler/in und Lackierer/in": ("33212",),
    "Außerbetriebliche Ausbildung Koch/Köchin": ("29302",),
    "Außerbetriebliche Ausbildung Verkäufer/in": ("62102",),
    "Ausbildung Fachpraktiker/in Hauswirtschaft": ("83212",),
    "Assistierte Ausbildung {place}": (
        "81102", "81112", "83112", "62102", "71402", "29302", "25212", "34212", "26212", "33212",
    ),
    "Teilzeitausbildung für Alleinerziehende": ("81102", "81112", "83112", "71402", "62102"),
    "Teilhabe am Arbeitsmarkt: Quartiershausmeister {place}": ("54101", "12101"),
    "Teilhabe am Arbeitsmarkt: Stadtteilservice {place}": ("54101", "83212"),
    "Eingliederung von Langzeitarbeitslosen: Grünpflege {place}": ("12101",),
    "Sozialer Arbeitsmarkt: Kantine {place}": ("29301", "63301"),
    "Koppel-Beschäftigung Logistik und Qualifizierung": ("51311", "51312"),
    "Arbeiten und Lernen: Pflegehilfe": ("81301", "82101"),
    "Koppel-Beschäftigung Gastronomie": ("29301", "63301"),
}  # fmt: skip
OCCUPATION_KINDS: tuple[str, ...] = (
    "qualification",
    "further_training",
    "apprenticeship",
    "subsidised_employment",
    "coupled_employment",
)

OFFER_DESCRIPTIONS: dict[str, str] = {
    "counselling": "Offene Beratung zu Arbeit, Ausbildung und Existenzsicherung; "
    "vertraulich und ohne Termin.",
    "orientation": "Gemeinsam Interessen und Stärken klären und einen nächsten Schritt planen.",
    "low_threshold": "Niedrigschwelliger Einstieg ohne Voraussetzungen: mitarbeiten, "
    "Tagesstruktur finden, Kontakte knüpfen.",
    "vocational_preparation": "Vorbereitung auf eine Ausbildung mit Praxisphasen in Betrieben.",
    "qualification": "Berufsbezogene Qualifizierung mit Zertifikat und Betriebspraktikum.",
    "further_training": "Abschlussorientierte Weiterbildung, förderbar mit Bildungsgutschein.",
    "apprenticeship": "Anerkannte Berufsausbildung mit sozialpädagogischer Begleitung.",
    "subsidised_employment": "Sozialversicherungspflichtige, öffentlich geförderte "
    "Beschäftigung mit Coaching.",
    "coupled_employment": "Beschäftigung gekoppelt mit Qualifizierung: arbeiten und lernen "
    "zugleich.",
    "job_placement": "Individuelle Begleitung bei der Stellensuche bis in die ersten Monate "
    "im Betrieb.",
}

OFFER_RULES: dict[str, str] = {
    "counselling": "Ohne Anmeldung.",
    "orientation": "Anmeldung über die Fallberatung oder direkt beim Träger.",
    "low_threshold": "Ohne Voraussetzungen; Einstieg jederzeit möglich.",
    "vocational_preparation": "Zuweisung durch die Agentur für Arbeit oder das Jobcenter.",
    "qualification": "Zuweisung durch das Jobcenter; Deutschkenntnisse ab A2.",
    "further_training": "Bildungsgutschein erforderlich.",
    "apprenticeship": "Bewerbung über die Berufsberatung.",
    "subsidised_employment": "Mindestens sechs Jahre Leistungsbezug in den letzten sieben "
    "Jahren (§ 16i SGB II) oder zwei Jahre Arbeitslosigkeit (§ 16e SGB II).",
    "coupled_employment": "Zuweisung durch das Jobcenter.",
    "job_placement": "Aktivierungs- und Vermittlungsgutschein oder Zuweisung.",
}

# Who pays for which kind of offer, as weights over funders.
FUNDERS: tuple[str, ...] = ("federal_agency", "jobcenter", "state", "city", "esf", "foundation")
FUNDING_BY_KIND: dict[str, dict[str, float]] = {
    "counselling": {"city": 5, "state": 3, "esf": 2, "foundation": 1},
    "orientation": {"jobcenter": 3, "state": 3, "esf": 2, "city": 1},
    "low_threshold": {"city": 5, "esf": 3, "foundation": 2, "jobcenter": 1},
    "vocational_preparation": {"federal_agency": 5, "state": 2},
    "qualification": {"jobcenter": 4, "state": 3, "esf": 3},
    "further_training": {"federal_agency": 4, "jobcenter": 4},
    "apprenticeship": {"federal_agency": 3, "jobcenter": 2, "state": 2},
    "subsidised_employment": {"jobcenter": 6, "city": 3},
    "coupled_employment": {"jobcenter": 4, "city": 2, "esf": 2},
    "job_placement": {"jobcenter": 4, "federal_agency": 3},
}
# Euro per place and year, roughly what such offers cost.
COST_PER_PLACE: dict[str, int] = {
    "counselling": 900,
    "orientation": 2400,
    "low_threshold": 3600,
    "vocational_preparation": 9000,
    "qualification": 6500,
    "further_training": 11000,
    "apprenticeship": 14000,
    "subsidised_employment": 26000,
    "coupled_employment": 18000,
    "job_placement": 3000,
}

PROVIDER_PATTERNS: tuple[str, ...] = (
    "Bildungswerk {place} e.V.",
    "Werkhof {place} gGmbH",
    "Jugendhilfe {place} e.V.",
    "Arbeit und Lernen {place} gGmbH",
    "Quartierswerk {place}",
    "Neue Arbeit {place} gGmbH",
    "Berufsbildungszentrum {place}",
    "Frauenwerk {place} e.V.",
    "Integrationsdienst {place}",
    "Lernwerkstatt {place} e.V.",
    "Sozialbetriebe {place} gGmbH",
    "Stadtteilagentur {place}",
)
PROVIDER_WZ: tuple[str, ...] = ("85.59", "88.99", "85.32", "78.10")
