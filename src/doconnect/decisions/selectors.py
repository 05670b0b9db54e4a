"""Reading priority decisions: which ones a viewer may see, one for a viewer or a
refusal, the published ones for the public, and a decision's table of options ×
criteria (from the database for a draft, from the record's snapshot once decided)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from doconnect.core.models import Role
from doconnect.core.viewers import Viewer
from doconnect.decisions.engine.table import CriterionRow, OptionRow, Table
from doconnect.decisions.models import Decision, DecisionStatus, OptionValue

# What a member of any organisation who is not a coordinator may read.
TAKEN = (DecisionStatus.DECIDED, DecisionStatus.PUBLISHED)


def may_read_decisions(viewer: Viewer) -> bool:
    """Coordinators read every decision; everybody with a role reads the taken ones."""
    return bool(viewer.memberships)


def decisions_for_viewer(viewer: Viewer) -> QuerySet[Decision]:
    """Coordinators: all (drafts too); other roles: the taken, not withdrawn ones;
    without a role: a refusal."""
    if not may_read_decisions(viewer):
        raise PermissionDenied
    decisions = Decision.objects.select_related("record", "created_by")
    if viewer.has_role(Role.COORDINATOR):
        return decisions
    return decisions.filter(status__in=TAKEN)


def decision_for_viewer(viewer: Viewer, pk: int) -> Decision:
    """The decision if this viewer may read it; 404 for an unknown one *and* for one the
    viewer may not see (a draft is not revealed), 403 without any role."""
    decision = decisions_for_viewer(viewer).filter(pk=pk).first()
    if decision is None:
        raise Http404
    return decision


def public_decisions() -> QuerySet[Decision]:
    return (
        Decision.objects.filter(status=DecisionStatus.PUBLISHED)
        .select_related("record")
        .order_by("-record__published_at", "-id")
    )


def public_decision(pk: int) -> Decision:
    """A published decision; 404 for anything else (drafts, withdrawn, unknown)."""
    decision = public_decisions().filter(pk=pk).first()
    if decision is None:
        raise Http404
    return decision


def decision_table(decision: Decision) -> Table:
    """The live options × criteria of a decision, in three queries."""
    criteria = list(decision.criteria.all())
    options = list(decision.options.all())
    values: dict[int, dict[str, float]] = {o.pk: {} for o in options}
    for option_id, code, value in OptionValue.objects.filter(option__decision=decision).values_list(
        "option_id", "criterion__code", "value"
    ):
        values[option_id][code] = value
    return Table(
        options=tuple(
            OptionRow(
                key=str(o.pk),
                label=o.label,
                description=o.description,
                source_label=o.source_label,
                values=values[o.pk],
            )
            for o in options
        ),
        criteria=tuple(
            CriterionRow(
                code=c.code,
                label=c.label,
                direction=c.direction,
                weight=c.weight,
                explanation=c.explanation,
            )
            for c in criteria
        ),
    )


def shown_table(decision: Decision) -> Table:
    """What a page shows: the record's snapshot once decided, the live table before."""
    if decision.status != DecisionStatus.DRAFT and hasattr(decision, "record"):
        return Table.from_dict(decision.record.table)
    return decision_table(decision)
