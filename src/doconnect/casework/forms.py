"""Forms of the case-work pages: they parse and validate input; the rules (who, which
dates, which worker) are the services'. Dates are ``<input type="date">`` and times
``<input type="time">`` with ISO values: ``KernForm`` makes every date and time widget
the browser's picker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doconnect.casework.models import AppointmentStatus, NotePurpose
from doconnect.casework.selectors import Worker
from doconnect.casework.services import APPOINTMENT_MINUTES, NOTE_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH
from doconnect.core.forms import KernForm, kern_widget_classes
from doconnect.core.models import Organisation


class CaseworkForm(KernForm):
    """A case-work form on a person page: an organisation select only for a viewer
    working on the case for several organisations; ``worker`` choices (where the form
    has that field) are the organisations' workers."""

    WORKER_FIELD: ClassVar[bool] = False
    # Several of these forms sit on the person page beside the consent form: their own
    # ids keep labels and errors to their form.
    AUTO_ID: ClassVar[str] = "id_%s"

    def __init__(
        self,
        *args: Any,
        organisations: Sequence[Organisation] = (),
        workers: Sequence[Worker] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", self.AUTO_ID)
        super().__init__(*args, **kwargs)
        if len(organisations) > 1:
            self.fields["organisation"] = forms.ChoiceField(
                label=_("Für die Organisation"),
                choices=[(o.external_id, o.name) for o in organisations],
            )
            self.order_fields(["organisation"])
        if self.WORKER_FIELD:
            several = len(organisations) > 1
            names = {o.pk: o.name for o in organisations}
            self.fields["worker"] = forms.ChoiceField(
                label=_("Zuständige Fachkraft"),
                choices=[
                    (w.username, f"{w.name} ({names[w.organisation_id]})" if several else w.name)
                    for w in workers
                ],
            )
        kern_widget_classes(self)  # the fields added here get the KERN classes too

    @property
    def organisation(self) -> str | None:
        value = self.cleaned_data.get("organisation")
        return str(value) if value else None

    def service_arguments(self) -> dict[str, Any]:
        """The valid input as the service's keyword arguments: the fields are named as
        the service's parameters (the organisation by external id, or None)."""
        return {**self.cleaned_data, "organisation": self.organisation}


class NoteForm(CaseworkForm):
    AUTO_ID = "id_note_%s"

    conversation_on = forms.DateField(label=_("Gesprächsdatum"))
    purpose = forms.ChoiceField(label=_("Anlass"), choices=NotePurpose.choices)
    text = forms.CharField(
        label=_("Vermerk"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Nur Ihre Organisation sieht den Vermerk, solange die Einwilligung gilt."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"conversation_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class NoteCorrectionForm(KernForm):
    """The corrected version of one note (its own ids, one form per note)."""

    conversation_on = forms.DateField(label=_("Gesprächsdatum"))
    purpose = forms.ChoiceField(label=_("Anlass"), choices=NotePurpose.choices)
    text = forms.CharField(
        label=_("Vermerk"), max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args: Any, note_id: int, **kwargs: Any) -> None:
        super().__init__(*args, auto_id=f"id_note{note_id}_%s", **kwargs)
        self.note_id = note_id

    def service_arguments(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class FollowUpForm(CaseworkForm):
    WORKER_FIELD = True
    AUTO_ID = "id_follow_up_%s"

    due_on = forms.DateField(label=_("Wiedervorlage am"))
    reason = forms.CharField(label=_("Anlass"), max_length=SHORT_TEXT_MAX_LENGTH)


class AppointmentForm(CaseworkForm):
    WORKER_FIELD = True
    AUTO_ID = "id_appointment_%s"

    on = forms.DateField(label=_("Datum"))
    at = forms.TimeField(label=_("Uhrzeit"))
    duration_minutes = forms.IntegerField(
        label=_("Dauer in Minuten"),
        min_value=APPOINTMENT_MINUTES[0],
        max_value=APPOINTMENT_MINUTES[1],
        initial=30,
    )
    subject = forms.CharField(label=_("Thema"), max_length=SHORT_TEXT_MAX_LENGTH)
    place = forms.CharField(label=_("Ort"), max_length=SHORT_TEXT_MAX_LENGTH, required=False)
    with_whom = forms.CharField(
        label=_("Mit wem"),
        max_length=SHORT_TEXT_MAX_LENGTH,
        required=False,
        help_text=_("Wer außer der Person dabei ist, z. B. eine Betreuerin."),
    )

    def starts_at(self) -> dt.datetime:
        """The date and time entered, in the city's time."""
        return timezone.make_aware(
            dt.datetime.combine(self.cleaned_data["on"], self.cleaned_data["at"])
        )

    def service_arguments(self) -> dict[str, Any]:
        # The service takes the moment, the form two inputs for it.
        arguments = super().service_arguments()
        del arguments["on"], arguments["at"]
        return {**arguments, "starts_at": self.starts_at()}

    def add_service_errors(self, exc: Any) -> None:
        # The service names the moment ``starts_at``; the form shows it as two inputs.
        if hasattr(exc, "error_dict") and "starts_at" in exc.error_dict:
            self.add_error("on", exc.error_dict.pop("starts_at"))
        super().add_service_errors(exc)


class AppointmentStatusForm(KernForm):
    status = forms.ChoiceField(choices=AppointmentStatus.choices)


class FollowUpDoneForm(KernForm):
    done = forms.BooleanField(required=False)


class ResponsibilityForm(CaseworkForm):
    WORKER_FIELD = True
    AUTO_ID = "id_responsible_%s"
