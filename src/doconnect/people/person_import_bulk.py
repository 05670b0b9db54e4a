"""The bulk reads and writes of the persons import (``person_import_services``): the
persons a delivering system sent before, what a line changes of them, and the inserts
and updates of a whole file in a fixed number of queries (chunked for SQLite's limit
of 999 parameters), bypassing ``save()`` where a file of 10,000 persons would
otherwise cost 10,000 round trips. The match key, which ``PersonalDetails.save`` keeps
in step, is written here explicitly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models import QuerySet

from doconnect.core.models import AuditAction, AuditEvent, District, Organisation, TargetGroup
from doconnect.core.viewers import Viewer
from doconnect.people.models import (
    Consent,
    ConsentPurpose,
    Person,
    PersonalDetails,
    match_key_of,
    new_public_id,
)
from doconnect.people.person_import import PersonRow

M = TypeVar("M", bound=models.Model)


@dataclass
class Lookups:
    districts: dict[str, int]  # official key and casefolded name → id
    organisations: dict[str, int]  # external id → id

    def district(self, text: str) -> int | None:
        return self.districts.get(text) or self.districts.get(text.casefold())


def lookups_for(rows: Sequence[PersonRow]) -> Lookups:
    districts: dict[str, int] = {}
    for pk, key, name in District.objects.values_list("pk", "official_key", "name"):
        districts[key] = pk
        districts[name.casefold()] = pk
    organisations = dict(
        filtered_values(
            Organisation.objects.order_by(),
            "external_id",
            {key for row in rows for key in row.consent_organisations},
            ("external_id", "pk"),
        )
    )
    return Lookups(districts, organisations)


def chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    """The values in pieces that fit one query (SQLite allows 999 parameters)."""
    items = sorted(set(values), key=str)
    size = 900 if connection.vendor == "sqlite" else 10_000
    for start in range(0, len(items), size):
        yield items[start : start + size]


def filtered(query: QuerySet[M], name: str, values: Iterable[Any]) -> Iterator[M]:
    for part in chunks(values):
        yield from query.filter(**{f"{name}__in": part})


# What a line sets of the pseudonymous record and of the personal details.
RECORD_FIELDS = (
    "gender",
    "birth_year",
    "district_id",
    "legal_branch",
    "school_qualification",
    "vocational_qualification",
)
DETAIL_FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "street",
    "postcode",
    "address_district_id",
)


@dataclass(frozen=True)
class StoredConsent:
    pk: int
    purposes: tuple[str, ...]  # sorted codes
    valid_from: dt.date
    valid_until: dt.date | None
    withdrawn: bool
    organisations: frozenset[str]  # external ids


@dataclass
class StoredPerson:
    """A person on file as the lines compare with them: plain values, not model
    instances (a delivery of 10,000 unchanged lines would build 40,000 of them)."""

    pk: int
    public_id: str
    record: dict[str, Any]  # RECORD_FIELDS
    details: dict[str, Any] | None = None  # DETAIL_FIELDS; None: no details on file
    target_groups: set[str] = field(default_factory=set)
    consents: list[StoredConsent] = field(default_factory=list)


def stored_persons(person_ids: Collection[int]) -> dict[int, StoredPerson]:
    stored = {
        pk: StoredPerson(pk, public_id, dict(zip(RECORD_FIELDS, values, strict=True)))
        for pk, public_id, *values in filtered_values(
            Person.objects.order_by(), "pk", person_ids, ("pk", "public_id", *RECORD_FIELDS)
        )
    }
    for person_id, *values in filtered_values(
        PersonalDetails.objects.order_by(), "person_id", person_ids, ("person_id", *DETAIL_FIELDS)
    ):
        stored[person_id].details = dict(zip(DETAIL_FIELDS, values, strict=True))
    through = Person.target_groups.through
    for person_id, code in filtered_values(
        through.objects.order_by(), "person_id", person_ids, ("person_id", "targetgroup__code")
    ):
        stored[person_id].target_groups.add(code)
    consents = list(
        filtered_values(
            Consent.objects.order_by(),
            "person_id",
            person_ids,
            (
                "pk",
                "person_id",
                *ConsentPurpose.values,
                "valid_from",
                "valid_until",
                "withdrawn_at",
            ),
        )
    )
    organisations: dict[int, set[str]] = {consent[0]: set() for consent in consents}
    consent_orgs = Consent.organisations.through
    for consent_id, key in filtered_values(
        consent_orgs.objects.order_by(),
        "consent_id",
        organisations,
        ("consent_id", "organisation__external_id"),
    ):
        organisations[consent_id].add(key)
    n = len(ConsentPurpose.values)
    for pk, person_id, *columns in consents:
        flags, (valid_from, valid_until, withdrawn_at) = columns[:n], columns[n:]
        purposes = tuple(
            sorted(code for code, on in zip(ConsentPurpose.values, flags, strict=True) if on)
        )
        stored[person_id].consents.append(
            StoredConsent(
                pk,
                purposes,
                valid_from,
                valid_until,
                withdrawn_at is not None,
                frozenset(organisations[pk]),
            )
        )
    return stored


def filtered_values(
    query: QuerySet[Any], name: str, values: Iterable[Any], columns: Sequence[str]
) -> Iterator[tuple[Any, ...]]:
    for part in chunks(values):
        yield from query.filter(**{f"{name}__in": part}).values_list(*columns)


@dataclass
class LineChange:
    """What one line changes of a person on file."""

    row: PersonRow
    stored: StoredPerson
    record: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    target_groups: bool = False
    new_consent: bool = False
    consent_until: StoredConsent | None = None  # the consent whose end the line moves

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.record
            or self.details
            or self.target_groups
            or self.new_consent
            or self.consent_until is not None
        )

    @property
    def fields(self) -> list[str]:
        """The fields changed, as the audit trail names them."""
        names = [*self.record, *self.details]
        if self.target_groups:
            names.append("target_groups")
        if self.new_consent or self.consent_until is not None:
            names.append("consents")
        return sorted(set(names) - {"birth_year"})


def line_change(row: PersonRow, stored: StoredPerson, district_id: int | None) -> LineChange:
    change = LineChange(row, stored)
    wanted_record = dict(
        zip(
            RECORD_FIELDS,
            (
                row.gender,
                row.birth_date.year,
                district_id,
                row.legal_branch,
                row.school_qualification,
                row.vocational_qualification,
            ),
            strict=True,
        )
    )
    change.record = {k: v for k, v in wanted_record.items() if stored.record[k] != v}
    wanted_details = dict(
        zip(
            DETAIL_FIELDS,
            (
                row.given_name,
                row.family_name,
                row.birth_date,
                row.street,
                row.postcode,
                district_id,
            ),
            strict=True,
        )
    )
    details = stored.details
    change.details = (
        wanted_details
        if details is None
        else {k: v for k, v in wanted_details.items() if details[k] != v}
    )
    change.target_groups = stored.target_groups != set(row.target_groups)
    same = [
        consent
        for consent in stored.consents
        if consent.purposes == row.consent_purposes
        and consent.valid_from == row.consent_valid_from
        and consent.organisations == frozenset(row.consent_organisations)
    ]
    if not same:
        change.new_consent = True
    elif all(c.valid_until != row.consent_valid_until for c in same):
        # A withdrawn consent stays withdrawn: the line cannot bring it back.
        open_ones = [c for c in same if not c.withdrawn]
        if open_ones:
            change.consent_until = open_ones[0]
    return change


def target_groups_ensure(codes: Iterable[str]) -> tuple[dict[str, int], int]:
    """The ids of these codes; codes the city's vocabulary lacks are created, labelled
    with their code until someone names them (as the offers import does)."""
    wanted = set(codes)
    ids = dict(filtered_values(TargetGroup.objects.order_by(), "code", wanted, ("code", "pk")))
    missing = sorted(wanted - ids.keys())
    if missing:
        TargetGroup.objects.bulk_create([TargetGroup(code=code, label=code) for code in missing])
        ids.update(filtered_values(TargetGroup.objects.order_by(), "code", missing, ("code", "pk")))
    return ids, len(missing)


def free_public_ids(count: int) -> list[str]:
    """``count`` new pseudonyms that no person has yet. A collision is rare (one in
    10¹² per pair), but one in a file of 10,000 would fail the whole import."""
    chosen: set[str] = set()
    while len(chosen) < count:
        fresh = {new_public_id() for _ in range(count - len(chosen))} - chosen
        taken = set(filtered_values(Person.objects.order_by(), "public_id", fresh, ("public_id",)))
        chosen |= fresh - {public_id for (public_id,) in taken}
    return sorted(chosen)


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a value of this field becomes a parameter; None: as it is."""
    if field.is_relation or isinstance(
        field, (models.CharField, models.TextField, models.IntegerField, models.BooleanField)
    ):
        return None
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return None if connection.vendor == "postgresql" else connection.ops.adapt_datefield_value
    return lambda value: field.get_db_prep_save(value, connection)


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert rows of ``model`` in the caller's transaction, bypassing model instances:
    building tens of thousands of them and their INSERT parameters costs the ORM more
    than the database takes to store them. ``columns`` are attribute names (``person_id``);
    every other field gets its default, computed once for all rows (a creation time is
    the same for the whole import). PostgreSQL takes the rows through COPY, other
    databases through one prepared INSERT run for every row. Only for models without
    save() logic or signals, or whose save() logic the caller does itself; a field
    whose default differs per row (a new pseudonym) must be among ``columns``."""
    meta = model._meta
    pk = meta.pk.attname if meta.pk is not None else ""
    by_name = {f.attname: f for f in meta.concrete_fields}
    template = model()
    rest = [f for name, f in by_name.items() if name not in columns and name != pk]
    defaults = tuple(f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in rest)
    given = [by_name[name] for name in columns]
    # Text, numbers and keys go in as they are, dates as the database adapts them
    # (PostgreSQL takes them as they are); anything else (JSON) through the field's own
    # conversion for this database.
    convert = [_converter(f) for f in given]
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column or f.attname) for f in [*given, *rest])
    table = quote(meta.db_table)

    def prepared(row: Sequence[Any]) -> tuple[Any, ...]:
        values = tuple(
            value if adapt is None or value is None else adapt(value)
            for adapt, value in zip(convert, row, strict=True)
        )
        return values + defaults

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(prepared(row))
            return
        placeholders = ", ".join(["%s"] * (len(given) + len(rest)))
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({placeholders})", [prepared(r) for r in rows]
        )


@dataclass(frozen=True)
class NewRecord:
    """A person the import created: enough to queue and audit them."""

    pk: int
    public_id: str

    def as_person(self) -> Person:
        return Person(pk=self.pk, public_id=self.public_id)


def persons_create(
    viewer: Viewer,
    rows: Sequence[PersonRow],
    *,
    source: Organisation,
    lookups: Lookups,
    groups: dict[str, int],
) -> list[NewRecord]:
    """Insert the new persons, their details, target groups and first consents; the
    persons in the order of ``rows``."""
    public_ids = free_public_ids(len(rows))
    districts = [lookups.district(row.district) if row.district else None for row in rows]
    insert_rows(
        Person,
        (
            "public_id",
            "gender",
            "birth_year",
            "district_id",
            "legal_branch",
            "school_qualification",
            "vocational_qualification",
            "source_organisation_id",
            "source_id",
        ),
        (
            (
                public_id,
                row.gender,
                row.birth_date.year,
                district,
                row.legal_branch,
                row.school_qualification,
                row.vocational_qualification,
                source.pk,
                row.source_id,
            )
            for public_id, row, district in zip(public_ids, rows, districts, strict=True)
        ),
    )
    ids = dict(
        filtered_values(Person.objects.order_by(), "public_id", public_ids, ("public_id", "pk"))
    )
    records = [NewRecord(ids[public_id], public_id) for public_id in public_ids]
    insert_rows(
        PersonalDetails,
        (
            "person_id",
            "given_name",
            "family_name",
            "birth_date",
            "street",
            "postcode",
            "address_district_id",
            "match_key",
        ),
        (
            (
                record.pk,
                row.given_name,
                row.family_name,
                row.birth_date,
                row.street,
                row.postcode,
                district,
                # PersonalDetails.save() keeps the key in step; this insert bypasses it.
                match_key_of(row.given_name, row.family_name, row.birth_date),
            )
            for record, row, district in zip(records, rows, districts, strict=True)
        ),
    )
    insert_rows(
        Person.target_groups.through,
        ("person_id", "targetgroup_id"),
        (
            (record.pk, groups[code])
            for record, row in zip(records, rows, strict=True)
            for code in row.target_groups
        ),
    )
    # A new person has exactly this one consent: its id is found by the person's.
    insert_rows(
        Consent,
        ("person_id", *ConsentPurpose.values, "valid_from", "valid_until", "recorded_by_id"),
        (
            (
                record.pk,
                *(code in row.consent_purposes for code in ConsentPurpose.values),
                row.consent_valid_from,
                row.consent_valid_until,
                viewer.user_id,
            )
            for record, row in zip(records, rows, strict=True)
        ),
    )
    consent_ids = dict(
        filtered_values(Consent.objects.order_by(), "person_id", ids.values(), ("person_id", "pk"))
    )
    insert_rows(
        Consent.organisations.through,
        ("consent_id", "organisation_id"),
        (
            (consent_ids[record.pk], lookups.organisations[key])
            for record, row in zip(records, rows, strict=True)
            for key in row.consent_organisations
        ),
    )
    return records


def consents_create(
    viewer: Viewer, lines: Sequence[tuple[int, PersonRow]], lookups: Lookups
) -> None:
    """Record the consents of lines that change persons on file (few per file: through
    the ORM, which gives the new ids)."""
    consents = Consent.objects.bulk_create(
        [
            Consent(
                person_id=person_id,
                **{code: code in row.consent_purposes for code in ConsentPurpose.values},
                valid_from=row.consent_valid_from,
                valid_until=row.consent_valid_until,
                recorded_by_id=viewer.user_id,
            )
            for person_id, row in lines
        ],
        batch_size=2_000,
    )
    through = Consent.organisations.through
    through.objects.bulk_create(
        [
            through(consent_id=consent.pk, organisation_id=lookups.organisations[key])
            for consent, (_person_id, row) in zip(consents, lines, strict=True)
            for key in row.consent_organisations
        ],
        batch_size=5_000,
    )


def persons_update(
    viewer: Viewer, changes: Sequence[LineChange], *, lookups: Lookups, groups: dict[str, int]
) -> None:
    """Write what the changed lines change, in bulk (``bulk_update`` writes only the
    fields named, so instances holding just those do)."""
    recorded = [c for c in changes if c.record]
    if recorded:
        Person.objects.bulk_update(
            [Person(pk=c.stored.pk, **c.record) for c in recorded],
            sorted({name for c in recorded for name in c.record}),
            batch_size=1_000,
        )
    described = [c for c in changes if c.details and c.stored.details is not None]
    if described:
        details = []
        for change in described:
            merged = {**(change.stored.details or {}), **change.details}
            details.append(
                PersonalDetails(
                    person_id=change.stored.pk,
                    **merged,
                    # PersonalDetails.save() keeps the key in step; bulk_update does not.
                    match_key=match_key_of(
                        merged["given_name"], merged["family_name"], merged["birth_date"]
                    ),
                )
            )
        PersonalDetails.objects.bulk_update(
            details,
            sorted({name for c in described for name in c.details} | {"match_key"}),
            batch_size=1_000,
        )
    PersonalDetails.objects.bulk_create(
        [
            PersonalDetails(
                person_id=c.stored.pk,
                match_key=match_key_of(c.row.given_name, c.row.family_name, c.row.birth_date),
                **c.details,
            )
            for c in changes
            if c.stored.details is None
        ]
    )
    regrouped = [c for c in changes if c.target_groups]
    if regrouped:
        through = Person.target_groups.through
        for part in chunks(c.stored.pk for c in regrouped):
            through.objects.filter(person_id__in=part).delete()
        through.objects.bulk_create(
            [
                through(person_id=c.stored.pk, targetgroup_id=groups[code])
                for c in regrouped
                for code in c.row.target_groups
            ]
        )
    consents_create(viewer, [(c.stored.pk, c.row) for c in changes if c.new_consent], lookups)
    moved = [
        Consent(pk=c.consent_until.pk, valid_until=c.row.consent_valid_until)
        for c in changes
        if c.consent_until is not None
    ]
    if moved:
        Consent.objects.bulk_update(moved, ["valid_until"], batch_size=1_000)


def changes_audit(
    viewer: Viewer, public_ids: Sequence[str], *, fields: Sequence[str], view: str, purpose: str
) -> None:
    """One ``change`` event per person, as ``access.audit_reads`` writes them, in one
    insert: the same columns, one time for the whole import."""
    insert_rows(
        AuditEvent,
        (
            "actor_id",
            "actor_username",
            "actor_organisation",
            "person_public_id",
            "action",
            "fields",
            "view",
            "purpose",
        ),
        (
            (
                viewer.user_id,
                viewer.username,
                viewer.describe_organisations(),
                public_id,
                AuditAction.CHANGE,
                list(fields),
                view,
                purpose,
            )
            for public_id in public_ids
        ),
    )
