"""Writing agreements *on behalf of a viewer*: the page, the API and any import call
these, so the rules live once. Each function checks, in this order, that the viewer
sees the person (else PersonNotFound, as for a read), that they may work on agreements
and on this one (PermissionDenied), validates (ValidationError with field names),
writes in one transaction and audits a ``change``.

Field names of the errors: ``title``, ``concluded_on``, ``review_on``,
``organisation``, ``person_items`` and ``institution_items`` (a side as a whole),
``items.<n>.<field>`` (the n-th item as given, from 0: ``text``, ``side``,
``owner_organisation``, ``owner_user``, ``due_on``), and ``status``, ``due_on`` for an
item change."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from doconnect.core.models import Membership, Organisation
from doconnect.core.refusals import ConflictsWithState
from doconnect.core.viewers import Viewer
from doconnect.people.access import audit_change
from doconnect.people.access_rules import Level, Purpose
from doconnect.people.agreements.access import (
    AgreementNotFound,
    agreement_organisations,
    is_party,
    items_with_owners,
    may_see_agreement,
    person_and_level,
    require_agreement_work,
)
from doconnect.people.agreements.models import (
    GUARANTOR_KINDS,
    Agreement,
    AgreementItem,
    AgreementStatus,
    ItemSide,
    ItemStatus,
)
from doconnect.people.models import Person

# Zweckbindung: agreements (Eingliederungsvereinbarung) are part of counselling.
PURPOSE = Purpose.COUNSELLING

TITLE_MAX_LENGTH = 200
ITEMS_MAX = 40


@dataclass(frozen=True)
class ItemInput:
    """One item as the page or the API gives it. ``owner_organisation`` (external id)
    and ``owner_user`` (username) only on the institutions' side: on the person's side
    the person is the owner."""

    side: str
    text: str
    due_on: dt.date | None
    owner_organisation: str = ""
    owner_user: str = ""


Errors = dict[str, list[str]]


def _owners(items: Sequence[ItemInput]) -> tuple[dict[str, Organisation], dict[str, int]]:
    """The owner organisations (guarantors only) by external id, and the owner users'
    ids by username, each in one query."""
    keys = {i.owner_organisation for i in items if i.owner_organisation}
    organisations = {
        o.external_id: o
        for o in Organisation.objects.filter(external_id__in=keys, kind__in=GUARANTOR_KINDS)
    }
    names = {i.owner_user for i in items if i.owner_user}
    users = dict(
        get_user_model()
        .objects.filter(username__in=names, is_active=True)
        .values_list("username", "pk")
    )
    return organisations, users


def _validate_items(
    items: Sequence[ItemInput], concluded_on: dt.date | None, errors: Errors
) -> list[AgreementItem]:
    organisations, users = _owners(items)
    members = set(
        Membership.objects.filter(
            user_id__in=users.values(), organisation__in=organisations.values()
        ).values_list("user_id", "organisation_id")
    )
    built: list[AgreementItem] = []
    sides: dict[str, int] = defaultdict(int)
    for n, item in enumerate(items):
        key = f"items.{n}"
        if item.side not in ItemSide.values:
            errors[f"{key}.side"] = [_("Bitte wählen Sie eine Seite.")]
            continue
        sides[item.side] += 1
        text = item.text.strip()
        if not text:
            errors[f"{key}.text"] = [_("Bitte beschreiben Sie, was vereinbart ist.")]
        if item.due_on is None:
            errors[f"{key}.due_on"] = [_("Bitte geben Sie an, bis wann.")]
        elif concluded_on is not None and item.due_on < concluded_on:
            errors[f"{key}.due_on"] = [
                _("Fällig frühestens am Tag der Vereinbarung (%(day)s).")
                % {"day": concluded_on.strftime("%d.%m.%Y")}
            ]
        organisation: Organisation | None = None
        user_id: int | None = None
        if item.side == ItemSide.PERSON:
            if item.owner_organisation or item.owner_user:
                errors[f"{key}.owner_organisation"] = [
                    _("Was die Person zusagt, verantwortet die Person selbst.")
                ]
        elif not item.owner_organisation:
            errors[f"{key}.owner_organisation"] = [
                _("Bitte wählen Sie die Stelle, die das zusichert.")
            ]
        else:
            organisation = organisations.get(item.owner_organisation)
            if organisation is None:
                errors[f"{key}.owner_organisation"] = [
                    _("Unbekannte Stelle %(key)s: nur Stadt, Jobcenter, Agentur oder Träger.")
                    % {"key": item.owner_organisation}
                ]
            elif item.owner_user:
                user_id = users.get(item.owner_user)
                if user_id is None or (user_id, organisation.pk) not in members:
                    errors[f"{key}.owner_user"] = [
                        _("Die zuständige Fachkraft muss zu %(organisation)s gehören.")
                        % {"organisation": organisation.name}
                    ]
        built.append(
            AgreementItem(
                side=item.side,
                text=text,
                due_on=item.due_on,
                owner_organisation=organisation,
                owner_user_id=user_id,
            )
        )
    # Mutual commitments: an agreement in which only one side promises is none.
    if not sides[ItemSide.PERSON]:
        errors["person_items"] = [_("Bitte tragen Sie mindestens einen Punkt der Person ein.")]
    if not sides[ItemSide.INSTITUTION]:
        errors["institution_items"] = [
            _("Bitte tragen Sie mindestens eine Zusage der Institutionen ein.")
        ]
    if len(items) > ITEMS_MAX:
        errors["items"] = [_("Höchstens %(count)s Punkte je Vereinbarung.") % {"count": ITEMS_MAX}]
    return built


@transaction.atomic
def agreement_create_as(
    viewer: Viewer,
    *,
    public_id: str,
    organisation: str,
    title: str,
    concluded_on: dt.date | None,
    review_on: dt.date | None,
    items: Sequence[ItemInput],
    view: str,
) -> Agreement:
    """Conclude an agreement with its items in one step, as this viewer, for one of
    the viewer's organisations (``organisation``: external id). Raises PersonNotFound,
    PermissionDenied or ValidationError; nothing is written unless all is well."""
    person, level = person_and_level(viewer, public_id)
    require_agreement_work(viewer, level)
    errors: Errors = {}
    party = Organisation.objects.filter(external_id=organisation).first()
    if party is None:
        errors["organisation"] = [_("Bitte wählen Sie Ihre Organisation.")]
    elif party.pk not in agreement_organisations(viewer):
        raise PermissionDenied(_("Vereinbarungen schließen Sie nur für die eigene Organisation."))
    title = title.strip()
    if not title:
        errors["title"] = [_("Bitte geben Sie der Vereinbarung einen Titel.")]
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [_("Höchstens %(count)s Zeichen.") % {"count": TITLE_MAX_LENGTH}]
    if concluded_on is None:
        errors["concluded_on"] = [_("Bitte geben Sie das Datum der Vereinbarung an.")]
    if review_on is None:
        errors["review_on"] = [_("Bitte legen Sie fest, wann Sie gemeinsam draufschauen.")]
    elif concluded_on is not None and review_on < concluded_on:
        errors["review_on"] = [_("Die Überprüfung kann nicht vor der Vereinbarung liegen.")]
    built = _validate_items(items, concluded_on, errors)
    if errors and all(key.endswith(".owner_user") for key in errors):
        # Only a named worker not (or no longer) at the organisation: who works where
        # is stored, and not public, so the request conflicts with it (409 in the API).
        raise ConflictsWithState(errors)
    if errors:
        raise ValidationError(errors)
    assert party is not None and concluded_on is not None
    agreement = Agreement.objects.create(
        person=person,
        organisation=party,
        title=title,
        concluded_on=concluded_on,
        review_on=review_on,
        status=AgreementStatus.ACTIVE,
        created_by_id=viewer.user_id,
    )
    for item in built:
        item.agreement = agreement
    AgreementItem.objects.bulk_create(built)
    audit_change(viewer, person.public_id, level, ["agreements"], view=view, purpose=PURPOSE)
    return agreement


def _agreement_for_change(
    viewer: Viewer, public_id: str, agreement_id: int
) -> tuple[Person, Level, Agreement]:
    person, level = person_and_level(viewer, public_id)
    require_agreement_work(viewer, level)
    agreement = (
        Agreement.objects.select_related("organisation")
        .prefetch_related(items_with_owners())
        .filter(pk=agreement_id, person=person)
        .first()
    )
    if agreement is None or not may_see_agreement(viewer, agreement, agreement.items.all()):
        raise AgreementNotFound(f"agreement {agreement_id}")
    return person, level, agreement


@transaction.atomic
def agreement_item_update_as(
    viewer: Viewer,
    *,
    public_id: str,
    agreement_id: int,
    item_id: int,
    status: str | None = None,
    due_on: dt.date | None = None,
    view: str,
) -> AgreementItem:
    """Change an item's status (open, done, dropped) and/or its due date (None: keep
    it), as a viewer whose organisation is a party of the agreement. Items of a closed
    agreement stay as they were closed."""
    person, level, agreement = _agreement_for_change(viewer, public_id, agreement_id)
    items = list(agreement.items.all())
    item = next((i for i in items if i.pk == item_id), None)
    if item is None:
        raise AgreementNotFound(f"item {item_id}")
    if not is_party(viewer, agreement, items):
        raise PermissionDenied(
            _("Punkte ändern nur die Stellen, die an der Vereinbarung beteiligt sind.")
        )
    errors: Errors = {}
    if status is not None and status not in ItemStatus.values:
        errors["status"] = [_("Unbekannter Status %(status)s.") % {"status": status}]
    if errors:
        raise ValidationError(errors)
    # Against what is stored (a closed agreement, its day): ConflictsWithState, 409 in
    # the API.
    if not agreement.in_force:
        errors["status"] = [_("Die Vereinbarung ist abgeschlossen; ihre Punkte bleiben so.")]
    if due_on is not None and due_on < agreement.concluded_on:
        errors["due_on"] = [
            _("Fällig frühestens am Tag der Vereinbarung (%(day)s).")
            % {"day": agreement.concluded_on.strftime("%d.%m.%Y")}
        ]
    if errors:
        raise ConflictsWithState(errors)
    changed = []
    if status is not None and status != item.status:
        item.status = status
        changed.append("status")
    if due_on is not None and due_on != item.due_on:
        item.due_on = due_on
        changed.append("due_on")
    if changed:
        item.save(update_fields=changed)
        audit_change(viewer, person.public_id, level, ["agreements"], view=view, purpose=PURPOSE)
    return item


@transaction.atomic
def agreement_close_as(
    viewer: Viewer, *, public_id: str, agreement_id: int, view: str
) -> Agreement:
    """Close an agreement (after its review, or when it has served), as a viewer of
    the agreement's organisation. Its items keep their status; closing twice changes
    nothing."""
    person, level, agreement = _agreement_for_change(viewer, public_id, agreement_id)
    if agreement.organisation_id not in agreement_organisations(viewer):
        raise PermissionDenied(_("Abschließen kann nur die Stelle, die sie geschlossen hat."))
    if agreement.in_force:
        agreement.status = AgreementStatus.CLOSED
        agreement.save(update_fields=["status"])
        audit_change(viewer, person.public_id, level, ["agreements"], view=view, purpose=PURPOSE)
    return agreement
