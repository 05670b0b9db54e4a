"""Request and response shapes of the vacancy endpoint (part of the OpenAPI
description)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from doconnect.core.api.schemas import DistrictOut


class VacancyFilter(Schema):
    district: str | None = Field(None, description="Amtlicher Schlüssel des Stadtbezirks")
    kldb: str | None = Field(
        None,
        pattern=r"^\d{1,5}$",
        description="KldB 2010 code or its leading digits (prefix match)",
    )


class VacancyOut(Schema):
    source: str
    reference: str
    title: str
    employer: str = Field(description="employer name")
    kldb: str
    district: DistrictOut | None
    postcode: str
    place: str
    published_on: dt.date | None
    entry_on: dt.date | None
    positions: int
