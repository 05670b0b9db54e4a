"""A person's agreements in the DSGVO Art. 15 export (``people.privacy``): every
agreement with its items, their owners and statuses, who wrote it and when. Erasure
needs nothing here: agreements and items go with the person (on delete cascade), the
audit trail stays."""

from __future__ import annotations

from typing import Any

from doconnect.people.agreements.access import items_with_owners
from doconnect.people.models import Person


def agreements_export(person: Person) -> list[dict[str, Any]]:
    agreements = person.agreements.select_related("organisation", "created_by").prefetch_related(
        items_with_owners()
    )
    return [
        {
            "title": a.title,
            "organisation": a.organisation.external_id,
            "concluded_on": a.concluded_on.isoformat(),
            "review_on": a.review_on.isoformat() if a.review_on else None,
            "status": a.status,
            "created_at": a.created_at.isoformat(),
            "created_by": a.created_by.get_username() if a.created_by else None,
            "items": [
                {
                    "side": i.side,
                    "text": i.text,
                    "status": i.status,
                    "due_on": i.due_on.isoformat() if i.due_on else None,
                    "owner_organisation": i.owner_organisation.external_id
                    if i.owner_organisation
                    else None,
                    "owner_user": i.owner_user.get_username() if i.owner_user else None,
                }
                for i in a.items.all()
            ],
        }
        for a in agreements
    ]
