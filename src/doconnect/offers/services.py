"""Writes about offers: one function per rule, called by the CLI, the web and the API."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable
from typing import TypedDict, Unpack

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from doconnect.core.models import District, Organisation, OrganisationKind, TargetGroup
from doconnect.core.refusals import ConflictsWithState
from doconnect.files.importing import ImportFailed, ImportProblem, ImportResult, raise_if_any
from doconnect.offers.catalogue import (
    DESTINATION_PREFIX,
    Catalogue,
    OfferEntry,
    ProviderEntry,
    catalogue_json,
    offer_to_dict,
    read_catalogue,
)
from doconnect.offers.models import FollowOn, FundingLine, Offer
from doconnect.offers.selectors import catalogue_vocabulary, offer_entries

logger = logging.getLogger(__name__)

# Listing the known names helps with a typo ("Hoerde" for "Hörde") as long as the list
# stays readable; a city has a dozen districts.
_LIST_KNOWN_DISTRICTS_UP_TO = 30

_OFFER_COLUMNS = (
    "provider_id",
    "title",
    "description",
    "kind",
    "occupations",
    "district_id",
    "min_age",
    "max_age",
    "legal_branches",
    "other_rules",
    "capacity",
    "start",
    "end",
    "status",
)


def _alphabetical(name: str) -> str:
    # "Hörde" between "Hombruch" and "Huckarde", as a German reader looks for it.
    return unicodedata.normalize("NFKD", name).casefold()


def _reference_problems(catalogue: Catalogue) -> list[ImportProblem]:
    """What the catalogue names but the database (and the file) do not have."""
    file = catalogue.file
    problems: list[ImportProblem] = []

    all_districts = list(District.objects.values_list("name", flat=True))
    known_districts = set(all_districts)
    hint = (
        f"; known: {', '.join(sorted(all_districts, key=_alphabetical))}"
        if len(all_districts) <= _LIST_KNOWN_DISTRICTS_UP_TO
        else ""
    )

    def check_district(entry: ProviderEntry | OfferEntry, section: str) -> None:
        if entry.district is not None and entry.district not in known_districts:
            problems.append(
                ImportProblem(
                    file,
                    entry.line,
                    f"{section}[{entry.index}].district",
                    f'unknown district "{entry.district}"{hint}',
                )
            )

    organisation_ids = {p.id for p in catalogue.providers} | {o.provider for o in catalogue.offers}
    organisation_kinds = dict(
        Organisation.objects.filter(external_id__in=organisation_ids).values_list(
            "external_id", "kind"
        )
    )
    for provider in catalogue.providers:
        check_district(provider, "providers")
        kind = organisation_kinds.get(provider.id, OrganisationKind.PROVIDER)
        if kind != OrganisationKind.PROVIDER:
            problems.append(
                ImportProblem(
                    file,
                    provider.line,
                    f"providers[{provider.index}].id",
                    f'"{provider.id}" is an existing organisation of kind {kind}, '
                    "not a provider; use another id",
                )
            )

    follow_on_ids = {ref for offer in catalogue.offers for ref in offer.follow_on_offer_ids}
    known_offers = catalogue.declared_offer_ids | set(
        Offer.objects.filter(
            external_id__in=follow_on_ids - catalogue.declared_offer_ids
        ).values_list("external_id", flat=True)
    )
    for offer in catalogue.offers:
        check_district(offer, "offers")
        if (
            offer.provider  # a missing or malformed id is already reported
            and offer.provider not in catalogue.declared_provider_ids
            and offer.provider not in organisation_kinds
        ):
            problems.append(
                ImportProblem(
                    file,
                    offer.line,
                    f"offers[{offer.index}].provider",
                    f'unknown provider "{offer.provider}" (neither in the file\'s providers '
                    "nor in the database)",
                )
            )
        for position, ref in enumerate(offer.follow_ons):
            if not ref.startswith(DESTINATION_PREFIX) and ref not in known_offers:
                problems.append(
                    ImportProblem(
                        file,
                        offer.line,
                        f"offers[{offer.index}].follow_ons[{position}]",
                        f'unknown offer "{ref}" (follow-on of "{offer.id}")',
                    )
                )
    return problems


def catalogue_check(catalogue: Catalogue) -> None:
    """Raise ImportFailed with every problem an import of ``catalogue`` would report:
    the file's own and every name the database does not know. Writes nothing, so a
    file can be checked (and analysed) without importing it."""
    raise_if_any([*catalogue.problems, *_reference_problems(catalogue)])


def _target_groups_ensure(codes: Iterable[str]) -> int:
    """Create the target groups the city's vocabulary does not have yet, labelled with
    their code until someone names them; returns how many were created."""
    wanted = set(codes)
    existing = set(TargetGroup.objects.filter(code__in=wanted).values_list("code", flat=True))
    missing = sorted(wanted - existing)
    TargetGroup.objects.bulk_create([TargetGroup(code=code, label=code) for code in missing])
    return len(missing)


def _providers_upsert(
    providers: Iterable[ProviderEntry], district_ids: dict[str, int]
) -> tuple[int, int]:
    entries = list(providers)
    existing = Organisation.objects.in_bulk([p.id for p in entries], field_name="external_id")
    created: list[Organisation] = []
    changed: list[Organisation] = []
    for entry in entries:
        district_id = district_ids[entry.district] if entry.district else None
        org = existing.get(entry.id)
        if org is None:
            created.append(
                Organisation(
                    external_id=entry.id,
                    name=entry.name,
                    kind=OrganisationKind.PROVIDER,
                    district_id=district_id,
                )
            )
        elif (org.name, org.district_id) != (entry.name, district_id):
            org.name, org.district_id = entry.name, district_id
            changed.append(org)
    Organisation.objects.bulk_create(created)
    Organisation.objects.bulk_update(changed, ["name", "district"])
    return len(created), len(changed)


def _offer_values(
    entry: OfferEntry, provider_ids: dict[str, int], district_ids: dict[str, int]
) -> dict[str, object]:
    return {
        "provider_id": provider_ids[entry.provider],
        "title": entry.title,
        "description": entry.description,
        "kind": entry.kind,
        "occupations": list(entry.occupations),
        "district_id": district_ids[entry.district] if entry.district else None,
        "min_age": entry.min_age,
        "max_age": entry.max_age,
        "legal_branches": list(entry.legal_branches),
        "other_rules": entry.other_rules,
        "capacity": entry.capacity,
        "start": entry.start,
        "end": entry.end,
        "status": entry.status,
    }


@transaction.atomic
def offer_catalogue_import(*, catalogue: Catalogue) -> ImportResult:
    """Create or update the catalogue's providers and offers by id, all or nothing.

    Raises ImportFailed, with the catalogue's own problems and every name the database
    does not know, before anything is written. Offers not in the file stay as they are.
    An offer listed in the file is replaced as a whole (target groups, funding lines and
    follow-ons included); one that would not change is not touched, so its
    ``updated_at`` keeps saying when it last really changed.
    """
    catalogue_check(catalogue)

    district_ids = dict(District.objects.values_list("name", "id"))
    target_groups_created = _target_groups_ensure(
        code for offer in catalogue.offers for code in offer.target_groups
    )
    providers_created, providers_updated = _providers_upsert(catalogue.providers, district_ids)

    offers = list(catalogue.offers)
    provider_ids = dict(
        Organisation.objects.filter(external_id__in={o.provider for o in offers}).values_list(
            "external_id", "id"
        )
    )
    before = {e.id: offer_to_dict(e) for e in offer_entries(external_ids=[o.id for o in offers])}
    new = [o for o in offers if o.id not in before]
    changed = [o for o in offers if o.id in before and offer_to_dict(o) != before[o.id]]

    Offer.objects.bulk_create(
        [Offer(external_id=o.id, **_offer_values(o, provider_ids, district_ids)) for o in new]
    )
    if changed:
        now = timezone.now()
        stored = Offer.objects.in_bulk([o.id for o in changed], field_name="external_id")
        for entry in changed:
            offer = stored[entry.id]
            for name, value in _offer_values(entry, provider_ids, district_ids).items():
                setattr(offer, name, value)
            offer.updated_at = now  # bulk_update skips auto_now
        Offer.objects.bulk_update(stored.values(), [*_OFFER_COLUMNS, "updated_at"])

    _offer_relations_replace([*new, *changed])
    return ImportResult(
        file=catalogue.file,
        counts={
            "providers_created": providers_created,
            "providers_updated": providers_updated,
            "offers_created": len(new),
            "offers_updated": len(changed),
            "offers_unchanged": len(offers) - len(new) - len(changed),
            "target_groups_created": target_groups_created,
            "follow_ons": sum(len(o.follow_ons) for o in offers),
            "funding_lines": sum(len(o.funding) for o in offers),
        },
    )


def _offer_relations_replace(entries: list[OfferEntry]) -> None:
    """Target groups, funding and follow-ons of the written offers, replaced as sets."""
    if not entries:
        return
    referenced = {e.id for e in entries} | {r for e in entries for r in e.follow_on_offer_ids}
    offer_ids = dict(
        Offer.objects.filter(external_id__in=referenced).values_list("external_id", "id")
    )
    written = [offer_ids[e.id] for e in entries]
    group_ids = dict(
        TargetGroup.objects.filter(
            code__in={c for e in entries for c in e.target_groups}
        ).values_list("code", "id")
    )
    through = Offer.target_groups.through
    through.objects.filter(offer_id__in=written).delete()
    FundingLine.objects.filter(offer_id__in=written).delete()
    FollowOn.objects.filter(from_offer_id__in=written).delete()
    through.objects.bulk_create(
        [
            through(offer_id=offer_ids[e.id], targetgroup_id=group_ids[code])
            for e in entries
            for code in e.target_groups
        ]
    )
    FundingLine.objects.bulk_create(
        [
            FundingLine(
                offer_id=offer_ids[e.id],
                funder=f.funder,
                amount_eur=f.amount_eur,
                start=f.start,
                end=f.end,
            )
            for e in entries
            for f in e.funding
        ]
    )
    FollowOn.objects.bulk_create(
        [
            FollowOn(
                from_offer_id=offer_ids[e.id],
                to_offer_id=None if ref.startswith(DESTINATION_PREFIX) else offer_ids[ref],
                destination=ref.removeprefix(DESTINATION_PREFIX)
                if ref.startswith(DESTINATION_PREFIX)
                else "",
                position=position,
            )
            for e in entries
            for position, ref in enumerate(e.follow_ons)
        ]
    )


# --- changing one offer ----------------------------------------------------------------


class OfferChanges(TypedDict, total=False):
    """What ``offer_update`` may change; a key left out stays as it is."""

    title: str
    description: str
    kind: str
    occupations: Collection[str]  # KldB 2010 codes, five digits
    district: District | None  # None: city-wide
    target_groups: Collection[TargetGroup]
    min_age: int | None
    max_age: int | None
    legal_branches: Collection[str]
    other_rules: str
    capacity: int | None
    start: dt.date | None
    end: dt.date | None
    status: str


EDITABLE_OFFER_FIELDS: tuple[str, ...] = tuple(OfferChanges.__annotations__)

# "offers[0].legal_branches[1]" -> "legal_branches"
_PROBLEM_FIELD = re.compile(r"offers\[0\]\.([a-z_]+)")


def _entry_with(entry: OfferEntry, changes: OfferChanges) -> OfferEntry:
    """The offer's catalogue entry as it would be after the changes, in the catalogue's
    own terms (district by name, target groups by code)."""
    values: dict[str, object] = {
        name: value
        for name, value in changes.items()
        if name not in ("district", "target_groups", "legal_branches", "occupations")
    }
    if "district" in changes:
        district = changes["district"]
        values["district"] = district.name if district is not None else None
    if "target_groups" in changes:
        values["target_groups"] = tuple(sorted(g.code for g in changes["target_groups"]))
    if "legal_branches" in changes:
        values["legal_branches"] = tuple(sorted(changes["legal_branches"]))
    if "occupations" in changes:
        values["occupations"] = tuple(sorted(changes["occupations"]))
    return dataclasses.replace(entry, **values)  # type: ignore[arg-type]


def _problems_by_field(problems: Iterable[ImportProblem]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for problem in problems:
        match = _PROBLEM_FIELD.match(problem.field)
        name = match.group(1) if match else ""
        key = name if name in EDITABLE_OFFER_FIELDS else NON_FIELD_ERRORS
        errors.setdefault(key, []).append(
            problem.message if key != NON_FIELD_ERRORS else f"{problem.field}: {problem.message}"
        )
    return errors


def offer_check(entry: OfferEntry) -> None:
    """Raise ValidationError (by field) if ``entry`` breaks a rule of the catalogue
    import. The entry goes through the catalogue reader and ``catalogue_check``, so an
    edit in the browser or the API is held to exactly the rules a catalogue file is:
    one set of rules, not a copy that drifts."""
    text = catalogue_json({"providers": [], "offers": [offer_to_dict(entry)]})
    try:
        catalogue_check(
            read_catalogue(text.encode(), file=entry.id, vocabulary=catalogue_vocabulary())
        )
    except ImportFailed as exc:
        raise ValidationError(_problems_by_field(exc.problems)) from None


# Rules across two fields of an offer: (the field a problem is named at, the other one,
# whether the entry breaks the rule).
_PAIRS: tuple[tuple[str, str, Callable[[OfferEntry], bool]], ...] = (
    ("end", "start", lambda e: e.start is not None and e.end is not None and e.end < e.start),
    (
        "max_age",
        "min_age",
        lambda e: e.min_age is not None and e.max_age is not None and e.max_age < e.min_age,
    ),
)


def _clash_with_stored(
    exc: ValidationError, after: OfferEntry, changes: OfferChanges
) -> ValidationError:
    """The problems as they are, but as ``ConflictsWithState`` when each of them is a
    rule across two fields of which only one was sent: the change is well formed and
    clashes with the stored other value (a new start after the stored end), which no
    request can know from the document (the API answers 409, not 422)."""
    problems = exc.message_dict
    against_stored = {
        field
        for field, other, broken in _PAIRS
        if broken(after) and (field in changes) != (other in changes)
    }
    if problems and set(problems) <= against_stored:
        return ConflictsWithState(problems)
    return exc


@transaction.atomic
def offer_update(
    *, offer: Offer, changed_by: AbstractBaseUser, **changes: Unpack[OfferChanges]
) -> list[str]:
    """Change some of an offer's own fields and return the names of those that really
    changed (none: nothing is written, ``updated_at`` stays).

    Validated by the catalogue import's rules (``offer_check``) before anything is
    written; on any problem ValidationError names the fields and nothing changes.
    Target groups must exist (an edit does not invent vocabulary, unlike an import).
    Funding lines and follow-ons are not changed here."""
    unknown = set(changes) - set(EDITABLE_OFFER_FIELDS)
    if unknown:
        raise ValidationError({NON_FIELD_ERRORS: [f"not editable: {', '.join(sorted(unknown))}"]})
    # Locked, so two saves of the same offer cannot interleave their checks and writes.
    locked = Offer.objects.select_for_update().get(pk=offer.pk)
    (before,) = offer_entries(external_ids=[locked.external_id])
    after = _entry_with(before, changes)
    try:
        offer_check(after)
    except ValidationError as exc:
        raise _clash_with_stored(exc, after, changes) from None
    old, new = offer_to_dict(before), offer_to_dict(after)
    changed = [name for name in EDITABLE_OFFER_FIELDS if old[name] != new[name]]
    if not changed:
        return []
    columns = [name for name in changed if name != "target_groups"]
    for name in columns:
        setattr(locked, name, changes[name])  # type: ignore[literal-required]
    if "legal_branches" in columns:
        locked.legal_branches = list(after.legal_branches)
    if "occupations" in columns:
        locked.occupations = list(after.occupations)
    # A re-import from the BA leaves the fields the city changed by hand alone.
    locked.locally_edited = sorted({*locked.locally_edited, *changed})
    locked.save(update_fields=[*columns, "locally_edited", "updated_at"])
    if "target_groups" in changed:
        locked.target_groups.set(list(changes["target_groups"]))
    # Who changed what stays in the log; the offer itself holds no personal data.
    logger.info(
        "offer %s changed by %s: %s",
        locked.external_id,
        changed_by.get_username(),
        ", ".join(changed),
    )
    offer.refresh_from_db()
    return changed
