"""The access log of a person in words ("Wer hat diese Person angesehen?"): who (user
and the names of their organisations), what they did and where, which data, and for
which purpose — read from the audit events, which keep codes (``web.person_detail``,
``case_management``, ``["notes"]``) so the trail stays stable whatever the language.

The codes are the ``view`` and ``purpose`` arguments the pages, the API, the commands
and the privacy functions pass to ``people.access.audit_reads``. A code not listed here
(a new view) is shown as itself after a generic sentence, never dropped: the log must
name every access even before its words are written."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from doconnect.core.audit import fields_of
from doconnect.core.models import AuditAction, AuditEvent, Organisation
from doconnect.people.models import ConsentPurpose

READ, CHANGE, EXPORT, ERASE = (
    AuditAction.READ.value,
    AuditAction.CHANGE.value,
    AuditAction.EXPORT.value,
    AuditAction.ERASE.value,
)

# Where an access came from, by the code's prefix.
CHANNELS: dict[str, Promise] = {
    "web.": _("im Browser"),
    "api.": _("über die Schnittstelle (API)"),
    "cli:": _("auf der Kommandozeile"),
    "calendar.": _("über das Kalender-Abonnement"),
}

# What was done, by the view's name without its channel prefix (``web.consent_give``
# and ``api.consent_give`` are the same step). Per action where a view both shows a
# form (a read) and saves it (a change); "" is any other action.
SENTENCES: dict[str, dict[str, Promise]] = {
    "person_detail": {"": _("Personenseite angesehen")},
    "person_detail.export": {"": _("Biographie als Datei heruntergeladen")},
    "person_list": {"": _("in der Personenliste angezeigt")},
    "person_export": {"": _("mit der Personenliste heruntergeladen")},
    "person_edit": {READ: _("Formular „Angaben ändern“ geöffnet"), "": _("Angaben geändert")},
    "person_update": {"": _("Angaben geändert")},
    "person_register": {
        READ: _("als mögliche Dublette angezeigt"),
        "": _("Person aufgenommen"),
    },
    "person_wishes": {READ: _("Ziel und Wünsche angesehen"), "": _("Ziel und Wünsche erfasst")},
    "person_spells": {"": _("Biographie abgerufen")},
    "person_consents": {"": _("Einwilligungen abgerufen")},
    "person_next_steps": {"": _("nächste Schritte abgerufen")},
    "consent_give": {READ: _("Einwilligungen angesehen"), "": _("Einwilligung erfasst")},
    "consent_extend": {READ: _("Einwilligungen angesehen"), "": _("Einwilligung verlängert")},
    "consent_withdraw": {"": _("Widerruf einer Einwilligung erfasst")},
    "spell_new": {READ: _("Formular „Abschnitt erfassen“ geöffnet"), "": _("Abschnitt erfasst")},
    "spell_record": {"": _("Abschnitt erfasst")},
    "spell_edit": {
        READ: _("Formular „Abschnitt korrigieren“ geöffnet"),
        "": _("Abschnitt korrigiert"),
    },
    "spell_correct": {"": _("Abschnitt korrigiert")},
    "spell_end": {READ: _("Formular „Abschnitt beenden“ geöffnet"), "": _("Abschnitt beendet")},
    "agreement_new": {
        READ: _("Formular „Vereinbarung schließen“ geöffnet"),
        "": _("Vereinbarung geschlossen"),
    },
    "agreement_create": {"": _("Vereinbarung geschlossen")},
    "agreement_detail": {"": _("Vereinbarung angesehen")},
    "agreement": {"": _("Vereinbarung abgerufen")},
    "agreements": {"": _("Vereinbarungen abgerufen")},
    "agreement_pdf": {"": _("Vereinbarung als PDF heruntergeladen")},
    "agreement_item_update": {
        READ: _("Vereinbarung angesehen"),
        "": _("Punkt einer Vereinbarung geändert"),
    },
    "agreement_close": {"": _("Vereinbarung abgeschlossen")},
    "casework_notes": {"": _("Gesprächsvermerke angesehen")},
    "casework_note_create": {
        READ: _("Gesprächsvermerke angesehen"),
        "": _("Gesprächsvermerk geschrieben"),
    },
    "casework_note_correct": {
        READ: _("Gesprächsvermerke angesehen"),
        "": _("Gesprächsvermerk korrigiert"),
    },
    "casework_follow_ups": {"": _("Wiedervorlagen und Termine angesehen")},
    "casework_appointments": {"": _("Wiedervorlagen und Termine angesehen")},
    "casework_follow_up_create": {
        READ: _("Wiedervorlagen und Termine angesehen"),
        "": _("Wiedervorlage gesetzt"),
    },
    "casework_follow_up_done": {"": _("Wiedervorlage erledigt oder wieder geöffnet")},
    "casework_appointment_create": {
        READ: _("Wiedervorlagen und Termine angesehen"),
        "": _("Termin eingetragen"),
    },
    "casework_appointment_status": {"": _("Stand eines Termins geändert")},
    "casework_responsible": {READ: _("Zuständigkeit angesehen"), "": _("Zuständigkeit geändert")},
    "referral_propose": {"": _("Zuweisung vorgeschlagen")},
    "referral_inbox": {"": _("im Eingang der Zuweisungen angezeigt")},
    "referral_list": {"": _("in der Liste der Zuweisungen abgerufen")},
    "offer_detail": {"": _("unter den Teilnehmenden eines Angebots angezeigt")},
    "allocation_person": {"": _("in der Zuteilung angesehen")},
    "tasks": {"": _("in den Aufgaben angezeigt")},
    "duplicates": {"": _("in der Liste möglicher Dubletten angezeigt")},
    "duplicate_merge": {"": _("mit einer Dublette zusammengeführt")},
    "duplicate_dismiss": {"": _("Hinweis auf eine mögliche Dublette verworfen")},
    "feed": {"": _("Termine im eigenen Kalender abgerufen")},
    "import persons": {"": _("mit einer Personendatei importiert")},
    "pathways next-steps": {"": _("nächste Schritte berechnet")},
    "person_data_export": {"": _("Auskunft nach Art. 15 DSGVO erstellt")},
    "person_erase": {"": _("Person gelöscht (Art. 17 DSGVO)")},
    "privacy_requests": {"": _("für einen Antrag nach Art. 15/17 DSGVO gesucht")},
}

PURPOSES: dict[str, Promise] = {
    "case_management": _("Fallberatung"),
    "participant_support": _("Begleitung von Teilnehmenden"),
    "coordination": _("Koordination"),
    "statistics": _("Statistik"),
    "unspecified": _("ohne Angabe"),
    "art15": _("Auskunft an die Person (Art. 15 DSGVO)"),
    "data_subject_request": _("Rechte der Person (Einwilligung, Auskunft, Löschung)"),
    "art17": _("Löschung (Art. 17 DSGVO)"),
    "Kalender": _("eigener Kalender"),
}
ERASURE_PURPOSE = "art17: "

# Data by the audit's field names; fields that belong together are named once.
FIELD_WORDS: dict[str, Promise] = {
    "given_name": _("Name"),
    "family_name": _("Name"),
    "birth_date": _("Geburtsdatum"),
    "email": _("Kontakt"),
    "phone": _("Kontakt"),
    "street": _("Anschrift"),
    "postcode": _("Anschrift"),
    "address_district": _("Anschrift"),
    "pseudonymous": _("pseudonymer Datensatz"),
    "gender": _("pseudonymer Datensatz"),
    "birth_year": _("pseudonymer Datensatz"),
    "district": _("pseudonymer Datensatz"),
    "legal_branch": _("pseudonymer Datensatz"),
    "school_qualification": _("pseudonymer Datensatz"),
    "vocational_qualification": _("pseudonymer Datensatz"),
    "target_groups": _("pseudonymer Datensatz"),
    "strengths": _("Stärken und Unterstützungsbedarfe"),
    "support_needs": _("Stärken und Unterstützungsbedarfe"),
    "goal": _("Ziel und Wünsche"),
    "preferred_offer_kinds": _("Ziel und Wünsche"),
    "spells": _("Biographie"),
    "consents": _("Einwilligungen"),
    "referrals": _("Zuweisungen"),
    "next_steps": _("nächste Schritte"),
    "agreements": _("Vereinbarungen"),
    "notes": _("Gesprächsvermerke"),
    "follow_ups": _("Wiedervorlagen"),
    "appointments": _("Termine"),
    "responsible_worker": _("Zuständigkeit"),
}


def _channel(view: str) -> tuple[str, str]:
    """(the channel's words, the view's name without its prefix)."""
    for prefix, words in CHANNELS.items():
        if view.startswith(prefix):
            return str(words), view.removeprefix(prefix)
    return "", view


def view_sentence(view: str, action: str) -> str:
    """What was done, in the active language: "Personenseite angesehen"."""
    _channel_words, name = _channel(view)
    sentences = SENTENCES.get(name)
    if sentences is None:
        return gettext("Zugriff über „%(view)s“") % {"view": view}
    return str(sentences.get(action) or sentences[""])


def channel_words(view: str) -> str:
    return _channel(view)[0]


def purpose_words(purpose: str) -> str:
    if purpose.startswith(ERASURE_PURPOSE):
        return gettext("Löschung (Art. 17 DSGVO): %(reason)s") % {
            "reason": purpose.removeprefix(ERASURE_PURPOSE)
        }
    if purpose in ConsentPurpose.values:  # the purpose the route declared (Zweckbindung)
        return str(ConsentPurpose(purpose).label)
    words = PURPOSES.get(purpose)
    return str(words) if words is not None else purpose or "–"


def fields_words(fields: Sequence[str]) -> str:
    """The data read or changed, each kind named once, in the order they came."""
    named: list[str] = []
    for code in fields:
        words = FIELD_WORDS.get(code.split(".", 1)[0])
        text = str(words) if words is not None else code
        if text not in named:
            named.append(text)
    return ", ".join(named) or "–"


@dataclass(frozen=True)
class AccessLogEntry:
    event: AuditEvent
    organisations: str  # names, comma-separated
    action: str
    sentence: str
    channel: str
    data: str
    purpose: str


def access_log(events: Iterable[AuditEvent]) -> list[AccessLogEntry]:
    """The events in words, the organisations by name (one query for all)."""
    found = list(events)
    keys = {key for e in found for key in e.actor_organisation.split(",") if key}
    # One query also for an empty log ("" matches no key), so a page's number of
    # queries never depends on what it shows.
    names = dict(
        Organisation.objects.filter(external_id__in=sorted(keys) or [""]).values_list(
            "external_id", "name"
        )
    )
    return [
        AccessLogEntry(
            event=e,
            organisations=", ".join(
                names.get(key, key) for key in e.actor_organisation.split(",") if key
            ),
            action=e.get_action_display(),
            sentence=view_sentence(e.view, e.action),
            channel=channel_words(e.view),
            data=fields_words(fields_of(e)),
            purpose=purpose_words(e.purpose),
        )
        for e in found
    ]
