"""What the registration tests share: the form's and the API's input for a new person,
and an existing person to meet in the duplicate check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from doconnect.core.models import Organisation
from doconnect.people.models import Person
from tests.conftest import City, make_person

# make_person's birth date: a registration with it meets those persons.
BIRTH_DATE = dt.date(2004, 5, 17)


def form_data(city: City, **overrides: Any) -> dict[str, Any]:
    """The form "Person aufnehmen" as a case worker fills it in for Mira Sommer."""
    data: dict[str, Any] = {
        "given_name": "Mira",
        "family_name": "Sommer",
        "birth_date": "1999-03-08",
        "gender": "female",
        "street": "Evinger Straße 12",
        "postcode": "44339",
        "district": city.district.official_key,
        "email": "",
        "phone": "",
        "legal_branch": "SGB II",
        "school_qualification": "mittlerer",
        "vocational_qualification": "none",
        "target_groups": [city.youth.code],
        "consent_purpose": "counselling",
        "consent_organisations": [city.jobcenter.external_id],
        "consent_valid_from": timezone.localdate().isoformat(),
        "consent_valid_until": "",
    }
    data.update(overrides)
    return data


def api_body(city: City, **overrides: Any) -> dict[str, Any]:
    """The same person as the body of POST /api/persons."""
    body = form_data(city, consent_valid_until=None)
    body.update(overrides)
    return body


def existing(
    city: City,
    given_name: str = "Alexandra",
    family_name: str = "Müller",
    *,
    consent_orgs: list[Organisation],
) -> Person:
    """A person already registered (born 17.05.2004, Eving)."""
    return make_person(
        city, given_name=given_name, family_name=family_name, consent_orgs=consent_orgs
    )
