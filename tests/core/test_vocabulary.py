"""Issue #17: every label in both languages, data labels included. English pages show
no German target group, strength, support need, offer or organisation kind, decline or
allocation reason — and German pages none of their English translations; both checked
against the message catalogue. Dates on English pages are British, in German text
German; one gender spelling (the colon) throughout."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation
from django.utils.formats import date_format

from doconnect.allocation.texts import REASON_LABELS
from doconnect.core.models import OrganisationKind, TargetGroup
from doconnect.core.vocabulary import DATA_LABELS, STRENGTHS, SUPPORT_NEEDS, TARGET_GROUP_LABELS
from doconnect.demo import clients as demo
from doconnect.offers.models import Offer, OfferKind
from doconnect.people.models import Person
from doconnect.referrals.models import DeclineReason
from doconnect.referrals.services import referral_decline
from tests.conftest import City, logged_in, make_person
from tests.referrals.test_referral_inbox import sent

SINGLE_PARENTS = "Alleinerziehende"


def catalogue_pairs() -> list[tuple[str, str]]:
    """(German msgid, English translation) of every data label the pages show."""
    labels = [
        *DATA_LABELS,
        *(str(label) for label in OfferKind.labels),
        *(str(label) for label in OrganisationKind.labels),
        *(str(label) for label in DeclineReason.labels),
    ]
    with translation.override("de"):
        german = [*labels, *(str(label) for label in REASON_LABELS.values())]
    with translation.override("en"):
        english = [translation.gettext(text) for text in german]
    return sorted({(de, en) for de, en in zip(german, english, strict=True) if de != en})


def visible_text(body: str) -> str:
    """What a reader sees: the page without scripts, styles and tags."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", body))


def names_in_data() -> str:
    """Proper names (organisations, offers, districts) are not labels: a label that is
    part of one (e.g. "Träger" in "Träger A") is not checked."""
    from doconnect.core.models import District, Organisation

    return " ".join(
        [
            *Organisation.objects.values_list("name", flat=True),
            *Offer.objects.values_list("title", flat=True),
            *District.objects.values_list("name", flat=True),
        ]
    )


def found(text: str, labels: list[str], names: str) -> list[str]:
    return [
        label
        for label in labels
        if label not in names and re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text)
    ]


@pytest.fixture
def labelled(city: City, coordinator: User, provider_staff: User) -> Person:
    """A city with the demo's target group labels, a person with strengths and
    support needs, and a declined referral."""
    TargetGroup.objects.filter(pk=city.youth.pk).update(label=TARGET_GROUP_LABELS[0])
    single = TargetGroup.objects.create(code="single_parents", label=SINGLE_PARENTS)
    city.offer_a.target_groups.add(city.youth, single)
    person = make_person(city, consent_orgs=[city.jobcenter, city.city, city.provider_a])
    Person.objects.filter(pk=person.pk).update(
        strengths=[STRENGTHS[0], STRENGTHS[3]], support_needs=[SUPPORT_NEEDS[0]]
    )
    referral_decline(
        referral=sent(city, coordinator, consent_orgs=[city.provider_a]),
        actor=provider_staff,
        reason=DeclineReason.NOT_ELIGIBLE,
    )
    return person


def pages(person: Person) -> list[tuple[str, str]]:
    return [
        ("coordinator", "/"),
        ("coordinator", "/offers/"),
        ("coordinator", "/offers/o-a/"),
        ("coordinator", f"/persons/{person.public_id}/"),
        ("coordinator", "/allocation/weights/"),
        ("coordinator", "/scenarios/"),
        ("provider_staff", "/referrals/?section=finished"),
    ]


def rendered(request: pytest.FixtureRequest, person: Person, language: str) -> str:
    text = []
    clients: dict[str, Client] = {}
    for persona, url in pages(person):
        if persona not in clients:
            clients[persona] = logged_in(request.getfixturevalue(persona), language)
        response = clients[persona].get(url)
        assert response.status_code == 200, url
        assert response.content.decode().count(f'lang="{language}"'), url
        text.append(visible_text(response.content.decode()))
    return "\n".join(text)


def test_english_pages_show_no_german_data_labels(
    request: pytest.FixtureRequest, labelled: Person
) -> None:
    text = rendered(request, labelled, "en")
    pairs = catalogue_pairs()
    names = names_in_data()
    assert not found(text, [de for de, _en in pairs], names)
    # and the translations are there, not just the German gone
    for english in ("Young people with a difficult start", "Single parents", "reliable"):
        assert english in text
    assert "childcare" in text and "requirements not met" in text.lower()


def test_german_pages_show_no_english_data_labels(
    request: pytest.FixtureRequest, labelled: Person
) -> None:
    text = rendered(request, labelled, "de")
    pairs = catalogue_pairs()
    assert not found(text, [en for _de, en in pairs], names_in_data())
    assert TARGET_GROUP_LABELS[0] in text and STRENGTHS[0] in text


def test_every_label_of_the_demo_city_is_in_the_vocabulary() -> None:
    assert {group.label for group in demo.TARGET_GROUPS} == set(TARGET_GROUP_LABELS)
    assert set(demo.STRENGTHS) == set(STRENGTHS)
    assert set(demo.SUPPORT_NEEDS) == set(SUPPORT_NEEDS)


def test_every_data_label_has_an_english_translation() -> None:
    with translation.override("en"):
        untranslated = [text for text in DATA_LABELS if translation.gettext(text) == text]
    assert not untranslated


def test_a_citys_own_label_shows_as_stored_in_both_languages(city: City) -> None:
    group = TargetGroup.objects.create(code="own", label="Menschen im Quartier Nord")
    for language in ("de", "en"):
        with translation.override(language):
            assert str(group) == "Menschen im Quartier Nord"
            assert TargetGroup.labels()["own"] == "Menschen im Quartier Nord"


def test_dates_are_british_on_english_pages_and_german_in_german_text() -> None:
    day = dt.date(2026, 12, 6)
    with translation.override("en"):
        assert date_format(day) == "6 Dec 2026"
        assert date_format(day, "SHORT_DATE_FORMAT") == "06/12/2026"
    with translation.override("de"):
        assert date_format(day) == "6. Dezember 2026"
        assert date_format(day, "SHORT_DATE_FORMAT") == "06.12.2026"


def test_one_gender_spelling_the_colon() -> None:
    """No slash, asterisk or paired forms for groups of people in what the platform
    says or stores (official occupation titles like "Bäcker/in" are names, not ours)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "src" / "doconnect"
    other_forms = re.compile(r"\w(/innen|\*innen|_innen|Innen)\b|\w+innen und \w+er\b")
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("*")
        if path.suffix in {".py", ".html", ".txt"}
        and "occupation" not in path.name
        and "migrations" not in path.parts  # a migration names the old spelling it replaces
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if other_forms.search(line) and "/in " not in line
    ]
    assert not offenders
