"""Training and apprenticeship offers from the BA's Weiterbildungssuche and
Ausbildungssuche into the offer catalogue.

``read_ba_offers`` is pure (JSON in, dataclasses out, every problem with file, line and
JSON path); ``ba_offers_import`` writes them in one transaction, upserting by (source,
the BA's id of the date, ``termine[].id``). A field the city changed by hand
(``Offer.locally_edited``, kept by ``offers.services.offer_update``) is never
overwritten by a re-import.

Both services answer ``{"_embedded": {"termine": [...]}, "page": {...}}``; a date
(Termin) is one run of an offer: ``id``, ``angebot{titel, bildungsanbieter{id, name}}``
(``anbieter`` is read as well), ``beginn``/``ende`` (milliseconds since 1970 or
YYYY-MM-DD), ``adresse{ortStrasse{plz, name}, koordinaten{lat, lon}}`` (or
``adresse{plz, ort}``),
``foerderung`` (approved for the Bildungsgutschein) and ``teilnehmerMax`` (capacity).

**No occupations.** Neither service gives a KldB 2010 code: the Weiterbildungssuche
classifies offers by its own Systematik (``sys`` C/D, ``bildungsart``,
``angebotstyp``), the Ausbildungssuche by BERUFENET ids (``ids``), neither of which
maps one-to-one onto KldB. Imported offers therefore have no ``occupations``; the city
adds them by hand (``offer_update``), and a re-import never touches them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from doconnect.core.models import Organisation, OrganisationKind
from doconnect.files.importing import ImportFailed, ImportProblem, ImportResult
from doconnect.files.jsonfile import Problems, json_type, read_json, shown
from doconnect.labourmarket.employers.ba import Fields
from doconnect.labourmarket.employers.services import placement_for
from doconnect.offers.models import Offer, OfferKind, OfferSource, OfferStatus

SOURCES: dict[str, str] = {
    "weiterbildung": OfferSource.WEITERBILDUNGSSUCHE,
    "ausbildung": OfferSource.AUSBILDUNGSSUCHE,
}
_KIND: dict[str, str] = {
    OfferSource.WEITERBILDUNGSSUCHE: OfferKind.FURTHER_TRAINING,
    OfferSource.AUSBILDUNGSSUCHE: OfferKind.APPRENTICESHIP,
}
_ID_PREFIX: dict[str, str] = {
    OfferSource.WEITERBILDUNGSSUCHE: "ba-wb-",
    OfferSource.AUSBILDUNGSSUCHE: "ba-ab-",
}
PROVIDER_ID_PREFIX = "ba-anbieter-"  # marks a provider organisation created from the BA
_REFERENCE_MAX = 60
_TITLE_MAX = 300  # Offer.title
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")

# The offer's fields a re-import sets, by the names offer_update records.
_FROM_BA = ("title", "district", "capacity", "start", "end")


@dataclass(frozen=True)
class BAOfferEntry:
    reference: str  # termine[].id
    title: str
    provider_name: str
    provider_reference: str  # bildungsanbieter.id, "" if not given
    start: dt.date | None
    end: dt.date | None
    postcode: str
    place: str
    point: tuple[float, float] | None  # adresse.koordinaten as (longitude, latitude)
    voucher_eligible: bool | None
    capacity: int | None
    line: int
    path: str


@dataclass(frozen=True)
class BAOfferResponse:
    file: str
    source: str  # an OfferSource value
    offers: tuple[BAOfferEntry, ...]


def _reference(fields: Fields, name: str) -> str:
    child = fields.get(name, required=True)
    if child is None:
        return ""
    value = child.value
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip():
        fields.problem(name, f"expected a number or text id, found {shown(value)}", child.line)
        return ""
    text = str(value).strip()
    if len(text) > _REFERENCE_MAX:
        fields.problem(name, f"longer than {_REFERENCE_MAX} characters", child.line)
        return ""
    return text


def _read_termin(fields: Fields) -> BAOfferEntry:
    reference = _reference(fields, "id")
    title, provider_name, provider_reference = "", "", ""
    offer = fields.obj("angebot", required=True)
    if offer is not None:
        title = offer.text("titel", required=True, max_length=_TITLE_MAX)
        provider_key = "bildungsanbieter" if offer.has("bildungsanbieter") else "anbieter"
        provider = offer.obj(provider_key, required=True)
        if provider is not None:
            provider_name = provider.text("name", required=True, max_length=200)
            if provider.has("id"):
                provider_reference = _reference(provider, "id")
    postcode, place = "", ""
    point = None
    address = fields.obj("adresse")
    if address is not None:
        point = address.coordinates("koordinaten")
        street = address.obj("ortStrasse")
        if street is not None:
            postcode = street.postcode("plz")
            place = street.text("name", max_length=120)
        postcode = postcode or address.postcode("plz")
        place = place or address.text("ort", max_length=120)
    start, end = fields.period("beginn", "ende")
    return BAOfferEntry(
        reference=reference,
        title=title,
        provider_name=provider_name,
        provider_reference=provider_reference,
        start=start,
        end=end,
        postcode=postcode,
        place=place,
        point=point,
        voucher_eligible=fields.boolean("foerderung"),
        capacity=fields.integer("teilnehmerMax"),
        line=fields.node.line,
        path=fields.node.path,
    )


def read_ba_offers(
    data: bytes, *, file: str, source: str, allow_empty: bool = False
) -> BAOfferResponse:
    """Read and check one saved Weiterbildungssuche or Ausbildungssuche response.
    Raises ImportFailed with every problem; an empty ``termine`` list is one, unless
    ``allow_empty`` (a live search that found nothing, or its last page)."""
    if source not in _KIND:
        raise ValueError(f"unknown source {source!r}")
    root = read_json(data, file=file)
    problems = Problems(file)
    if not isinstance(root.value, dict):
        problems.add(
            root.line,
            "",
            'expected a JSON object with "_embedded": {"termine": [...]}, '
            f"found {json_type(root.value)}",
        )
        problems.raise_if_any()
    if allow_empty and root.member("_embedded") is None:
        # Spring's HAL answers leave "_embedded" out when a search finds nothing.
        return BAOfferResponse(file=file, source=source, offers=())
    top = Fields(root, problems)
    embedded = top.obj("_embedded", required=True)
    entries: list[BAOfferEntry] = []
    if embedded is not None:
        termine = embedded.node.member("termine")
        items = embedded.objects("termine", required=True)
        if (
            termine is not None
            and isinstance(termine.value, list)
            and not termine.items
            and not allow_empty
        ):
            problems.add(termine.line, termine.path, "is empty: the file holds no offers to import")
        first_line: dict[str, int] = {}
        for fields in items:
            entry = _read_termin(fields)
            if entry.reference in first_line:
                fields.problem(
                    "id",
                    f"id {shown(entry.reference)} given twice "
                    f"(first at line {first_line[entry.reference]})",
                )
            elif entry.reference:
                first_line[entry.reference] = entry.line
            entries.append(entry)
    problems.raise_if_any()
    return BAOfferResponse(file=file, source=source, offers=tuple(entries))


def combine_ba_offers(
    responses: list[BAOfferResponse], *, file: str, source: str
) -> BAOfferResponse:
    """The pages of one live search as one response; a date on two pages (the list
    moved while paging) counts once, the later page winning."""
    by_reference: dict[str, BAOfferEntry] = {}
    for response in responses:
        for entry in response.offers:
            by_reference.pop(entry.reference, None)
            by_reference[entry.reference] = entry
    return BAOfferResponse(file=file, source=source, offers=tuple(by_reference.values()))


# --- writing --------------------------------------------------------------------------


def _offer_external_id(source: str, reference: str) -> str:
    tail = reference if _SLUG.fullmatch(reference) else slugify(reference)
    return f"{_ID_PREFIX[source]}{tail}"[:80]


def _providers(entries: list[BAOfferEntry]) -> tuple[dict[BAOfferEntry, int], int]:
    """The provider organisation of each entry: the one created from the BA for its
    BA id, else a provider of exactly that name, else a new one (external id
    ``ba-anbieter-<BA id>``, marking it as from the BA). Returns the ids and how many
    were created."""
    by_external = {
        o.external_id: o
        for o in Organisation.objects.filter(
            external_id__in={
                PROVIDER_ID_PREFIX + e.provider_reference for e in entries if e.provider_reference
            }
        )
    }
    by_name: dict[str, Organisation] = {}
    for provider in Organisation.objects.filter(
        kind=OrganisationKind.PROVIDER, name__in={e.provider_name for e in entries}
    ).order_by("id"):
        by_name.setdefault(provider.name, provider)
    taken = set(
        Organisation.objects.filter(external_id__startswith=PROVIDER_ID_PREFIX).values_list(
            "external_id", flat=True
        )
    )
    result: dict[BAOfferEntry, int] = {}
    created = 0
    for entry in entries:
        org: Organisation | None = by_external.get(
            PROVIDER_ID_PREFIX + entry.provider_reference
        ) or by_name.get(entry.provider_name)
        if org is None:
            tail = entry.provider_reference or slugify(entry.provider_name)[:60] or "anbieter"
            external_id, n = PROVIDER_ID_PREFIX + tail, 1
            while external_id in taken:
                n += 1
                external_id = f"{PROVIDER_ID_PREFIX}{tail}-{n}"
            taken.add(external_id)
            org = Organisation.objects.create(
                external_id=external_id[:80],
                name=entry.provider_name,
                kind=OrganisationKind.PROVIDER,
            )
            created += 1
            by_external[org.external_id] = org
        by_name.setdefault(entry.provider_name, org)
        result[entry] = org.pk
    return result, created


@transaction.atomic
def ba_offers_import(*, response: BAOfferResponse) -> ImportResult:
    """Create or update the response's offers by (source, BA id), all or nothing.

    New offers are active, of kind further training (Weiterbildungssuche) or
    apprenticeship (Ausbildungssuche), with the district of their coordinates (inside a
    district's boundary), else of the postcode table (none when the postcode is
    unknown). On a re-import the BA's title, district, capacity,
    dates, place and Bildungsgutschein flag replace the stored ones, except the fields
    the city changed by hand; the provider follows the BA. Offers not in the response
    stay as they are."""
    source = response.source
    entries = list(response.offers)
    stored = {
        o.source_reference: o
        for o in Offer.objects.filter(
            source=source, source_reference__in=[e.reference for e in entries]
        )
    }
    clashing = set(
        Offer.objects.filter(
            external_id__in=[
                _offer_external_id(source, e.reference)
                for e in entries
                if e.reference not in stored
            ]
        ).values_list("external_id", flat=True)
    )
    problems = [
        ImportProblem(
            response.file,
            e.line,
            f"{e.path}.id",
            f'the offer id "{_offer_external_id(source, e.reference)}" is taken by another offer',
        )
        for e in entries
        if e.reference not in stored and _offer_external_id(source, e.reference) in clashing
    ]
    for entry in entries:
        offer = stored.get(entry.reference)
        if offer is None:
            continue
        kept = set(offer.locally_edited)
        start = offer.start if "start" in kept else entry.start
        end = offer.end if "end" in kept else entry.end
        if start is not None and end is not None and end < start:
            problems.append(
                ImportProblem(
                    response.file,
                    entry.line,
                    entry.path,
                    f"the new dates would end ({end.isoformat()}) before the start "
                    f"({start.isoformat()}) the city set by hand; correct the offer "
                    f'"{offer.external_id}" first',
                )
            )
    if problems:
        raise ImportFailed(problems)

    providers, providers_created = _providers(entries)
    placement = placement_for(e.postcode for e in entries)
    created: list[Offer] = []
    changed: list[Offer] = []
    kept_fields = 0
    columns = ["provider_id", "postcode", "place", "voucher_eligible"]
    local_columns = {
        "title": "title",
        "district": "district_id",
        "capacity": "capacity",
        "start": "start",
        "end": "end",
    }
    for entry in entries:
        district_id, _how = placement.place(entry.point, entry.postcode)
        values: dict[str, object] = {
            "provider_id": providers[entry],
            "postcode": entry.postcode,
            "place": entry.place,
            "voucher_eligible": entry.voucher_eligible,
            "title": entry.title,
            "district_id": district_id,
            "capacity": entry.capacity,
            "start": entry.start,
            "end": entry.end,
        }
        offer = stored.get(entry.reference)
        if offer is None:
            created.append(
                Offer(
                    external_id=_offer_external_id(source, entry.reference),
                    kind=_KIND[source],
                    status=OfferStatus.ACTIVE,
                    source=source,
                    source_reference=entry.reference,
                    **values,
                )
            )
            continue
        kept = {local_columns[name] for name in offer.locally_edited if name in local_columns}
        kept_fields += len(kept)
        dirty = False
        for name, value in values.items():
            if name in kept or getattr(offer, name) == value:
                continue
            setattr(offer, name, value)
            dirty = True
        if dirty:
            changed.append(offer)
    Offer.objects.bulk_create(created)
    if changed:
        now = timezone.now()
        for offer in changed:
            offer.updated_at = now  # bulk_update skips auto_now
        Offer.objects.bulk_update(
            changed, [*columns, *local_columns.values(), "updated_at"], batch_size=500
        )
    return ImportResult(
        file=response.file,
        counts={
            "providers_created": providers_created,
            "offers_created": len(created),
            "offers_updated": len(changed),
            "offers_unchanged": len(entries) - len(created) - len(changed),
            "fields_kept_as_edited": kept_fields,
            **placement.summary(),
        },
    )
