"""The site's small-number threshold, read from the settings in one place."""

from __future__ import annotations

from django.test import override_settings

from doconnect.transparency.small_number import small_number


@override_settings(SMALL_NUMBER=7)
def test_the_threshold_is_the_sites_setting_unless_a_caller_chose_one() -> None:
    assert small_number() == 7
    assert small_number(3) == 3
