"""Request and response shapes every domain's API shares: paging, errors and districts.
Each domain keeps its own shapes beside its router (``people/schemas.py``,
``offers/schemas.py``, …); together they are the OpenAPI description."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from ninja import Field, Schema
from pydantic import TypeAdapter, WithJsonSchema

from doconnect.core.models import District

T = TypeVar("T")


class PageParams(Schema):
    page: int = Field(1, ge=1, description="Seite, ab 1")
    page_size: int = Field(50, ge=1, le=200, description="Einträge je Seite (höchstens 200)")


class Page(Schema, Generic[T]):
    count: int = Field(description="Treffer insgesamt (über alle Seiten)")
    page: int
    page_size: int
    items: list[T]


class ErrorOut(Schema):
    detail: str | dict[str, list[str]] | list[dict[str, object]]


class DistrictOut(Schema):
    official_key: str
    name: str


def district_body(district: District | None) -> dict[str, str] | None:
    """A district as JSON (``DistrictOut``): official key and name."""
    if district is None:
        return None
    return {"official_key": district.official_key, "name": district.name}


def present(kind: Any) -> WithJsonSchema:
    """The schema of an optional field that may be left out but not sent as null
    (``Annotated[Gender | None, present(Gender)] = None``): the document offers the
    values of ``kind`` only, as the service refuses null there."""
    schema = TypeAdapter(kind).json_schema()
    return WithJsonSchema(_inlined(schema, schema.pop("$defs", {})))


def _inlined(node: Any, definitions: dict[str, Any]) -> Any:
    """``node`` with its references into ``definitions`` replaced by what they name
    (the schema is placed into other documents, where its ``$defs`` do not exist)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inlined(definitions[ref.removeprefix("#/$defs/")], definitions)
        return {key: _inlined(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inlined(value, definitions) for value in node]
    return node
