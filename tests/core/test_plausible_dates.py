"""Dates typed into a form lie from 1900 to ten years ahead, like the imports' dates
(issue #20): every date field of every KERN form refuses the years 1 and 9999 next to
the field, and the browser's date picker offers only that window."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.utils import translation

from doconnect.core.forms import KernForm, kern_widget_classes, plausible_date
from doconnect.files.importing import latest_date
from doconnect.people.forms import ConsentForm

pytestmark = pytest.mark.django_db


def consent_form(valid_from: str, valid_until: str = "") -> ConsentForm:
    return ConsentForm(
        data={"purposes": ["counselling"], "valid_from": valid_from, "valid_until": valid_until}
    )


def test_a_consent_from_the_year_1_is_refused_at_its_field_naming_the_window() -> None:
    with translation.override("de"):
        form = consent_form("0001-01-01")
        assert not form.is_valid()
        last = latest_date().strftime("%d.%m.%Y")
        assert form.errors["valid_from"] == [
            f"Bitte ein Datum zwischen dem 01.01.1900 und dem {last} angeben."
        ]


def test_a_consent_until_the_year_9999_is_refused_in_english_too() -> None:
    with translation.override("en"):
        form = consent_form("2026-01-01", "9999-12-31")
        assert not form.is_valid()
        assert "valid_from" not in form.errors
        assert form.errors["valid_until"][0].startswith("Please enter a date between")


def test_the_ends_of_the_window_are_taken() -> None:
    for day in (dt.date(1900, 1, 1), latest_date()):
        plausible_date(day)  # no error


def test_the_date_picker_offers_only_the_window() -> None:
    html = str(consent_form("")["valid_from"])
    assert 'min="1900-01-01"' in html and f'max="{latest_date().isoformat()}"' in html


class DayForm(KernForm):
    day = forms.DateField()


def test_every_date_field_of_a_kern_form_gets_the_window_once() -> None:
    form = DayForm(data={"day": "9999-01-01"})
    kern_widget_classes(form)  # a form that adds fields calls it again
    assert form.fields["day"].validators.count(plausible_date) == 1
    assert not form.is_valid() and "day" in form.errors
