"""The filters of the pathways page."""

from __future__ import annotations

from doconnect.core.forms import KernForm, district_choice, target_group_choice


class PathwaysFilterForm(KernForm):
    """Filters of the pathways page (GET). A district keeps the offers in it and the
    city-wide ones; a target group keeps the offers for it and those open to all."""

    district = district_choice(to_field_name="name")
    target_group = target_group_choice()
