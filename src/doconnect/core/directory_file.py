"""A city's organisations and users as CSV files, read and checked. Pure (no Django):
``core.city_services`` checks them against the database and writes them.

- organisations: ``id,name,kind,district,wz_code`` and, to place an organisation
  without a district by its address, optionally ``postcode`` and ``lat,lon`` (WGS 84).
- users: ``username,given_name,family_name,email,organisation,role``.

UTF-8 (with or without BOM), comma- or semicolon-separated (German Excel writes
semicolons). Every problem is ``FILE:LINE: field: message``; an id or username given
twice names the line it was first given on."""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import IO

from doconnect.core.geo import coordinates_problem
from doconnect.files.importing import (
    ImportFailed,
    ImportProblem,
    csv_records,
    raise_if_any,
)

ORGANISATION_COLUMNS: tuple[str, ...] = ("id", "name", "kind", "district", "wz_code")
ORGANISATION_OPTIONAL: tuple[str, ...] = ("postcode", "lat", "lon")
USER_COLUMNS: tuple[str, ...] = (
    "username",
    "given_name",
    "family_name",
    "email",
    "organisation",
    "role",
)

_SLUG = re.compile(r"[-a-zA-Z0-9_]+")  # Organisation.external_id (a SlugField)
_USERNAME = re.compile(r"[\w.@+-]+")  # Django's username validator
_POSTCODE = re.compile(r"\d{5}")


@dataclass(frozen=True)
class OrganisationRow:
    external_id: str
    name: str
    kind: str
    district: str  # a name or official key, "" for none
    wz_code: str
    postcode: str
    point: tuple[float, float] | None  # (longitude, latitude)
    line: int


@dataclass(frozen=True)
class UserRow:
    username: str
    given_name: str
    family_name: str
    email: str
    organisation: str  # an organisation's id
    role: str
    line: int


def _records(
    stream: IO[bytes],
    *,
    file: str,
    required: Sequence[str],
    optional: Sequence[str] = (),
    problems: list[ImportProblem],
) -> Iterator[tuple[int, dict[str, str]]]:
    """The file's non-empty lines as (line, {column: trimmed value}), read from
    ``stream`` a line at a time; a line with the wrong number of columns is added to
    ``problems`` instead."""
    records = csv_records(stream, file=file, empty_field="")
    _line, header = next(records)  # an empty file raised ImportFailed
    names = [h.strip() for h in header]
    missing = [c for c in required if c not in names]
    unexpected = [n for n in names if n not in required and n not in optional]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if missing or unexpected or repeated:
        parts = []
        if missing:
            parts.append(f"missing column(s): {', '.join(missing)}")
        if unexpected:
            parts.append(f"unexpected column(s): {', '.join(repr(u) for u in unexpected)}")
        if repeated:
            parts.append(f"repeated column(s): {', '.join(repeated)}")
        also = f"; optional: {','.join(optional)}" if optional else ""
        raise ImportFailed(
            [
                ImportProblem(
                    file, 1, "header", "; ".join(parts) + f" (expected: {','.join(required)}{also})"
                )
            ]
        )
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(names):
            problems.append(
                ImportProblem(file, line, "", f"expected {len(names)} columns, found {len(record)}")
            )
            continue
        values = dict(zip(names, (cell.strip() for cell in record), strict=True))
        for name in optional:
            values.setdefault(name, "")
        yield line, values


def _no_rows(file: str) -> ImportFailed:
    return ImportFailed([ImportProblem(file, 2, "", "the file holds no rows to import")])


@dataclass
class _Line:
    """One line of a file being read, collecting its problems."""

    file: str
    line: int
    values: dict[str, str]
    problems: list[ImportProblem]

    def problem(self, field: str, message: str) -> None:
        self.problems.append(ImportProblem(self.file, self.line, field, message))

    def text(self, name: str, *, limit: int, required: bool = True) -> str:
        value = self.values[name]
        if required and not value:
            self.problem(name, "is empty")
        elif len(value) > limit:
            self.problem(name, f"longer than {limit} characters")
            return ""
        return value

    def once(self, name: str, value: str, seen: dict[str, int]) -> None:
        """``value`` of column ``name`` is given only once in the file (any case)."""
        key = value.casefold()
        if not value:
            return
        if key in seen:
            self.problem(name, f'"{value}" given twice (first at line {seen[key]})')
        else:
            seen[key] = self.line

    def point(self) -> tuple[float, float] | None:
        """(longitude, latitude) from the lat and lon columns, or None."""
        lat_text, lon_text = self.values["lat"], self.values["lon"]
        if not lat_text and not lon_text:
            return None
        if not lat_text or not lon_text:
            self.problem("lat" if not lat_text else "lon", "give both lat and lon, or neither")
            return None
        try:
            lat, lon = float(lat_text.replace(",", ".")), float(lon_text.replace(",", "."))
        except ValueError:
            self.problem("lat", f'"{lat_text}", "{lon_text}" are not numbers')
            return None
        problem = coordinates_problem(lat, lon)
        if problem:
            self.problem("lat", problem)
            return None
        return lon, lat


@dataclass(frozen=True)
class OrganisationRows:
    """A chunk of an organisations file: its good rows and the problems of the others."""

    rows: tuple[OrganisationRow, ...]
    problems: tuple[ImportProblem, ...] = ()


# Rows checked and handed on at a time: a large file is read as it is imported.
CHUNK_ROWS = 10_000


def read_organisations_csv(
    data: bytes, *, file: str, kinds: Collection[str]
) -> list[OrganisationRow]:
    """The organisations of a whole file held in memory (see ``organisation_chunks``);
    ImportFailed with every problem of the file itself (districts are checked against
    the database on import)."""
    rows: list[OrganisationRow] = []
    problems: list[ImportProblem] = []
    for chunk in organisation_chunks(io.BytesIO(data), file=file, kinds=kinds):
        rows.extend(chunk.rows)
        problems.extend(chunk.problems)
    raise_if_any(problems)
    return rows


def organisation_chunks(
    stream: IO[bytes], *, file: str, kinds: Collection[str], chunk_rows: int | None = None
) -> Iterator[OrganisationRows]:
    """The organisations read from ``stream``, ``chunk_rows`` (``CHUNK_ROWS``) at a time.
    An empty file, a bad encoding, a wrong header, a malformed record or a file without
    rows raise ImportFailed when met; a bad line is a problem of its chunk. Across
    chunks only each id (and the line it was first given on) is kept, to find one given
    twice."""
    chunk_rows = chunk_rows or CHUNK_ROWS
    problems: list[ImportProblem] = []
    rows: list[OrganisationRow] = []
    seen: dict[str, int] = {}
    lines = 0
    any_problem = False
    for number, values in _records(
        stream,
        file=file,
        required=ORGANISATION_COLUMNS,
        optional=ORGANISATION_OPTIONAL,
        problems=problems,
    ):
        if len(rows) >= chunk_rows:
            yield OrganisationRows(tuple(rows), tuple(problems))
            rows, problems = [], []
        lines += 1
        found_before = len(problems)
        line = _Line(file, number, values, problems)
        external_id = line.text("id", limit=80)
        if external_id and not _SLUG.fullmatch(external_id):
            line.problem("id", f'"{external_id}": only letters, digits, - and _ (no spaces)')
        line.once("id", external_id, seen)
        kind = values["kind"]
        if kind not in kinds:
            line.problem("kind", f'unknown kind "{kind}"; one of: {", ".join(kinds)}')
        postcode = values["postcode"]
        if postcode and not _POSTCODE.fullmatch(postcode):
            line.problem("postcode", f'"{postcode}" is not five digits')
        row = OrganisationRow(
            external_id=external_id,
            name=line.text("name", limit=200),
            kind=kind,
            district=line.text("district", limit=100, required=False),
            wz_code=line.text("wz_code", limit=10, required=False),
            postcode=postcode,
            point=line.point(),
            line=number,
        )
        if len(problems) == found_before:
            rows.append(row)
        any_problem = any_problem or bool(problems)
    any_problem = any_problem or bool(problems)
    if not lines and not any_problem:
        raise _no_rows(file)
    yield OrganisationRows(tuple(rows), tuple(problems))


def read_users_csv(data: bytes, *, file: str, roles: Collection[str]) -> list[UserRow]:
    """The users of a file; ImportFailed with every problem of the file itself
    (organisations and e-mail addresses are checked on import)."""
    problems: list[ImportProblem] = []
    rows: list[UserRow] = []
    seen: dict[str, int] = {}
    for number, values in _records(
        io.BytesIO(data), file=file, required=USER_COLUMNS, problems=problems
    ):
        line = _Line(file, number, values, problems)
        username = line.text("username", limit=150)
        if username and not _USERNAME.fullmatch(username):
            line.problem("username", f'"{username}": only letters, digits and @ . + - _')
        line.once("username", username, seen)
        role = values["role"]
        if role not in roles:
            line.problem("role", f'unknown role "{role}"; one of: {", ".join(roles)}')
        rows.append(
            UserRow(
                username=username,
                given_name=line.text("given_name", limit=150),
                family_name=line.text("family_name", limit=150),
                email=line.text("email", limit=254, required=False),
                organisation=line.text("organisation", limit=80),
                role=role,
                line=number,
            )
        )
    raise_if_any(problems)
    if not rows:
        raise _no_rows(file)
    return rows
