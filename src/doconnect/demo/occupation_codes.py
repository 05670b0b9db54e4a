"""The occupations of the demo city: real KldB 2010 five-digit codes with their titles,
and each code's position in that list. Pure data, no Django."""

from __future__ import annotations

from typing import NamedTuple


# KldB 2010 five-digit codes (Berufsgattungen), checked against the BA's systematic
# register; the fifth digit is the requirement level (1 helper … 4 expert).
class Occupation(NamedTuple):
    kldb: str
    title: str


OCCUPATIONS: tuple[Occupation, ...] = (
    Occupation("29301", "Küchenhilfe / Beikoch"),
    Occupation("29302", "Koch/Köchin"),
    Occupation("29222", "Bäcker/in"),
    Occupation("29232", "Fleischer/in"),
    Occupation("63301", "Servicekraft Gastronomie"),
    Occupation("63302", "Fachkraft für Gastronomie"),
    Occupation("63221", "Hotelhilfe / Zimmerservice"),
    Occupation("62101", "Verkaufshilfe Einzelhandel"),
    Occupation("62102", "Verkäufer/in"),
    Occupation("62112", "Kassierer/in"),
    Occupation("62302", "Fachverkäufer/in Lebensmittel"),
    Occupation("51311", "Lagerhelfer/in"),
    Occupation("51312", "Fachkraft für Lagerlogistik"),
    Occupation("51321", "Zusteller/in Paketdienst"),
    Occupation("52122", "Berufskraftfahrer/in (Lkw)"),
    Occupation("52132", "Bus- und Straßenbahnfahrer/in"),
    Occupation("53111", "Sicherheitsmitarbeiter/in"),
    Occupation("53112", "Fachkraft für Schutz und Sicherheit"),
    Occupation("54101", "Reinigungskraft"),
    Occupation("54112", "Gebäudereiniger/in"),
    Occupation("32101", "Bauhelfer/in"),
    Occupation("32122", "Maurer/in"),
    Occupation("33211", "Malerhelfer/in"),
    Occupation("33212", "Maler/in und Lackierer/in"),
    Occupation("34212", "Anlagenmechaniker/in SHK"),
    Occupation("26212", "Elektroniker/in Energie- und Gebäudetechnik"),
    Occupation("26112", "Mechatroniker/in"),
    Occupation("25212", "Kfz-Mechatroniker/in"),
    Occupation("24422", "Schweißer/in"),
    Occupation("24412", "Metallbauer/in"),
    Occupation("25102", "Industriemechaniker/in"),
    Occupation("22342", "Tischler/in"),
    Occupation("12101", "Helfer/in Garten- und Landschaftsbau"),
    Occupation("12142", "Gärtner/in Garten- und Landschaftsbau"),
    Occupation("71401", "Bürohilfskraft"),
    Occupation("71402", "Kaufmann/-frau für Büromanagement"),
    Occupation("72212", "Buchhalter/in"),
    Occupation("73202", "Verwaltungsfachangestellte/r"),
    Occupation("81301", "Pflegehelfer/in"),
    Occupation("81302", "Pflegefachmann/-frau"),
    Occupation("82101", "Altenpflegehelfer/in"),
    Occupation("82102", "Altenpfleger/in"),
    Occupation("81102", "Medizinische/r Fachangestellte/r"),
    Occupation("81112", "Zahnmedizinische/r Fachangestellte/r"),
    Occupation("83111", "Betreuungskraft Kita"),
    Occupation("83112", "Erzieher/in"),
    Occupation("82312", "Friseur/in"),
    Occupation("43412", "Fachinformatiker/in Anwendungsentwicklung"),
    Occupation("43312", "Fachinformatiker/in Systemintegration"),
    Occupation("92122", "Kaufmann/-frau für Dialogmarketing"),
    Occupation("83212", "Hauswirtschafter/in"),
)
KLDB_INDEX = {occupation.kldb: index for index, occupation in enumerate(OCCUPATIONS)}
