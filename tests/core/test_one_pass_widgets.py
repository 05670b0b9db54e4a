"""A KERN form's selects and inputs are written in one pass (``core.forms.options_html``,
``input_html``): the markup is the one Django's own widget and attribute templates
write, for single and multiple selects, option groups, every kind of input, escaping,
values and the chosen options."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.test.html import parse_html
from django.utils.translation import gettext_lazy

from doconnect.core.forms import KERN_INPUT, KERN_SELECT, KernForm

GROUPED: list[Any] = [
    ("", "– alle –"),
    ("Stadtbezirke", [("a&b", "Träger <A> & Co"), ('q"x', 'Verein "Q"')]),
    ("Stadt", [("plain", gettext_lazy("Stadtweit"))]),
    ("none", None),
]


def both(widget: forms.Widget, value: Any, ours: str = KERN_SELECT) -> tuple[Any, Any]:
    """The widget's markup with the KERN template and with Django's own, parsed (so
    whitespace between elements and the order of attributes do not count)."""
    django_template = widget.template_name
    attrs = {"id": "id_field", "class": "kern-form-input__select", "required": True}
    widget.template_name = ours
    kern = widget.render("field", value, attrs | {"disabled": False})
    widget.template_name = django_template
    django = widget.render("field", value, attrs | {"disabled": False})
    return parse_html(kern), parse_html(django)


def test_a_single_select_with_groups_writes_what_djangos_select_writes() -> None:
    for value in ("", "a&b", 'q"x', "plain", "unknown"):
        ours, django = both(forms.Select(choices=GROUPED), value)
        assert ours == django
        assert ours.children  # options were written at all


def test_a_multiple_select_and_the_yes_no_select_write_what_django_writes() -> None:
    for value in ([], ["a&b"], ["a&b", "plain"]):
        ours, django = both(forms.SelectMultiple(choices=GROUPED), value)
        assert ours == django
    for answer in (None, True, False):
        ours, django = both(forms.NullBooleanSelect(), answer)
        assert ours == django


def test_the_chosen_option_is_selected_and_a_label_cannot_break_out() -> None:
    widget = forms.Select(choices=[("x", "</option><script>alert(1)</script>"), ("y", "Y")])
    widget.template_name = KERN_SELECT
    html = widget.render("field", "y", {})
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<option value="y" selected>Y</option>' in html


def test_every_kind_of_input_writes_what_djangos_input_writes() -> None:
    widgets: list[tuple[forms.Widget, list[Any]]] = [
        (forms.TextInput(), [None, "", 'Müller & "Söhne" <b>', 0]),
        (forms.NumberInput(attrs={"min": 0, "step": "any"}), [None, 3, "7"]),
        (forms.DateInput(format="%Y-%m-%d"), [None, dt.date(2026, 12, 7), "07.12.2026"]),
        (forms.DateTimeInput(format="%Y-%m-%dT%H:%M"), [dt.datetime(2026, 12, 7, 9, 30)]),
        (forms.TimeInput(format="%H:%M"), [dt.time(9, 30)]),
        (forms.EmailInput(), ["a@b.example"]),
        (forms.PasswordInput(render_value=True), ["geheim"]),
        (forms.HiddenInput(), ["r11249", None]),
        (forms.CheckboxInput(), [True, False, None, "on"]),
        (forms.URLInput(), ["https://example.org/?a=1&b=2"]),
    ]
    for widget, values in widgets:
        for value in values:
            ours, django = both(widget, value, KERN_INPUT)
            assert ours == django, (type(widget).__name__, value)


class Filters(KernForm):
    district = forms.ChoiceField(choices=GROUPED, required=False)
    own = forms.ChoiceField(
        choices=[("a", "A")], widget=forms.Select(attrs={"data-own": "1"}), required=False
    )
    kinds = forms.MultipleChoiceField(choices=[("a", "A")], required=False)
    answer = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect, required=False)
    name = forms.CharField(required=False)
    day = forms.DateField(required=False)
    note = forms.CharField(widget=forms.Textarea, required=False)


class OwnTemplate(forms.Select):
    template_name = "web/forms/long_select.html"


def test_a_kern_forms_selects_and_inputs_use_the_one_pass_templates_others_keep_theirs() -> None:
    form = Filters(data={"district": "plain", "kinds": ["a"]})
    assert form.fields["district"].widget.template_name == KERN_SELECT
    assert form.fields["own"].widget.template_name == KERN_SELECT
    assert form.fields["kinds"].widget.template_name == KERN_SELECT
    assert form.fields["answer"].widget.template_name == "web/forms/kern_choices.html"
    assert form.fields["name"].widget.template_name == KERN_INPUT
    assert form.fields["day"].widget.template_name == KERN_INPUT
    assert form.fields["note"].widget.template_name == "django/forms/widgets/textarea.html"
    html = str(form["district"])
    assert '<option value="plain" selected>Stadtweit</option>' in html
    assert 'class="kern-form-input__select"' in html

    class Own(KernForm):
        field = forms.ChoiceField(choices=[("a", "A")], widget=OwnTemplate)

    assert Own().fields["field"].widget.template_name == "web/forms/long_select.html"
