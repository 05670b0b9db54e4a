"""Search responses of the BA Jobsuche, in both shapes seen in the wild, read into plain
dataclasses. Pure (no Django); ``employers.services.vacancies_import`` writes them.

- v4 (documented): ``{"stellenangebote": [{"refnr", "beruf", "titel"?, "arbeitgeber",
  "arbeitsort": {"plz", "ort", "region", "koordinaten": {"lat", "lon"}}, "eintrittsdatum",
  "aktuelleVeroeffentlichungsdatum", "modifikationsTimestamp"}], "maxErgebnisse",
  "page", "size"}``
- v6 (current): ``{"ergebnisliste": [{"referenznummer", "stellenangebotsTitel",
  "hauptberuf", "firma", "stellenlokationen": [{"adresse": {"plz", "ort", "region",
  "land"}, "koordinaten": {"breite", "laenge"}}], "eintrittszeitraum": {"von"},
  "datumErsteVeroeffentlichung", "aenderungsdatum"}], "maxErgebnisse", "page", "size"}``

Fields not listed are ignored (the API adds some now and then); a listed field of the
wrong type is a problem. Neither shape carries a KldB code in the search response.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from doconnect.files.importing import ImportFailed, ImportProblem
from doconnect.files.jsonfile import Node, Problems, json_type, read_json, shown
from doconnect.labourmarket.employers.ba import Fields

V4, V6 = "v4", "v6"
_LIST_KEY = {V4: "stellenangebote", V6: "ergebnisliste"}
_REFERENCE_MAX = 60  # Vacancy.reference
_PLACE_MAX = 120  # Vacancy.place
_TEXT_MAX = 300  # Vacancy.title, .employer


@dataclass(frozen=True)
class Location:
    postcode: str  # five digits or ""
    place: str
    region: str = ""
    point: tuple[float, float] | None = None  # (longitude, latitude), WGS 84


@dataclass(frozen=True)
class VacancyEntry:
    reference: str
    title: str
    employer: str
    occupation: str  # the BA's occupation name (beruf / hauptberuf), not a code
    locations: tuple[Location, ...]
    published_on: dt.date | None
    entry_on: dt.date | None
    modified: str  # the source's change timestamp as written, "" if none
    line: int
    path: str


@dataclass(frozen=True)
class JobsucheResponse:
    file: str
    shape: str  # "v4" or "v6"
    vacancies: tuple[VacancyEntry, ...]
    reported_total: int | None = None


def _location_v4(fields: Fields) -> tuple[Location, ...]:
    place = fields.obj("arbeitsort")
    if place is None:
        return ()
    return (
        Location(
            postcode=place.postcode("plz"),
            place=place.text("ort", max_length=_PLACE_MAX),
            region=place.text("region", max_length=_PLACE_MAX),
            point=place.coordinates("koordinaten"),
        ),
    )


def _locations_v6(fields: Fields) -> tuple[Location, ...]:
    found = []
    for item in fields.objects("stellenlokationen"):
        address = item.obj("adresse", required=True)
        if address is None:
            continue
        found.append(
            Location(
                postcode=address.postcode("plz"),
                place=address.text("ort", max_length=_PLACE_MAX),
                region=address.text("region", max_length=_PLACE_MAX),
                # v6 puts the coordinates beside the address, in German.
                point=item.coordinates("koordinaten", lat="breite", lon="laenge"),
            )
        )
    return tuple(found)


def _read_v4(fields: Fields) -> VacancyEntry:
    reference = fields.text("refnr", required=True, max_length=_REFERENCE_MAX)
    occupation = fields.text("beruf", max_length=_TEXT_MAX)
    title = fields.text("titel", max_length=_TEXT_MAX) or occupation
    if not fields.has("titel") and not fields.has("beruf"):
        fields.problem("beruf", "is missing (neither titel nor beruf gives the vacancy a title)")
    return VacancyEntry(
        reference=reference,
        title=title,
        employer=fields.text("arbeitgeber", max_length=_TEXT_MAX),
        occupation=occupation,
        locations=_location_v4(fields),
        published_on=fields.date("aktuelleVeroeffentlichungsdatum"),
        entry_on=fields.date("eintrittsdatum"),
        modified=fields.text("modifikationsTimestamp", max_length=40),
        line=fields.node.line,
        path=fields.node.path,
    )


def _read_v6(fields: Fields) -> VacancyEntry:
    reference = fields.text("referenznummer", required=True, max_length=_REFERENCE_MAX)
    occupation = fields.text("hauptberuf", max_length=_TEXT_MAX)
    title = fields.text("stellenangebotsTitel", max_length=_TEXT_MAX) or occupation
    if not fields.has("stellenangebotsTitel") and not fields.has("hauptberuf"):
        fields.problem(
            "stellenangebotsTitel",
            "is missing (neither stellenangebotsTitel nor hauptberuf gives a title)",
        )
    entry_period = fields.obj("eintrittszeitraum")
    return VacancyEntry(
        reference=reference,
        title=title,
        employer=fields.text("firma", max_length=_TEXT_MAX),
        occupation=occupation,
        locations=_locations_v6(fields),
        published_on=fields.date("datumErsteVeroeffentlichung"),
        entry_on=entry_period.date("von") if entry_period is not None else None,
        modified=fields.text("aenderungsdatum", max_length=40),
        line=fields.node.line,
        path=fields.node.path,
    )


def _shape(root: Node, problems: Problems) -> str | None:
    if not isinstance(root.value, dict):
        problems.add(
            root.line,
            "",
            "a Jobsuche response must be a JSON object with stellenangebote (v4) or "
            f"ergebnisliste (v6), found {json_type(root.value)}",
        )
        return None
    present = [shape for shape, key in _LIST_KEY.items() if key in root.members]
    if len(present) == 1:
        return present[0]
    if not present:
        problems.add(
            root.line,
            "",
            "neither stellenangebote (v4) nor ergebnisliste (v6) found; is this a Jobsuche "
            f"search response? (top-level keys: {', '.join(sorted(root.members)) or 'none'})",
        )
    else:
        problems.add(
            root.line, "", "both stellenangebote (v4) and ergebnisliste (v6); use one shape"
        )
    return None


def read_jobsuche(data: bytes, *, file: str, allow_empty: bool = False) -> JobsucheResponse:
    """Read and check one saved search response. Raises ImportFailed with every problem
    (file, line, JSON path, what is wrong); an empty result list is one, unless
    ``allow_empty`` (a live search may rightly find nothing)."""
    root = read_json(data, file=file)
    problems = Problems(file)
    shape = _shape(root, problems)
    if shape is None:
        problems.raise_if_any()
        raise AssertionError("unreachable")
    top = Fields(root, problems)
    key = _LIST_KEY[shape]
    list_node = root.members[key]
    if not isinstance(list_node.value, list):
        problems.add(
            list_node.line,
            key,
            f"expected an array of vacancies, found {json_type(list_node.value)}",
        )
        problems.raise_if_any()
    if not list_node.items and not allow_empty:
        problems.add(list_node.line, key, "is empty: the file holds no vacancies to import")
    reported_total = top.integer("maxErgebnisse")
    read = _read_v4 if shape == V4 else _read_v6
    entries: list[VacancyEntry] = []
    first_line: dict[str, int] = {}
    for fields in top.objects(key):
        entry = read(fields)
        if entry.reference in first_line:
            fields.problem(
                "refnr" if shape == V4 else "referenznummer",
                f"reference {shown(entry.reference)} given twice "
                f"(first at line {first_line[entry.reference]})",
            )
        elif entry.reference:
            first_line[entry.reference] = entry.line
        entries.append(entry)
    problems.raise_if_any()
    return JobsucheResponse(
        file=file, shape=shape, vacancies=tuple(entries), reported_total=reported_total
    )


def combine(responses: list[JobsucheResponse], *, file: str) -> JobsucheResponse:
    """Several pages of one search as one response; a reference on two pages (the result
    list moved while paging) counts once, the later page winning."""
    if not responses:
        return JobsucheResponse(file=file, shape=V4, vacancies=())
    by_reference: dict[str, VacancyEntry] = {}
    for response in responses:
        for entry in response.vacancies:
            by_reference.pop(entry.reference, None)
            by_reference[entry.reference] = entry
    shapes = {r.shape for r in responses}
    if len(shapes) > 1:
        raise ImportFailed(
            [ImportProblem(file, 1, "", "the pages mix the v4 and v6 response shapes")]
        )
    return JobsucheResponse(
        file=file,
        shape=shapes.pop(),
        vacancies=tuple(by_reference.values()),
        reported_total=responses[0].reported_total,
    )
