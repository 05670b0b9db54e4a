"""``access_rules.decide`` checked exhaustively: every role × consent covering the own /
another / both / no organisation × provider link to the own / another / both / no
organisation, against an oracle written from the design's table; then every pair of
memberships (the best membership wins)."""

from __future__ import annotations

import itertools
from typing import cast

import pytest

from doconnect.core.models import Role
from doconnect.core.roles import MembershipRole
from doconnect.people.access_rules import Level, Purpose, consent_purposes_opening, decide

OWN, OTHER = 1, 2
ORG_SETS: dict[str, set[int]] = {
    "none": set(),
    "own": {OWN},
    "other": {OTHER},
    "both": {OWN, OTHER},
}
ROLES = [*Role.values, "unknown_role"]


def oracle(role: str, consenting: set[int], linked: set[int]) -> Level:
    consented = OWN in consenting
    if role == "coordinator":
        return Level.PERSONAL if consented else Level.PSEUDONYMOUS
    if role == "case_worker":
        return Level.PERSONAL if consented else Level.NONE
    if role == "provider_staff":
        return Level.PERSONAL if consented and OWN in linked else Level.NONE
    if role == "analyst":
        return Level.PSEUDONYMOUS
    return Level.NONE


SINGLE = list(itertools.product(ROLES, ORG_SETS, ORG_SETS))


@pytest.mark.parametrize(("role", "consent", "link"), SINGLE)
def test_one_membership_gets_exactly_the_level_of_the_design_table(
    role: str, consent: str, link: str
) -> None:
    level = decide(
        [MembershipRole(OWN, role)],
        consenting_organisations=ORG_SETS[consent],
        linked_provider_organisations=ORG_SETS[link],
    )
    assert level is oracle(role, ORG_SETS[consent], ORG_SETS[link])


def test_nobody_without_membership_sees_anybody() -> None:
    for consent, link in itertools.product(ORG_SETS.values(), ORG_SETS.values()):
        assert (
            decide([], consenting_organisations=consent, linked_provider_organisations=link)
            is Level.NONE
        )


@pytest.mark.parametrize(
    ("first", "second"), list(itertools.combinations_with_replacement(ROLES, 2))
)
def test_with_two_memberships_the_best_one_wins(first: str, second: str) -> None:
    # The second membership is in organisation OTHER, so its consent and link are its own.
    for consent, link in itertools.product(ORG_SETS.values(), ORG_SETS.values()):
        both = decide(
            [MembershipRole(OWN, first), MembershipRole(OTHER, second)],
            consenting_organisations=consent,
            linked_provider_organisations=link,
        )
        alone_first = oracle(first, consent, link)
        alone_second = oracle(
            second, {OWN} if OTHER in consent else set(), {OWN} if OTHER in link else set()
        )
        assert both is max(alone_first, alone_second)


def test_an_analyst_never_sees_personal_fields_even_with_consent_and_link() -> None:
    level = decide(
        [MembershipRole(OWN, "analyst")],
        consenting_organisations={OWN},
        linked_provider_organisations={OWN},
    )
    assert level is Level.PSEUDONYMOUS


def test_a_provider_needs_its_own_link_not_another_providers() -> None:
    level = decide(
        [MembershipRole(OWN, "provider_staff")],
        consenting_organisations={OWN, OTHER},
        linked_provider_organisations={OTHER},
    )
    assert level is Level.NONE


def test_an_admin_sees_nothing_even_with_consent() -> None:
    level = decide(
        [MembershipRole(OWN, "admin")],
        consenting_organisations={OWN},
        linked_provider_organisations={OWN},
    )
    assert level is Level.NONE


# Zweckbindung: which consents open a route declaring a purpose.
CONSENT_PURPOSE_CODES = ("counselling", "placement", "case_conference", "monitoring")


@pytest.mark.parametrize("purpose", CONSENT_PURPOSE_CODES)
def test_a_route_is_opened_only_by_consents_for_its_own_purpose(purpose: str) -> None:
    assert consent_purposes_opening(Purpose(purpose)) == (purpose,)


def test_a_data_subject_request_is_answered_under_a_consent_for_any_purpose() -> None:
    opening = consent_purposes_opening(Purpose.DATA_SUBJECT_REQUEST)
    assert sorted(opening) == sorted(CONSENT_PURPOSE_CODES)


def test_an_undeclared_or_unknown_purpose_opens_nothing_but_is_refused() -> None:
    with pytest.raises(ValueError):
        consent_purposes_opening(cast(Purpose, "statistics"))
