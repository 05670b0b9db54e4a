"""Fields of a request that name a stored thing (a district by official key, a target
group by code, an organisation or an offer by external id), and how the OpenAPI
document states which names exist (issue #20).

The document is this installation's: when it is served, each such field gets the
names stored now as its ``enum`` (``document_references``), so a client, and
schemathesis, can tell an unknown name from a known one without trying. The endpoints
keep refusing an unknown name with 422 at the field; the lists are the public
directory of the platform (``GET /api/districts``, ``/api/providers``, ``/api/offers``),
never persons or users."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

from django.apps import apps
from pydantic import WithJsonSchema

REFERENCE_KEY = "x-references"


class Kind(StrEnum):
    DISTRICT = "district"  # official key
    TARGET_GROUP = "target_group"  # code
    ORGANISATION = "organisation"  # external id
    OFFER = "offer"  # external id


def _documented(kind: Kind, *, empty: bool = False) -> WithJsonSchema:
    schema: dict[str, Any] = {"type": "string", REFERENCE_KEY: kind.value}
    if empty:
        schema["x-empty"] = True
    return WithJsonSchema(schema)


DistrictKey = Annotated[str, _documented(Kind.DISTRICT)]
DistrictKeyOrEmpty = Annotated[str, _documented(Kind.DISTRICT, empty=True)]
TargetGroupCode = Annotated[str, _documented(Kind.TARGET_GROUP)]
OrganisationId = Annotated[str, _documented(Kind.ORGANISATION)]
OrganisationIdOrEmpty = Annotated[str, _documented(Kind.ORGANISATION, empty=True)]
OfferId = Annotated[str, _documented(Kind.OFFER)]
OfferIdOrEmpty = Annotated[str, _documented(Kind.OFFER, empty=True)]

# The stored names of each kind. Through the app registry, not imports: core must not
# depend on the offers app.
_NAMES: dict[Kind, Callable[[], list[str]]] = {
    Kind.DISTRICT: lambda: _values("core", "District", "official_key"),
    Kind.TARGET_GROUP: lambda: _values("core", "TargetGroup", "code"),
    Kind.ORGANISATION: lambda: _values("core", "Organisation", "external_id"),
    Kind.OFFER: lambda: _values("offers", "Offer", "external_id"),
}


# Kinds a domain defines for itself (``names_of``), by name.
_DOMAIN_NAMES: dict[str, Callable[[], list[str]]] = {}


def names_of(kind: str, names: Callable[[], list[str]]) -> WithJsonSchema:
    """A reference field of a kind a domain defines (core knows no domain's rules):
    ``names`` gives the stored names it takes, e.g. the organisations that may
    guarantee an agreement item (``people.agreements.schemas``)."""
    _DOMAIN_NAMES[kind] = names
    return WithJsonSchema({"type": "string", REFERENCE_KEY: kind})


def _values(app: str, model: str, field: str) -> list[str]:
    manager = apps.get_model(app, model)._default_manager
    return sorted(manager.exclude(**{field: ""}).values_list(field, flat=True))


def _names(kind: str) -> list[str]:
    domain = _DOMAIN_NAMES.get(kind)
    return domain() if domain is not None else _NAMES[Kind(kind)]()


def document_references(node: Any, names: dict[str, list[str]] | None = None) -> None:
    """Give each reference field of an OpenAPI document (``x-references``) the names
    stored now as its enum (one query per kind and document)."""
    names = {} if names is None else names
    if isinstance(node, dict):
        kind = node.get(REFERENCE_KEY)
        if isinstance(kind, str):
            if kind not in names:
                names[kind] = _names(kind)
            known = ([""] if node.get("x-empty") else []) + names[kind]
            if known:  # an empty enum would make the operation unusable in the document
                node["enum"] = known
        for value in node.values():
            document_references(value, names)
    elif isinstance(node, list):
        for value in node:
            document_references(value, names)
