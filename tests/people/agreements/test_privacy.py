"""A person's agreements in the DSGVO Art. 15 export, and gone after erasure while the
audit trail stays."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User

from doconnect.core.models import AuditEvent
from doconnect.core.viewers import viewer_for
from doconnect.people.agreements.models import Agreement, AgreementItem
from doconnect.people.agreements.services import ItemInput
from doconnect.people.privacy import person_data_export, person_erase
from tests.conftest import City, make_person
from tests.people.agreements.helpers import conclude


def test_the_export_holds_each_agreement_with_its_items_owners_and_statuses(
    city: City, coordinator: User, provider_staff: User
) -> None:
    person = make_person(city, consent_orgs=[city.city])
    conclude(
        coordinator,
        person,
        organisation="city",
        items=[
            ItemInput(side="person", text="Kommt zum Kurs.", due_on=dt.date(2026, 12, 1)),
            ItemInput(
                side="institution",
                text="Hält den Platz frei.",
                due_on=dt.date(2026, 11, 1),
                owner_organisation="p-a",
                owner_user="provider_staff",
            ),
        ],
    )

    data = person_data_export(viewer=viewer_for(coordinator), public_id=person.public_id)

    [agreement] = data["agreements"]
    assert agreement["organisation"] == "city" and agreement["status"] == "active"
    assert agreement["review_on"] == "2027-01-15" and agreement["created_by"] == "coordinator"
    assert sorted(
        (i["side"], i["text"], i["owner_organisation"], i["owner_user"], i["status"], i["due_on"])
        for i in agreement["items"]
    ) == [
        ("institution", "Hält den Platz frei.", "p-a", "provider_staff", "open", "2026-11-01"),
        ("person", "Kommt zum Kurs.", None, None, "open", "2026-12-01"),
    ]


def test_erasure_removes_the_agreements_and_keeps_the_audit_trail(
    city: City, coordinator: User
) -> None:
    person = make_person(city, consent_orgs=[city.city])
    agreement = conclude(
        coordinator,
        person,
        organisation="city",
        items=[
            ItemInput(side="person", text="Kommt.", due_on=dt.date(2026, 12, 1)),
            ItemInput(
                side="institution",
                text="Zahlt.",
                due_on=dt.date(2026, 12, 1),
                owner_organisation="city",
            ),
        ],
    )

    person_erase(viewer=viewer_for(coordinator), public_id=person.public_id, reason="Antrag")

    assert not Agreement.objects.filter(pk=agreement.pk).exists()
    assert not AgreementItem.objects.filter(agreement_id=agreement.pk).exists()
    actions = set(
        AuditEvent.objects.filter(person_public_id=person.public_id).values_list(
            "action", flat=True
        )
    )
    assert {"change", "erase"} <= actions  # the agreement's writing is still on record
