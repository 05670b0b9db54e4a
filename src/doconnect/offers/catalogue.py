"""The offer catalogue file: JSON in, plain dataclasses out, and back. Pure (no Django):
the service resolves names against the database, the selector fills the same
dataclasses from it, and both sides share one canonical dict form, so an export reads
back as the same catalogue.

Canonical form (what the export writes and what an import compares against): every
field present; a missing optional value is ``null`` (text: ``""``, lists: ``[]``);
target groups, legal branches, occupations and funding lines sorted, because their order means
nothing; follow-ons in their given order, because it does (first choice first); amounts
as numbers, integers when whole. An import treats an omitted field exactly like its
canonical empty value: the file is the truth for every offer it lists.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from doconnect.files.importing import ImportProblem
from doconnect.files.jsonfile import Fields, Node, Problems, found, json_type, read_json, shown
from doconnect.labourmarket.engine.kldb import KldbError
from doconnect.labourmarket.engine.kldb import validate as validate_kldb

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
    "occupations",
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
    # KldB 2010 codes (five digits) the offer qualifies for, sorted.
    occupations: tuple[str, ...] = ()
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


class _Fields(Fields):
    """The catalogue's own kinds of value on top of the typed fields: ids, codes from
    the vocabulary, amounts of money, lists of codes."""

    def identifier(self, name: str, *, required: bool = True, max_length: int = _ID_MAX) -> str:
        value = self.text(name, required=required, max_length=max_length)
        if value and not _SLUG.fullmatch(value):
            self.problem(name, f"{shown(value)} may contain only letters, digits, '-' and '_'")
            return ""  # reported here; not looked up again as an unknown name
        return value

    def choice(self, name: str, options: Collection[str], *, default: str | None = None) -> str:
        if default is not None and not self.has(name):
            return default
        value = self.text(name, required=True)
        if value and value not in options:
            self.problem(
                name, f"unknown {name} {shown(value)}; expected one of: {', '.join(options)}"
            )
        return value

    def amount(self, name: str) -> Decimal:
        value = self.number(name, required=True)
        if value is None:
            return Decimal(0)
        amount = Decimal(value)
        if amount < 0:
            self.problem(name, f"must not be negative, found {value}")
        elif amount >= _AMOUNT_LIMIT:
            self.problem(name, f"{value} is too large")
        elif amount != amount.quantize(Decimal("0.01")):
            self.problem(name, f"{value} has more than two decimal places (cents)")
        return amount

    def codes(
        self, name: str, check: Callable[[str], str | None], *, unique_what: str
    ) -> tuple[str, ...]:
        """A list of strings, each passed to ``check`` which returns an error message or
        None; repeated values are a problem too."""
        seen: set[str] = set()
        result: list[str] = []
        for i, item in enumerate(self.array(name)):
            item_name = f"{name}[{i}]"
            if not isinstance(item.value, str):
                self.problem(item_name, f"expected a string, found {found(item.value)}")
                continue
            message = check(item.value)
            if message:
                self.problem(item_name, message)
                continue
            if item.value in seen:
                self.problem(item_name, f"{unique_what} {shown(item.value)} is listed twice")
                continue
            seen.add(item.value)
            result.append(item.value)
        return tuple(result)


def _read_provider(fields: _Fields, index: int) -> ProviderEntry:
    fields.check_keys(PROVIDER_FIELDS)
    return ProviderEntry(
        id=fields.identifier("id"),
        name=fields.text("name", required=True, max_length=_NAME_MAX),
        district=fields.optional_text("district", max_length=100),
        line=fields.node.line,
        index=index,
    )


def _read_funding(fields: _Fields, name: str, vocabulary: Vocabulary) -> tuple[FundingEntry, ...]:
    lines: list[FundingEntry] = []
    for sub in fields.objects(name):
        before = len(fields.problems.found)
        sub.check_keys(FUNDING_FIELDS)
        funder = sub.choice("funder", vocabulary.funders)
        amount = sub.amount("amount_eur")
        start, end = sub.period(required=True)
        if len(fields.problems.found) > before:
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
                f"target group code {shown(code)} may contain only letters, digits, '-' "
                f"and '_' (at most {_TARGET_GROUP_MAX})"
            )
        return None

    def legal_branch(branch: str) -> str | None:
        if branch not in vocabulary.legal_branches:
            options = ", ".join(f'"{b}"' for b in vocabulary.legal_branches)
            return f"unknown legal branch {shown(branch)}; expected one of: {options}"
        return None

    def occupation(code: str) -> str | None:
        try:
            validate_kldb(code, digits=5)
        except KldbError as exc:
            return str(exc)
        return None

    def follow_on(ref: str) -> str | None:
        if ref.startswith(DESTINATION_PREFIX):
            destination = ref.removeprefix(DESTINATION_PREFIX)
            if destination not in vocabulary.destinations:
                return (
                    f"unknown destination {shown(destination)} (follow-on of "
                    f"{shown(offer_id)}); expected one of: {', '.join(vocabulary.destinations)}"
                )
            return None
        if not _SLUG.fullmatch(ref):
            return f"{shown(ref)} is neither an offer id nor destination:<name>"
        if ref == offer_id:
            return f"offer {shown(offer_id)} cannot be its own follow-on"
        return None

    provider = fields.identifier("provider")
    title = fields.text("title", required=True, max_length=_TITLE_MAX)
    kind = fields.choice("kind", vocabulary.kinds)
    status = fields.choice("status", vocabulary.statuses, default=vocabulary.default_status)
    occupations = fields.codes("occupations", occupation, unique_what="occupation")
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
        occupations=tuple(sorted(occupations)),
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
        line=fields.node.line,
        index=index,
    )


def _funding_sorted(lines: tuple[FundingEntry, ...]) -> tuple[FundingEntry, ...]:
    return tuple(sorted(lines, key=lambda f: (f.start, f.end, f.funder, f.amount_eur)))


def _read_section(
    root: Node, name: str, problems: Problems, read: Callable[[_Fields, int], Any], what: str
) -> list[Any]:
    """Read every object of one top-level array, reporting ids given twice with the
    line of the first. Each object's problems are reported on the line it starts on."""
    entries: list[Any] = []
    first_line: dict[str, int] = {}
    section = root.member(name)
    if section is None:
        return entries
    if not isinstance(section.value, list):
        problems.add(
            section.line, name, f"expected an array of {what}s, found {json_type(section.value)}"
        )
        return entries
    for index, element in enumerate(section.items):
        if not isinstance(element.value, dict):
            problems.add(
                element.line, element.path, f"expected an object, found {found(element.value)}"
            )
            continue
        fields = _Fields(element, problems, line=element.line)
        entry = read(fields, index)
        if entry.id in first_line:
            fields.problem(
                "id",
                f"duplicate {what} id {shown(entry.id)} (first at line {first_line[entry.id]})",
            )
        elif entry.id:
            first_line[entry.id] = element.line
        entries.append(entry)
    return entries


def read_catalogue(data: bytes, *, file: str, vocabulary: Vocabulary) -> Catalogue:
    """Read and check a catalogue file. Malformed JSON or a bad encoding raise
    ImportFailed at once (nothing else can be read); every other problem is collected
    in ``Catalogue.problems`` so the user sees all of them in one go."""
    root = read_json(data, file=file, decimals=True)
    problems = Problems(file)
    if not isinstance(root.value, dict):
        problems.add(
            root.line,
            "",
            'the catalogue must be a JSON object with "providers" and "offers", '
            f"found {json_type(root.value)}",
        )
        problems.raise_if_any()
    for key, line in root.duplicate_keys:
        problems.add(line, key, "given twice at the top level")
    for key, member in root.members.items():
        if key not in TOP_LEVEL_FIELDS:
            problems.add(
                member.line,
                key,
                f"unknown top-level field; expected: {', '.join(TOP_LEVEL_FIELDS)}",
            )
    providers = _read_section(root, "providers", problems, _read_provider, "provider")
    offers = _read_section(
        root,
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
        "occupations": sorted(entry.occupations),
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
