"""Reads of agreements for the person page, the agreement page, its PDF, the API and the
task list, under the rules of ``agreements.access``. "Überfällig" and "Überprüfung
fällig" are worked out here from the dates (``today``), never read from a column."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from doconnect.core.viewers import Viewer
from doconnect.people.access import PersonRecord, visible_persons
from doconnect.people.access_rules import Purpose
from doconnect.people.agreements.access import (
    agreement_organisations,
    items_with_owners,
    may_change_items,
    may_close,
    may_see_agreement,
    may_work_on_agreements,
)
from doconnect.people.agreements.models import Agreement, AgreementItem, ItemSide

# Zweckbindung: agreements (Eingliederungsvereinbarung) are part of counselling.
PURPOSE = Purpose.COUNSELLING


@dataclass(frozen=True)
class ItemView:
    item: AgreementItem
    overdue: bool

    @property
    def owner_user_name(self) -> str:
        user = self.item.owner_user
        if user is None:
            return ""
        return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class AgreementView:
    """One agreement as a viewer sees it: both sides in reading order (the person's
    first), what is overdue, and what the viewer may do with it."""

    agreement: Agreement
    person_items: list[ItemView]
    institution_items: list[ItemView]
    review_due: bool
    may_change_items: bool
    may_close: bool

    @property
    def sides(self) -> list[tuple[str, list[ItemView]]]:
        return [
            (ItemSide.PERSON.value, self.person_items),
            (ItemSide.INSTITUTION.value, self.institution_items),
        ]

    @property
    def items(self) -> list[ItemView]:
        return [*self.person_items, *self.institution_items]

    @property
    def overdue_count(self) -> int:
        return sum(1 for i in self.items if i.overdue)

    @property
    def author_name(self) -> str:
        user = self.agreement.created_by
        if user is None:
            return ""
        return user.get_full_name() or user.get_username()


def _by_due_date(item: AgreementItem) -> tuple[bool, dt.date, int]:
    return (item.due_on is None, item.due_on or dt.date.max, item.pk or 0)


def agreement_view(viewer: Viewer, agreement: Agreement, *, today: dt.date) -> AgreementView:
    """An agreement loaded with ``items_with_owners()``, for a viewer who may see it."""
    items = sorted(agreement.items.all(), key=_by_due_date)
    views = [ItemView(item=i, overdue=i.overdue(today)) for i in items]
    return AgreementView(
        agreement=agreement,
        person_items=[v for v in views if v.item.side == ItemSide.PERSON],
        institution_items=[v for v in views if v.item.side != ItemSide.PERSON],
        review_due=agreement.review_due(today),
        may_change_items=may_change_items(viewer, agreement, items),
        may_close=may_close(viewer, agreement),
    )


@dataclass(frozen=True)
class PersonAgreements:
    """The agreements section of a person's page. Without ``shows_contents`` the
    viewer learns only how many agreements there are (``count``); ``hidden`` are
    those of other organisations a provider is not part of."""

    shows_contents: bool
    count: int
    agreements: list[AgreementView]
    may_write: bool

    @property
    def hidden(self) -> int:
        return self.count - len(self.agreements) if self.shows_contents else 0

    @property
    def overdue_count(self) -> int:
        return sum(a.overdue_count for a in self.agreements)

    @property
    def reviews_due(self) -> int:
        return sum(1 for a in self.agreements if a.review_due)


def person_agreements(
    viewer: Viewer, record: PersonRecord, *, today: dt.date | None = None
) -> PersonAgreements:
    """The person's agreements this viewer may read (newest first), in a fixed number of
    queries (two) whatever their number; or only their count. The record comes from
    ``access_person``, which audited the read."""
    day = today or timezone.localdate()
    person = record.person
    if not may_work_on_agreements(viewer, record.level):
        return PersonAgreements(
            shows_contents=False, count=person.agreements.count(), agreements=[], may_write=False
        )
    agreements = list(
        person.agreements.select_related("organisation", "created_by").prefetch_related(
            items_with_owners()
        )
    )
    return PersonAgreements(
        shows_contents=True,
        count=len(agreements),
        agreements=[
            agreement_view(viewer, a, today=day)
            for a in agreements
            if may_see_agreement(viewer, a, a.items.all())
        ],
        may_write=True,
    )


def agreement_reviews_due(viewer: Viewer, *, until: dt.date) -> QuerySet[Agreement]:
    """Agreements in force of the viewer's own organisations, of persons the viewer
    still sees, whose review date is ``until`` or earlier (for a task list: pseudonym
    and date, ``person`` loaded), earliest first."""
    return (
        Agreement.objects.review_due_on(until)
        .filter(
            organisation__in=agreement_organisations(viewer),
            person__in=visible_persons(viewer, purpose=PURPOSE),
        )
        .select_related("person")
        .order_by("review_on", "id")
    )


def overdue_agreement_items(viewer: Viewer, *, today: dt.date) -> QuerySet[AgreementItem]:
    """Open items past their due date that the viewer's organisations guarantee or
    that stand in their own agreements, of persons the viewer still sees; earliest
    first, with the agreement and its person loaded."""
    mine = agreement_organisations(viewer)
    return (
        AgreementItem.objects.overdue_on(today)
        .filter(Q(owner_organisation__in=mine) | Q(agreement__organisation__in=mine))
        .filter(agreement__person__in=visible_persons(viewer, today=today, purpose=PURPOSE))
        .select_related("agreement", "agreement__person")
        .order_by("due_on", "id")
    )
