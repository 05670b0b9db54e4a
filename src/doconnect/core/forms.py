"""Form building blocks every domain's pages share: KERN classes on widgets, a form that
shows a service's refusal next to its fields, and the district and target-group choices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from doconnect.core.models import District, TargetGroup
from doconnect.files.importing import EARLIEST_DATE, latest_date

# The browser's own date and time pickers read and send ISO values only: a German
# "01.01.2027" in value="" is dropped and the field shows empty.
_HTML5_TEMPORAL: tuple[tuple[type[forms.widgets.DateTimeBaseInput], str, str], ...] = (
    (forms.DateTimeInput, "datetime-local", "%Y-%m-%dT%H:%M"),
    (forms.DateInput, "date", "%Y-%m-%d"),
    (forms.TimeInput, "time", "%H:%M"),
)


def plausible_date(value: dt.date | dt.datetime) -> None:
    """A date typed into a form lies from 1900 to ten years ahead, the window of the
    imports (``files.importing``): the years 1 and 9999 are typing mistakes that would
    stretch every timeline and statistic (issue #20)."""
    day = timezone.localtime(value).date() if isinstance(value, dt.datetime) else value
    latest = latest_date(timezone.localdate())
    if not EARLIEST_DATE <= day <= latest:
        raise ValidationError(
            _("Bitte ein Datum zwischen dem %(first)s und dem %(last)s angeben."),
            code="implausible_date",
            params={
                "first": date_format(EARLIEST_DATE, "SHORT_DATE_FORMAT"),
                "last": date_format(latest, "SHORT_DATE_FORMAT"),
            },
        )


def html5_temporal_widgets(form: forms.BaseForm) -> None:
    """Every date, date-time and time widget of the form as the browser's own picker
    with an ISO value, whatever the page's language; every date and date-time field
    takes only the plausible dates (``plausible_date``), which the picker offers."""
    latest = latest_date(timezone.localdate())
    for field in form.fields.values():
        if isinstance(field, forms.DateField | forms.DateTimeField):
            if plausible_date not in field.validators:
                field.validators.append(plausible_date)
            moment = isinstance(field, forms.DateTimeField)
            field.widget.attrs.setdefault("min", f"{EARLIEST_DATE}{'T00:00' if moment else ''}")
            field.widget.attrs.setdefault("max", f"{latest}{'T23:59' if moment else ''}")
        widget = field.widget
        for kind, input_type, iso in _HTML5_TEMPORAL:
            if isinstance(widget, kind):
                widget.input_type = input_type
                widget.format = iso
                break


# Django's template of a select, replaced by ``KERN_SELECT`` (same markup, one pass).
DJANGO_SELECT = forms.Select.template_name
KERN_SELECT = "web/forms/kern_select.html"
# Django's templates that only include its ``input.html``, replaced by ``KERN_INPUT``.
DJANGO_INPUTS = frozenset(
    f"django/forms/widgets/{kind}.html"
    for kind in (
        "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number",
        "password", "search", "tel", "text", "time", "url",
    )
)  # fmt: skip
KERN_INPUT = "web/forms/kern_input.html"


def _attrs_html(attrs: Mapping[str, Any]) -> str:
    """An element's attributes as Django's ``attrs.html`` writes them."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def options_html(optgroups: Iterable[tuple[Any, Iterable[Mapping[str, Any]], Any]]) -> SafeString:
    """The options (and option groups) of a select widget's context in one pass, the
    markup of Django's ``select.html`` and ``select_option.html``: rendering a template
    per option and another for its attributes was a third of the person list's time."""
    parts: list[str] = []
    for group_name, options, _index in optgroups:
        if group_name:
            parts.append(f'<optgroup label="{conditional_escape(group_name)}">')
        parts.extend(
            f'<option value="{conditional_escape(str(option["value"]))}"'
            f"{_attrs_html(option['attrs'])}>{conditional_escape(option['label'])}</option>"
            for option in options
        )
        if group_name:
            parts.append("</optgroup>")
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped


def input_html(widget: Mapping[str, Any]) -> SafeString:
    """An input widget's context as Django's ``input.html`` writes it, in one pass
    (two templates per field, and a form of twenty fields on most pages)."""
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return mark_safe(  # noqa: S308 - every part escaped
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs_html(widget["attrs"])}>'
    )


def kern_widget_classes(form: forms.BaseForm) -> None:
    """Give every visible widget the KERN form class (text, date and password inputs
    `kern-form-input__input`, selects `kern-form-input__select`, checkboxes and radios
    `kern-form-check__checkbox`/`__radio`); the page frame styles the rest. Selects and
    inputs that use Django's own templates are written in one pass instead (the same
    markup: ``options_html``, ``input_html``)."""
    html5_temporal_widgets(form)
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            # A group: each choice a kern-form-check (box, then its label) in the
            # fieldset's body, not Django's label-wrapped list.
            widget.template_name = "web/forms/kern_choices.html"
            widget.option_template_name = "web/forms/kern_choice.html"
        elif isinstance(widget, forms.Select) and widget.template_name == DJANGO_SELECT:
            widget.template_name = KERN_SELECT
        elif isinstance(widget, forms.widgets.Input) and widget.template_name in DJANGO_INPUTS:
            widget.template_name = KERN_INPUT
        if widget.is_hidden or (
            isinstance(widget, forms.SelectMultiple)
            and not isinstance(widget, forms.CheckboxSelectMultiple)
        ):
            continue  # KERN has no multi-line select; the browser's own stays usable
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            css = "kern-form-check__checkbox"
        elif isinstance(widget, forms.RadioSelect):
            css = "kern-form-check__radio"
        elif isinstance(widget, forms.Select):
            css = "kern-form-input__select"
        else:
            css = "kern-form-input__input"
        classes = widget.attrs.get("class", "").split()
        if css not in classes:  # a form that adds fields calls this again
            widget.attrs["class"] = " ".join([*classes, css])


class LongSelectMultiple(forms.SelectMultiple):
    """A multiple select of many options (the 1,200 organisations of a city a consent
    may name) written in one pass: Django renders one template per option, which took
    a quarter of the person page's time. Flat choices only (no groups)."""

    template_name = "web/forms/long_select.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = forms.Widget.get_context(self, name, value, attrs)
        chosen = {str(v) for v in self.format_value(value)}
        context["widget"]["attrs"]["multiple"] = True
        # escape() and one join: format_html per option cost as much as the template.
        context["widget"]["options_html"] = mark_safe(  # noqa: S308 - every part escaped
            "".join(
                f'<option value="{escape(key)}"{" selected" if str(key) in chosen else ""}>'
                f"{escape(label)}</option>"
                for key, label in self.choices
            )
        )
        return context


class KernForm(forms.Form):
    """A form whose widgets carry the KERN classes; `{{ form }}`/`as_div` lay it out with
    KERN's field markup (web/forms/kern_div.html)."""

    template_name_div = "web/forms/kern_div.html"
    # ``{{ form }}`` too: Django's own default (the renderer's div.html) would give bare
    # labels with colons and a select without KERN's wrapper, which shows no box or arrow.
    template_name = template_name_div
    # Per field, the sentence to show instead of a service's own message for it.
    SERVICE_ERRORS: ClassVar[Mapping[str, Any]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widget_classes(self)

    def add_service_errors(self, exc: ValidationError) -> None:
        """A service's refusal onto the form: each message next to the field it names
        (``SERVICE_ERRORS`` may put it in the user's words), the rest above the form."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for name, messages in exc.message_dict.items():
            if name not in self.fields:  # NON_FIELD_ERRORS, or a field the form lacks
                self.add_error(None, messages)
            elif name in self.SERVICE_ERRORS:
                self.add_error(name, str(self.SERVICE_ERRORS[name]))
            else:
                self.add_error(name, messages)


def district_choice(*, to_field_name: str = "official_key", empty_label: Any = None) -> Any:
    """A district select of a filter or form, by official key (or name)."""
    return forms.ModelChoiceField(
        label=_("Stadtbezirk"),
        # Not the boundary: a select needs only the key and the name.
        queryset=District.objects.only("pk", "name", "official_key").order_by("official_key"),
        to_field_name=to_field_name,
        required=False,
        empty_label=empty_label if empty_label is not None else _("alle"),
    )


def target_group_choice() -> Any:
    """A target group filter, by code."""
    return forms.ModelChoiceField(
        label=_("Zielgruppe"),
        queryset=TargetGroup.objects.order_by("label"),
        to_field_name="code",
        required=False,
        empty_label=_("alle"),
    )


def target_groups_choice(label: Any = None, *, help_text: Any = "") -> Any:
    """Target groups to tick (none required), by code."""
    return forms.ModelMultipleChoiceField(
        label=label if label is not None else _("Zielgruppen"),
        queryset=TargetGroup.objects.order_by("label"),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )
