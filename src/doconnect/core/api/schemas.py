"""Request and response shapes every domain's API shares: paging, errors and districts.
Each domain keeps its own shapes beside its router (``people/schemas.py``,
``offers/schemas.py``, …); together they are the OpenAPI description."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    TypeAdapter,
    WithJsonSchema,
    model_validator,
)

from doconnect.core.models import District

T = TypeVar("T")


class BodyIn(Schema):
    """The base of every request body (issue #20). A body is a JSON object with the
    documented keys only: an array, a string, a number or null is refused with 422
    (ninja would otherwise read it as an object with every field left out, so an
    all-optional change took ``"AAA"`` as "change nothing"), and so is a key the
    document does not name (``additionalProperties: false``; it was silently dropped).
    Numbers and booleans in a body are strict where a schema uses ``WholeNumber`` /
    ``StrictBool``: ``true`` is no number, ``"5"`` no integer, ``1`` no boolean."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        # ninja hands the model a DjangoGetter around the dict once it has taken it.
        if isinstance(data, dict | DjangoGetter):
            return data
        raise ValueError("expected a JSON object")


def json_number(value: object) -> object:
    """A JSON number as it came: pydantic alone would also read ``true`` as 1 and
    ``"5"`` as 5, which the document (``type: integer``) forbids."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a whole number")
    return value


# An integer of a request body as JSON Schema means it: 5 and 5.0, not true or "5".
# (Not pydantic's StrictInt: that refuses 5.0, which the document's "integer" allows.)
WholeNumber = Annotated[int, BeforeValidator(json_number)]
# A bounded one that may be null: the bounds must come before the validator, else
# pydantic writes them into the document as "ge"/"le", which JSON Schema does not know,
# and clients (and st) never learn them (tests/api/test_api_edges.py checks the document).


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


def documented_required(*names: str) -> ConfigDict:
    """A body's config stating ``names`` as required in the document although the
    model leaves them optional: the service then checks them together with the body's
    other rules and names every problem at once (422 by field), while the document
    tells a client not to leave them out."""

    def extra(schema: dict[str, Any]) -> None:
        schema["required"] = sorted({*schema.get("required", []), *names})

    return ConfigDict(json_schema_extra=extra)


def _not_null(value: T) -> T:
    if value is None:
        raise ValueError("may be left out, but not null")
    return value


# With ``present``, for a field whose service has no answer to null (a list): refused at
# the edge with 422 at the field. Only a value sent is checked, not the default.
NOT_NULL = AfterValidator(_not_null)


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
