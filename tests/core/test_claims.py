"""The role map of the identity provider: claim values to organisation and role."""

from __future__ import annotations

import pytest

from doconnect.core.claims import ClaimedRole, RoleMapError, claimed_roles, parse_role_map

ROLES = ("coordinator", "case_worker", "provider_staff", "analyst", "admin")
PRECEDENCE = ROLES


def test_a_value_maps_to_one_or_more_memberships() -> None:
    parsed = parse_role_map(
        {
            "jc": {"organisation": "jobcenter", "role": "case_worker"},
            "both": [
                {"organisation": "stadt", "role": "analyst"},
                {"organisation": "p-a", "role": "provider_staff"},
            ],
        },
        roles=ROLES,
    )
    assert parsed["jc"] == (ClaimedRole("jobcenter", "case_worker"),)
    assert len(parsed["both"]) == 2


def test_every_problem_of_a_malformed_map_is_named_with_entry_and_field() -> None:
    with pytest.raises(RoleMapError) as refused:
        parse_role_map(
            {
                "a": {"organisation": "x", "role": "boss"},
                "b": [{"role": "analyst"}, "text"],
            },
            roles=ROLES,
        )
    assert refused.value.problems == [
        "DOCONNECT_OIDC_ROLE_MAP['a']: role: 'boss' is not one of "
        "admin, analyst, case_worker, coordinator, provider_staff",
        "DOCONNECT_OIDC_ROLE_MAP['b'][0]: organisation: missing (an organisation id)",
        'DOCONNECT_OIDC_ROLE_MAP[\'b\'][1]: expected {"organisation": …, "role": …}',
    ]


def test_a_map_that_is_no_object_is_refused() -> None:
    with pytest.raises(RoleMapError, match="must be a JSON object"):
        parse_role_map(["jc"], roles=ROLES)


def test_groups_as_a_list_or_a_single_value_give_the_mapped_roles() -> None:
    role_map = parse_role_map(
        {"jc": {"organisation": "jobcenter", "role": "case_worker"}}, roles=ROLES
    )
    assert claimed_roles({"groups": ["x", "jc"]}, "groups", role_map, precedence=PRECEDENCE) == (
        ClaimedRole("jobcenter", "case_worker"),
    )
    assert claimed_roles({"groups": "jc"}, "groups", role_map, precedence=PRECEDENCE) == (
        ClaimedRole("jobcenter", "case_worker"),
    )
    assert claimed_roles({"groups": ["x"]}, "groups", role_map, precedence=PRECEDENCE) == ()
    assert claimed_roles({}, "groups", role_map, precedence=PRECEDENCE) == ()
    assert claimed_roles({"groups": 7}, "groups", role_map, precedence=PRECEDENCE) == ()


def test_two_roles_in_one_organisation_keep_the_first_by_precedence() -> None:
    role_map = parse_role_map(
        {
            "lesen": {"organisation": "stadt", "role": "analyst"},
            "koordination": {"organisation": "stadt", "role": "coordinator"},
        },
        roles=ROLES,
    )
    claims = {"groups": ["lesen", "koordination"]}
    assert claimed_roles(claims, "groups", role_map, precedence=PRECEDENCE) == (
        ClaimedRole("stadt", "coordinator"),
    )
