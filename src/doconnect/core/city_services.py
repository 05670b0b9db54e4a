"""Writes that set up a city from its own files: districts with their boundaries,
organisations, users with their roles. Each import is one transaction, all or nothing,
and idempotent (the same file again changes nothing; a changed line updates)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from doconnect.core.directory_file import OrganisationRow, OrganisationRows, UserRow
from doconnect.core.district_file import DistrictsFile
from doconnect.core.geo import (
    DistrictLocator,
    Placed,
    Placement,
    boundary_area,
    geojson_of,
    overlaps,
)
from doconnect.core.models import District, Membership, Organisation
from doconnect.files.importing import ImportFailed, ImportProblem, ImportResult

# Which district (id) each postcode lies in; the labour market's postcode table.
PostcodeDistricts = Callable[[Iterable[str]], Mapping[str, int]]


def no_postcodes(postcodes: Iterable[str]) -> Mapping[str, int]:
    return {}


def district_locator() -> DistrictLocator:
    """The stored districts' boundaries, ready to place points."""
    return DistrictLocator(District.objects.exclude(boundary=None).values_list("id", "boundary"))


# --- districts ------------------------------------------------------------------------


@transaction.atomic
def districts_import(*, districts: DistrictsFile) -> ImportResult:
    """Create or update districts by official key: the name and the boundary (stored as
    a WGS 84 GeoJSON geometry, what the maps draw). Refused, with nothing written, when
    a name belongs to another district or two districts overlap by more than a sliver
    (those in the file, and those stored that the file does not name). Districts not in
    the file stay as they are."""
    file = districts.file
    features = list(districts.districts)
    stored = {d.official_key: d for d in District.objects.select_for_update()}
    in_file = {f.key for f in features}
    renamed_away = {d.name for key, d in stored.items() if key in in_file}
    others_names = {d.name: d.official_key for key, d in stored.items() if key not in in_file}
    problems: list[ImportProblem] = []
    for f in features:
        owner = others_names.get(f.name)
        if owner is not None:
            problems.append(
                ImportProblem(
                    file,
                    f.line,
                    f"{f.path}.properties",
                    f'the name "{f.name}" belongs to the district with key {owner}, '
                    "which the file does not name",
                )
            )
    kept = [
        (d, boundary_area(d.boundary))
        for key, d in stored.items()
        if key not in in_file and d.boundary
    ]
    areas = [f.area for f in features] + [a for _d, a in kept if a is not None]
    labels = [f.name for f in features] + [d.name for d, a in kept if a is not None]
    for overlap in overlaps(areas):
        if overlap.first >= len(features):
            continue  # two stored districts: not this file's doing
        feature = features[overlap.first]  # the first is always in the file
        other = labels[overlap.second]
        where = "in the file" if overlap.second < len(features) else "already stored"
        problems.append(
            ImportProblem(
                file,
                feature.line,
                f"{feature.path}.geometry",
                f'"{feature.name}" overlaps "{other}" ({where}) by {overlap.share:.1%} of the '
                "smaller district",
            )
        )
    if problems:
        raise ImportFailed(problems)

    created: list[District] = []
    changed: list[District] = []
    for f in features:
        boundary = geojson_of(f.area)
        district = stored.get(f.key)
        if district is None:
            created.append(District(official_key=f.key, name=f.name, boundary=boundary))
        elif district.name != f.name or district.boundary != boundary:
            district.name, district.boundary = f.name, boundary
            changed.append(district)
    if any(d.name in renamed_away for d in changed):
        # Names are unique: two districts trading names pass through placeholders.
        placeholders = [District(pk=d.pk, name=f"~{d.pk}") for d in changed]
        District.objects.bulk_update(placeholders, ["name"])
    District.objects.bulk_update(changed, ["name", "boundary"])
    District.objects.bulk_create(created)
    return ImportResult(
        file=file,
        counts={
            "districts_created": len(created),
            "districts_updated": len(changed),
            "districts_unchanged": len(features) - len(created) - len(changed),
        },
    )


# --- organisations --------------------------------------------------------------------


def _districts_by_name_or_key() -> tuple[dict[str, int], list[str]]:
    found: dict[str, int] = {}
    names = []
    for pk, name, key in District.objects.values_list("id", "name", "official_key"):
        found[name] = pk
        found[key] = pk
        names.append(name)
    return found, sorted(names)


def organisations_import(
    *,
    rows: Sequence[OrganisationRow],
    file: str,
    postcode_districts: PostcodeDistricts = no_postcodes,
) -> ImportResult:
    """Import rows read whole (``read_organisations_csv``); see
    ``organisations_import_chunks``."""
    return organisations_import_chunks(
        [OrganisationRows(tuple(rows))], file=file, postcode_districts=postcode_districts
    )


@transaction.atomic
def organisations_import_chunks(
    chunks: Iterable[OrganisationRows],
    *,
    file: str,
    postcode_districts: PostcodeDistricts = no_postcodes,
) -> ImportResult:
    """Create or update organisations by id, all or nothing, a chunk at a time as the
    file is read (``organisation_chunks``). The district is the one the file names
    (a name or official key); left empty, it comes from the coordinates (inside a
    district's boundary), else from the postcode table, else none: never guessed.
    Organisations not in the file stay as they are. Each chunk is written while the
    file has shown no problem; districts are checked against the database too, but
    named only when the file itself is right. Any problem, or a reader's
    ImportFailed, rolls back the chunks written before."""
    by_name_or_key, names = _districts_by_name_or_key()
    locator = district_locator()
    placed: dict[Placed, int] = dict.fromkeys(Placed, 0)
    counts = dict.fromkeys(
        ("organisations_created", "organisations_updated", "organisations_unchanged"), 0
    )
    file_problems: list[ImportProblem] = []
    unknown: list[ImportProblem] = []
    for chunk in chunks:
        file_problems.extend(chunk.problems)
        if file_problems:
            continue  # only read on, to name every problem of the file
        unknown.extend(
            ImportProblem(
                file,
                row.line,
                "district",
                f'unknown district "{row.district}" (a name or official key); known: '
                + (", ".join(names) or "none yet — import the districts first"),
            )
            for row in chunk.rows
            if row.district and row.district not in by_name_or_key
        )
        if unknown:
            continue
        placement = Placement(
            locator, postcode_districts(r.postcode for r in chunk.rows), counts=placed
        )
        _write_organisations(chunk.rows, by_name_or_key, placement, counts)
    if file_problems or unknown:
        raise ImportFailed(file_problems or unknown)
    return ImportResult(
        file=file, counts={**counts, **Placement(locator, {}, counts=placed).summary()}
    )


def _write_organisations(
    rows: Sequence[OrganisationRow],
    by_name_or_key: Mapping[str, int],
    placement: Placement,
    counts: dict[str, int],
) -> None:
    stored = Organisation.objects.in_bulk([r.external_id for r in rows], field_name="external_id")
    created: list[Organisation] = []
    changed: list[Organisation] = []
    for row in rows:
        if row.district:
            district_id: int | None = by_name_or_key[row.district]
            placement.counts[Placed.NAMED] += 1
        else:
            district_id, _how = placement.place(row.point, row.postcode)
        values: dict[str, Any] = {
            "name": row.name,
            "kind": row.kind,
            "district_id": district_id,
            "wz_code": row.wz_code,
        }
        organisation = stored.get(row.external_id)
        if organisation is None:
            created.append(Organisation(external_id=row.external_id, **values))
        elif any(getattr(organisation, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(organisation, k, v)
            changed.append(organisation)
    Organisation.objects.bulk_create(created)
    Organisation.objects.bulk_update(changed, ["name", "kind", "district", "wz_code"])
    counts["organisations_created"] += len(created)
    counts["organisations_updated"] += len(changed)
    counts["organisations_unchanged"] += len(rows) - len(created) - len(changed)


# --- users ----------------------------------------------------------------------------


@transaction.atomic
def users_import(*, rows: Sequence[UserRow], file: str) -> tuple[ImportResult, list[User]]:
    """Create or update users by username (any case) with their one membership: the
    organisation and role of the file are the user's only ones afterwards (a move to
    another organisation ends the old membership, so no access is left behind). A new
    user gets no usable password: they sign in through the identity provider or set one
    from a set-password mail. Returns the result and the users created."""
    organisations = Organisation.objects.in_bulk(
        [r.organisation for r in rows], field_name="external_id"
    )
    problems: list[ImportProblem] = []
    for row in rows:
        if row.organisation not in organisations:
            problems.append(
                ImportProblem(
                    file,
                    row.line,
                    "organisation",
                    f'no organisation with the id "{row.organisation}" (import the '
                    "organisations first)",
                )
            )
        if row.email:
            try:
                validate_email(row.email)
            except ValidationError:
                problems.append(
                    ImportProblem(
                        file, row.line, "email", f'"{row.email}" is not an e-mail address'
                    )
                )
    if problems:
        raise ImportFailed(problems)
    wanted = {r.username.casefold() for r in rows}
    stored: dict[str, User] = {}
    # Usernames are matched without regard to case, as ``createuser`` refuses them.
    for known in User.objects.prefetch_related("memberships"):
        if known.username.casefold() in wanted:
            stored[known.username.casefold()] = known
    created: list[User] = []
    changed = 0
    for row in rows:
        organisation = organisations[row.organisation]
        found = stored.get(row.username.casefold())
        if found is None:
            user = User(
                username=row.username,
                first_name=row.given_name,
                last_name=row.family_name,
                email=row.email,
            )
            user.set_unusable_password()
            user.save()
            Membership.objects.create(user=user, organisation=organisation, role=row.role)
            created.append(user)
            continue
        user = found
        dirty = False
        for attribute, value in (
            ("first_name", row.given_name),
            ("last_name", row.family_name),
            ("email", row.email),
        ):
            if getattr(user, attribute) != value:
                setattr(user, attribute, value)
                dirty = True
        if dirty:
            user.save(update_fields=["first_name", "last_name", "email"])
        memberships = list(user.memberships.all())
        if [(m.organisation_id, m.role) for m in memberships] != [(organisation.pk, row.role)]:
            Membership.objects.filter(user=user).exclude(organisation=organisation).delete()
            Membership.objects.update_or_create(
                user=user, organisation=organisation, defaults={"role": row.role}
            )
            dirty = True
        changed += dirty
    return (
        ImportResult(
            file=file,
            counts={
                "users_created": len(created),
                "users_updated": changed,
                "users_unchanged": len(rows) - len(created) - changed,
            },
        ),
        created,
    )
