"""The frame of a person's page built around the work: the action bar, the jump links
and the one audit event of a page view. The sections themselves come from their
domains (case work, agreements, referrals, next steps, editing); this module only
reads what those domains decided for this viewer, so an action is offered exactly when
the domain's own rule lets the viewer take it:

- Gesprächsvermerk, Wiedervorlage, Termin: the case-work sections are there
  (``casework.selectors.casework_for_page`` → ``casework.access``: a case-work role in
  an organisation a valid consent covers);
- Vereinbarung: ``agreements.access.may_work_on_agreements``;
- Zuweisung: the next steps are shown (``pathways.access.may_see_next_steps``), where
  each step is proposed as a referral;
- Abschnitt erfassen, Angaben ändern: ``editing_access.edit_scope_for`` (the links of
  ``editing_views.editing_for_page``).

Forms on the page are reached by their anchor (a closed ``<details>`` opens, see
``static/people/person_page.js``), the others by their own page."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from doconnect.casework.selectors import PersonCasework
from doconnect.core.viewers import Viewer
from doconnect.people.access import PersonRecord
from doconnect.people.agreements.access import may_work_on_agreements
from doconnect.people.list_columns import ListColumns
from doconnect.people.models import PERSONAL_FIELDS


@dataclass(frozen=True)
class PersonAction:
    key: str  # note, follow_up, appointment, agreement, referral, spell, details
    label: str
    url: str
    on_page: bool  # an anchor of a form on this page, not a page of its own


@dataclass(frozen=True)
class JumpLink:
    anchor: str  # the id of the section's heading
    label: str


def person_actions(
    viewer: Viewer,
    record: PersonRecord,
    *,
    casework: PersonCasework | None,
    next_steps_shown: bool,
    details_url: str | None,
    spell_new_url: str | None,
) -> list[PersonAction]:
    """What this viewer may do on this person, in the order of a conversation: note
    it, set the next date, agree, refer, then correct the file."""
    public_id = record.person.public_id
    actions: list[PersonAction] = []
    if casework is not None:
        actions += [
            PersonAction("note", _("Gesprächsvermerk"), "#note-form", True),
            PersonAction("follow_up", _("Wiedervorlage"), "#follow-up-form", True),
            PersonAction("appointment", _("Termin"), "#appointment-form", True),
        ]
    if may_work_on_agreements(viewer, record.level):
        actions.append(
            PersonAction(
                "agreement",
                _("Vereinbarung"),
                reverse("web:agreement_new", args=[public_id]),
                False,
            )
        )
    if next_steps_shown:
        actions.append(PersonAction("referral", _("Zuweisung"), "#next-steps-heading", True))
    if spell_new_url:
        actions.append(PersonAction("spell", _("Abschnitt erfassen"), spell_new_url, False))
    if details_url:
        actions.append(PersonAction("details", _("Angaben ändern"), details_url, False))
    return actions


def jump_links(
    *,
    casework: bool,
    personal: bool,
    referrals: bool,
    next_steps: bool,
    audit_trail: bool,
) -> list[JumpLink]:
    """The sections of the page in their order, those this viewer sees."""
    sections = [
        (True, "overview-heading", _("Aktueller Stand")),
        (casework, "follow-ups-heading", _("Wiedervorlagen und Termine")),
        (casework, "notes-heading", _("Gesprächsvermerke")),
        (True, "agreements-heading", _("Vereinbarungen")),
        (referrals, "referrals-heading", _("Zuweisungen")),
        (next_steps, "next-steps-heading", _("Nächste Schritte")),
        (True, "spells-heading", _("Lern- und Arbeitsbiographie")),
        (True, "consents-heading", _("Einwilligungen")),
        (personal, "personal-heading", _("Personenbezogene Angaben")),
        (True, "record-heading", _("Stammdaten (pseudonym)")),
        (audit_trail, "audit-heading", _("Wer hat diese Person angesehen?")),
    ]
    return [JumpLink(anchor, label) for shown, anchor, label in sections if shown]


# The order of the kinds of data in the page's audit event.
PAGE_FIELD_ORDER: tuple[str, ...] = (
    "pseudonymous",
    *PERSONAL_FIELDS,
    "spells",
    "consents",
    "referrals",
    "next_steps",
    "agreements",
    "notes",
    "follow_ups",
    "appointments",
    "responsible_worker",
)


def page_read_fields(
    *,
    personal: bool,
    referrals: bool,
    next_steps: bool,
    agreements: bool,
    casework: PersonCasework | None,
    overview: ListColumns,
) -> list[str]:
    """Every kind of data the page showed, for its one read event: the pseudonymous
    record, biography and consents always; names and contact at level PERSONAL; the
    sections this viewer saw."""
    shown: set[str] = {"pseudonymous", "spells", "consents"}
    if personal:
        shown.update(PERSONAL_FIELDS)
    if referrals:
        shown.add("referrals")
    if next_steps:
        shown.add("next_steps")
    if agreements:
        shown.add("agreements")
    if casework is not None:
        shown.update(casework.read_fields)
    shown.update(overview.read_fields)
    return _in_order(shown)


def _in_order(fields: set[str]) -> list[str]:
    known = [f for f in PAGE_FIELD_ORDER if f in fields]
    return known + sorted(fields - set(PAGE_FIELD_ORDER))
