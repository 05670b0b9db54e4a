"""The offer catalogue file: JSON in, plain dataclasses out, and back. Pure (no Django):
the service resolves names against the database, the selector fills the same
dataclasses from it, and both sides share one canonical dict form, so an export reads
back as the same catalogue.

Canonical form (what the export writes and what an import compares against): every
field present; a missing optional value is ``null`` (text: ``""``, lists: ``[]``);
target groups, legal branches and funding lines sorted, because their order means
nothing; follow-ons in their given order, because it does (first choice first); amounts
as numbers, integers when whole. An import treats an omitted field exactly like its
canonical empty value: the file is the truth for every offer it lists.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from doconnect.core.importing import ImportFailed, ImportProblem, decode_utf8, parse_iso_date

DESTINATION_PREFIX = "destination:"

# Django's SlugField rule; checked here so a bad id is a line in the report, not a
# database error after half the file.
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
_ID_MAX = 80
_TARGET_GROUP_MAX = 60
_NAME_MAX = 200
_TITLE_MAX = 300
_AGE_MAX = 120
_CAPACITY_MAX = 2_147_483_647  # PositiveIntegerField
_AMOUNT_LIMIT = Decimal(10) ** 12  # DecimalField(max_digits=14, decimal_places=2)

PROVIDER_FIELDS: tuple[str, ...] = ("id", "name", "district")
OFFER_FIELDS: tuple[str, ...] = (
    "id",
    "provider",
    "title",
    "kind",
    "description",
    "district",
    "capacity",
    "status",
    "target_groups",
    "min_age",
    "max_age",
    "legal_branches",
    "other_rules",
    "start",
    "end",
    "funding",
    "follow_ons",
)
FUNDING_FIELDS: tuple[str, ...] = ("funder", "amount_eur", "start", "end")
TOP_LEVEL_FIELDS: tuple[str, ...] = ("providers", "offers")


@dataclass(frozen=True)
class Vocabulary:
    """The allowed codes; the caller passes the model choices so this module stays pure."""

    kinds: Collection[str]
    statuses: Collection[str]
    funders: Collection[str]
    destinations: Collection[str]
    legal_branches: Collection[str]
    default_status: str = "active"


@dataclass(frozen=True)
class FundingEntry:
    funder: str
    amount_eur: Decimal
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class ProviderEntry:
    id: str
    name: str
    district: str | None = None
    # Where the entry stands in the file; 0 for entries read from the database.
    line: int = field(default=0, compare=False)
    index: int = field(default=0, compare=False)


@dataclass(frozen=True)
class OfferEntry:
    id: str
    provider: str
    title: str
    kind: str
    status: str
    description: str = ""
    district: str | None = None
    capacity: int | None = None
    target_groups: tuple[str, ...] = ()
    min_age: int | None = None
    max_age: int | None = None
    legal_branches: tuple[str, ...] = ()
    other_rules: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    funding: tuple[FundingEntry, ...] = ()
    follow_ons: tuple[str, ...] = ()  # offer ids and "destination:<name>", in order
    line: int = field(default=0, compare=False)
    index: int = field(default=0, compare=False)

    @property
    def follow_on_offer_ids(self) -> list[str]:
        return [f for f in self.follow_ons if not f.startswith(DESTINATION_PREFIX)]


@dataclass(frozen=True)
class Catalogue:
    """A read catalogue. A catalogue with ``problems`` must not be written. Its entries
    are still all there, each with what could be read (a bad value left empty), so the
    service can also report every name the database does not know: the user sees all
    problems of the file in one go, not one layer after the other."""

    file: str
    providers: tuple[ProviderEntry, ...] = ()
    offers: tuple[OfferEntry, ...] = ()
    problems: tuple[ImportProblem, ...] = ()

    @property
    def declared_provider_ids(self) -> frozenset[str]:
        return frozenset(p.id for p in self.providers if p.id)

    @property
    def declared_offer_ids(self) -> frozenset[str]:
        return frozenset(o.id for o in self.offers if o.id)


# --- reading -----------------------------------------------------------------------


class _JsonObject(dict[str, Any]):
    """A decoded JSON object that remembers keys given twice (json keeps the last one
    silently, which would hide a copy-and-paste mistake)."""

    duplicate_keys: tuple[str, ...] = ()


def _pairs_hook(pairs: list[tuple[str, Any]]) -> _JsonObject:
    obj = _JsonObject()
    duplicates = []
    for key, value in pairs:
        if key in obj:
            duplicates.append(key)
        obj[key] = value
    obj.duplicate_keys = tuple(duplicates)
    return obj


# Decimal, not float, so 0.1 + 0.2 style surprises never reach a funding amount. Python
# also accepts NaN and Infinity, which JSON does not have; they arrive as Decimal too and
# are refused where a number is read.
_DECODER = json.JSONDecoder(
    object_pairs_hook=_pairs_hook, parse_float=Decimal, parse_constant=Decimal
)
_WHITESPACE = re.compile(r"[ \t\n\r]*")


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, Decimal) and not value.is_finite():
        return "NaN/Infinity, which JSON does not allow"
    if isinstance(value, int | Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _as_json_number(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else str(value)


def _shown(value: object) -> str:
    """A value as it looks in the file, shortened for a one-line message."""
    text = json.dumps(value, ensure_ascii=False, default=_as_json_number)
    return text if len(text) <= 40 else text[:37] + "…"


@dataclass
class _Located:
    value: Any
    offset: int


@dataclass
class _TopLevel:
    """The top-level object's members, each with where its value (and, for arrays,
    each element) starts in the text."""

    members: dict[str, _Located] = field(default_factory=dict)
    elements: dict[str, list[_Located]] = field(default_factory=dict)
    duplicate_keys: list[tuple[str, int]] = field(default_factory=list)


def _skip(text: str, idx: int) -> int:
    match = _WHITESPACE.match(text, idx)
    return match.end() if match else idx


def _walk_top_level(text: str) -> _TopLevel | _Located:
    """Locate the top-level members of an already validated JSON text. Returns the bare
    value when the top level is not an object."""
    start = _skip(text, 0)
    if text[start] != "{":
        value, _end = _DECODER.raw_decode(text, start)
        return _Located(value, start)
    top = _TopLevel()
    idx = _skip(text, start + 1)
    while text[idx] != "}":
        key_offset = idx
        key, idx = json.decoder.scanstring(text, idx + 1)  # type: ignore[attr-defined]
        idx = _skip(text, _skip(text, idx) + 1)  # past ":"
        if key in top.members:
            top.duplicate_keys.append((key, key_offset))
        if text[idx] == "[":
            elements: list[_Located] = []
            values: list[Any] = []
            array_offset = idx
            idx = _skip(text, idx + 1)
            while text[idx] != "]":
                value, end = _DECODER.raw_decode(text, idx)
                elements.append(_Located(value, idx))
                values.append(value)
                idx = _skip(text, end)
                if text[idx] == ",":
                    idx = _skip(text, idx + 1)
            idx += 1
            top.members[key] = _Located(values, array_offset)
            top.elements[key] = elements
        else:
            value, end = _DECODER.raw_decode(text, idx)
            top.members[key] = _Located(value, idx)
            top.elements.pop(key, None)
            idx = end
        idx = _skip(text, idx)
        if text[idx] == ",":
            idx = _skip(text, idx + 1)
    return top


class _Problems:
    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.found: list[ImportProblem] = []
        self._newlines = [m.start() for m in re.finditer("\n", text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_left(self._newlines, offset) + 1

    def add(self, line: int, path: str, message: str) -> None:
        self.found.append(ImportProblem(self.file, line, path, message))


class _Fields:
    """Reads one JSON object's fields, recording a problem (with the object's line and
    the field's path) for each one that is missing, of the wrong type or out of range."""

    def __init__(self, obj: Mapping[str, Any], path: str, line: int, problems: _Problems) -> None:
        self.obj = obj
        self.path = path
        self.line = line
        self.problems = problems
        self.ok = True

    def problem(self, name: str, message: str) -> None:
        self.ok = False
        self.problems.add(self.line, f"{self.path}.{name}" if name else self.path, message)

    def check_keys(self, allowed: tuple[str, ...]) -> None:
        for key in getattr(self.obj, "duplicate_keys", ()):
            self.problem(key, "given twice in the same object")
        for key in self.obj:
            if key not in allowed:
                self.problem(key, f"unknown field; expected one of: {', '.join(allowed)}")

    def _get(self, name: str, required: bool) -> Any:
        value = self.obj.get(name)
        if value is None and required:
            self.problem(name, "is required" if name not in self.obj else "must not be null")
        return value

    def text(self, name: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self._get(name, required)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problem(name, f"expected a string, found {_json_type(value)} ({_shown(value)})")
            return ""
        if required and not value.strip():
            self.problem(name, "must not be empty")
        if max_length is not None and len(value) > max_length:
            self.problem(name, f"longer than {max_length} characters")
        return value

    def optional_text(self, name: str, *, max_length: int) -> str | None:
        return self.text(name, max_length=max_length) if self.obj.get(name) is not None else None

    def identifier(self, name: str, *, required: bool = True, max_length: int = _ID_MAX) -> str:
        value = self.text(name, required=required, max_length=max_length)
        if value and not _SLUG.fullmatch(value):
            self.problem(name, f"{_shown(value)} may contain only letters, digits, '-' and '_'")
            return ""  # reported here; not looked up again as an unknown name
        return value

    def choice(self, name: str, options: Collection[str], *, default: str | None = None) -> str:
        if default is not None and self.obj.get(name) is None:
            return default
        value = self.text(name, required=True)
        if value and value not in options:
            self.problem(
                name, f"unknown {name} {_shown(value)}; expected one of: {', '.join(options)}"
            )
        return value

    @staticmethod
    def _is_number(value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            return False
        return not isinstance(value, Decimal) or value.is_finite()

    def integer(self, name: str, *, maximum: int, what: str = "number") -> int | None:
        value = self._get(name, False)
        if value is None:
            return None
        if not self._is_number(value):
            self.problem(
                name, f"expected a whole number, found {_json_type(value)} ({_shown(value)})"
            )
            return None
        if isinstance(value, Decimal):
            if value != value.to_integral_value():
                self.problem(name, f"expected a whole number, found {value}")
                return None
            value = int(value)
        if value < 0:
            self.problem(name, f"must not be negative, found {value}")
            return None
        if value > maximum:
            self.problem(name, f"{what} {value} is larger than {maximum}")
            return None
        return value

    def amount(self, name: str) -> Decimal:
        value = self._get(name, True)
        if value is None:
            return Decimal(0)
        if not self._is_number(value):
            self.problem(name, f"expected a number, found {_json_type(value)} ({_shown(value)})")
            return Decimal(0)
        amount = Decimal(value)
        if amount < 0:
            self.problem(name, f"must not be negative, found {value}")
        elif amount >= _AMOUNT_LIMIT:
            self.problem(name, f"{value} is too large")
        elif amount != amount.quantize(Decimal("0.01")):
            self.problem(name, f"{value} has more than two decimal places (cents)")
        return amount

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        value = self._get(name, required)
        if value is None:
            return None
        parsed = parse_iso_date(value) if isinstance(value, str) else None
        if parsed is None:
            self.problem(name, f"expected a date as YYYY-MM-DD, found {_shown(value)}")
        return parsed

    def period(self, *, required: bool = False) -> tuple[dt.date | None, dt.date | None]:
        start, end = self.date("start", required=required), self.date("end", required=required)
        if start is not None and end is not None and end < start:
            self.problem("end", f"{end} is before start {start}")
        return start, end

    def array(self, name: str) -> list[Any]:
        value = self._get(name, False)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(name, f"expected an array, found {_json_type(value)} ({_shown(value)})")
            return []
        return value

    def codes(
        self, name: str, check: Callable[[str], str | None], *, unique_what: str
    ) -> tuple[str, ...]:
        """A list of strings, each passed to ``check`` which returns an error message or
        None; repeated values are a problem too."""
        seen: set[str] = set()
        result: list[str] = []
        for i, item in enumerate(self.array(name)):
            item_name = f"{name}[{i}]"
            if not isinstance(item, str):
                self.problem(item_name, f"expected a string, found {_json_type(item)}")
                continue
            message = check(item)
            if message:
                self.problem(item_name, message)
                continue
            if item in seen:
                self.problem(item_name, f"{unique_what} {_shown(item)} is listed twice")
                continue
            seen.add(item)
            result.append(item)
        return tuple(result)


def _read_provider(fields: _Fields, index: int) -> ProviderEntry:
    fields.check_keys(PROVIDER_FIELDS)
    return ProviderEntry(
        id=fields.identifier("id"),
        name=fields.text("name", required=True, max_length=_NAME_MAX),
        district=fields.optional_text("district", max_length=100),
        line=fields.line,
        index=index,
    )


def _read_funding(fields: _Fields, name: str, vocabulary: Vocabulary) -> tuple[FundingEntry, ...]:
    lines: list[FundingEntry] = []
    for i, item in enumerate(fields.array(name)):
        path = f"{name}[{i}]"
        if not isinstance(item, dict):
            fields.problem(path, f"expected an object, found {_json_type(item)}")
            continue
        sub = _Fields(item, f"{fields.path}.{path}", fields.line, fields.problems)
        sub.check_keys(FUNDING_FIELDS)
        funder = sub.choice("funder", vocabulary.funders)
        amount = sub.amount("amount_eur")
        start, end = sub.period(required=True)
        if not sub.ok:
            fields.ok = False
            continue
        assert start is not None and end is not None
        lines.append(FundingEntry(funder, amount, start, end))
    return tuple(lines)


def _read_offer(fields: _Fields, index: int, vocabulary: Vocabulary) -> OfferEntry:
    fields.check_keys(OFFER_FIELDS)
    offer_id = fields.identifier("id")

    def target_group(code: str) -> str | None:
        if not _SLUG.fullmatch(code) or len(code) > _TARGET_GROUP_MAX:
            return (
                f"target group code {_shown(code)} may contain only letters, digits, '-' "
                f"and '_' (at most {_TARGET_GROUP_MAX})"
            )
        return None

    def legal_branch(branch: str) -> str | None:
        if branch not in vocabulary.legal_branches:
            options = ", ".join(f'"{b}"' for b in vocabulary.legal_branches)
            return f"unknown legal branch {_shown(branch)}; expected one of: {options}"
        return None

    def follow_on(ref: str) -> str | None:
        if ref.startswith(DESTINATION_PREFIX):
            destination = ref.removeprefix(DESTINATION_PREFIX)
            if destination not in vocabulary.destinations:
                return (
                    f"unknown destination {_shown(destination)} (follow-on of "
                    f"{_shown(offer_id)}); expected one of: {', '.join(vocabulary.destinations)}"
                )
            return None
        if not _SLUG.fullmatch(ref):
            return f"{_shown(ref)} is neither an offer id nor destination:<name>"
        if ref == offer_id:
            return f"offer {_shown(offer_id)} cannot be its own follow-on"
        return None

    provider = fields.identifier("provider")
    title = fields.text("title", required=True, max_length=_TITLE_MAX)
    kind = fields.choice("kind", vocabulary.kinds)
    status = fields.choice("status", vocabulary.statuses, default=vocabulary.default_status)
    description = fields.text("description")
    district = fields.optional_text("district", max_length=100)
    capacity = fields.integer("capacity", maximum=_CAPACITY_MAX, what="capacity")
    target_groups = fields.codes("target_groups", target_group, unique_what="target group")
    min_age = fields.integer("min_age", maximum=_AGE_MAX, what="age")
    max_age = fields.integer("max_age", maximum=_AGE_MAX, what="age")
    if min_age is not None and max_age is not None and min_age > max_age:
        fields.problem("max_age", f"{max_age} is below min_age {min_age}")
    legal_branches = fields.codes("legal_branches", legal_branch, unique_what="legal branch")
    other_rules = fields.text("other_rules")
    start, end = fields.period()
    funding = _read_funding(fields, "funding", vocabulary)
    follow_ons = fields.codes("follow_ons", follow_on, unique_what="follow-on")
    return OfferEntry(
        id=offer_id,
        provider=provider,
        title=title,
        kind=kind,
        status=status,
        description=description,
        district=district,
        capacity=capacity,
        target_groups=tuple(sorted(target_groups)),
        min_age=min_age,
        max_age=max_age,
        legal_branches=tuple(sorted(legal_branches)),
        other_rules=other_rules,
        start=start,
        end=end,
        funding=_funding_sorted(funding),
        follow_ons=follow_ons,
        line=fields.line,
        index=index,
    )


def _funding_sorted(lines: tuple[FundingEntry, ...]) -> tuple[FundingEntry, ...]:
    return tuple(sorted(lines, key=lambda f: (f.start, f.end, f.funder, f.amount_eur)))


def _read_section(
    top: _TopLevel,
    name: str,
    problems: _Problems,
    read: Callable[[_Fields, int], Any],
    what: str,
) -> list[Any]:
    """Read every object of one top-level array, reporting ids given twice with the
    line of the first."""
    entries: list[Any] = []
    first_line: dict[str, int] = {}
    located = top.members.get(name)
    if located is None:
        return entries
    if name not in top.elements:
        problems.add(
            problems.line_of(located.offset),
            name,
            f"expected an array of {what}s, found {_json_type(located.value)}",
        )
        return entries
    for index, element in enumerate(top.elements[name]):
        line = problems.line_of(element.offset)
        path = f"{name}[{index}]"
        if not isinstance(element.value, dict):
            problems.add(line, path, f"expected an object, found {_json_type(element.value)}")
            continue
        fields = _Fields(element.value, path, line, problems)
        entry = read(fields, index)
        if entry.id in first_line:
            fields.problem(
                "id",
                f"duplicate {what} id {_shown(entry.id)} (first at line {first_line[entry.id]})",
            )
        elif entry.id:
            first_line[entry.id] = line
        entries.append(entry)
    return entries


def read_catalogue(data: bytes, *, file: str, vocabulary: Vocabulary) -> Catalogue:
    """Read and check a catalogue file. Malformed JSON or a bad encoding raise
    ImportFailed at once (nothing else can be read); every other problem is collected
    in ``Catalogue.problems`` so the user sees all of them in one go."""
    text = decode_utf8(data, file=file)
    try:
        _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            [ImportProblem(file, exc.lineno, "", f"malformed JSON: {exc.msg} (column {exc.colno})")]
        ) from exc
    problems = _Problems(file, text)
    top = _walk_top_level(text)
    if isinstance(top, _Located):
        problems.add(
            problems.line_of(top.offset),
            "",
            'the catalogue must be a JSON object with "providers" and "offers", '
            f"found {_json_type(top.value)}",
        )
        raise ImportFailed(problems.found)
    for key, offset in top.duplicate_keys:
        problems.add(problems.line_of(offset), key, "given twice at the top level")
    for key, located in top.members.items():
        if key not in TOP_LEVEL_FIELDS:
            problems.add(
                problems.line_of(located.offset),
                key,
                f"unknown top-level field; expected: {', '.join(TOP_LEVEL_FIELDS)}",
            )
    providers = _read_section(top, "providers", problems, _read_provider, "provider")
    offers = _read_section(
        top,
        "offers",
        problems,
        lambda fields, index: _read_offer(fields, index, vocabulary),
        "offer",
    )
    return Catalogue(
        file=file,
        providers=tuple(providers),
        offers=tuple(offers),
        problems=tuple(problems.found),
    )


# --- writing -----------------------------------------------------------------------


def _amount_json(amount: Decimal) -> int | float:
    # Amounts are at most 12 digits and 2 decimals, which a float's shortest repr
    # reproduces exactly, so the written number reads back as the same Decimal.
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _date_json(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def provider_to_dict(entry: ProviderEntry) -> dict[str, Any]:
    return {"id": entry.id, "name": entry.name, "district": entry.district}


def offer_to_dict(entry: OfferEntry) -> dict[str, Any]:
    """The canonical form of one offer (see the module docstring)."""
    return {
        "id": entry.id,
        "provider": entry.provider,
        "title": entry.title,
        "kind": entry.kind,
        "description": entry.description,
        "district": entry.district,
        "capacity": entry.capacity,
        "status": entry.status,
        "target_groups": sorted(entry.target_groups),
        "min_age": entry.min_age,
        "max_age": entry.max_age,
        "legal_branches": sorted(entry.legal_branches),
        "other_rules": entry.other_rules,
        "start": _date_json(entry.start),
        "end": _date_json(entry.end),
        "funding": [
            {
                "funder": f.funder,
                "amount_eur": _amount_json(f.amount_eur),
                "start": f.start.isoformat(),
                "end": f.end.isoformat(),
            }
            for f in _funding_sorted(entry.funding)
        ],
        "follow_ons": list(entry.follow_ons),
    }


def catalogue_to_dict(catalogue: Catalogue) -> dict[str, Any]:
    return {
        "providers": [provider_to_dict(p) for p in sorted(catalogue.providers, key=_by_id)],
        "offers": [offer_to_dict(o) for o in sorted(catalogue.offers, key=_by_id)],
    }


def _by_id(entry: ProviderEntry | OfferEntry) -> str:
    return entry.id


def catalogue_json(data: dict[str, Any]) -> str:
    """The file text of a catalogue dict: indented, umlauts as they are, one trailing
    newline, so exports diff well line by line."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
