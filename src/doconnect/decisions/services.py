"""Every write to a priority decision: one function per write, coordinators only
(``PermissionDenied`` for anybody else), refused with a ``ValidationError`` once the
decision is taken (options, criteria, values and weights are then frozen)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from doconnect.core.models import Role
from doconnect.core.viewers import Viewer, viewer_for
from doconnect.decisions.from_scenarios import (
    CriterionSpec,
    ScenarioResultError,
    coverage_group,
    criteria_values_from_scenario_result,
    demand_by_group,
)
from doconnect.decisions.models import (
    REASONS_MIN_LENGTH,
    Criterion,
    Decision,
    DecisionOption,
    DecisionRecord,
    DecisionStatus,
    Direction,
    OptionValue,
)
from doconnect.decisions.selectors import decision_table
from doconnect.transparency.engine import is_small
from doconnect.transparency.small_number import small_number


def may_decide(viewer: Viewer) -> bool:
    """Priority decisions are the city's coordination task."""
    return viewer.has_role(Role.COORDINATOR)


def _require_coordinator(actor: User) -> None:
    if not may_decide(viewer_for(actor)):
        raise PermissionDenied


def _require_draft(decision: Decision) -> None:
    if decision.status != DecisionStatus.DRAFT:
        raise ValidationError(
            _("Die Entscheidung ist getroffen: Optionen, Kriterien, Werte und Gewichte bleiben so.")
        )


def _lock(decision: Decision) -> None:
    """Lock the decision's row for this transaction (two writes cannot interleave) and
    read its current status into ``decision``."""
    decision.status = (
        Decision.objects.select_for_update().values_list("status", flat=True).get(pk=decision.pk)
    )


@transaction.atomic
def decision_create(
    *,
    title: str,
    question: str,
    context: str = "",
    criteria: Sequence[CriterionSpec] = (),
    actor: User,
) -> Decision:
    """A new draft, with ``criteria`` (e.g. from the standard catalogue) weighted 1."""
    _require_coordinator(actor)
    decision = Decision.objects.create(
        title=title, question=question, context=context, created_by=actor
    )
    Criterion.objects.bulk_create(
        Criterion(
            decision=decision,
            code=spec.code,
            label=spec.label,
            direction=spec.direction,
            weight=Decimal(1),
            explanation=spec.explanation,
            position=i,
        )
        for i, spec in enumerate(criteria)
    )
    return decision


@transaction.atomic
def criterion_add(
    *,
    decision: Decision,
    code: str,
    label: str,
    direction: str,
    weight: Decimal,
    explanation: str = "",
    actor: User,
) -> Criterion:
    """One more criterion; options that came from a scenario result get its value from
    there when the result has one."""
    _require_coordinator(actor)
    _lock(decision)
    _require_draft(decision)
    if direction not in Direction.values:
        raise ValidationError({"direction": _("Unbekannte Richtung.")})
    if weight < 0:
        raise ValidationError({"weight": _("Ein Gewicht ist 0 oder größer.")})
    if decision.criteria.filter(code=code).exists():
        raise ValidationError({"code": _("Diese Kennung gibt es in der Entscheidung schon.")})
    position = (decision.criteria.aggregate(last=Max("position"))["last"] or 0) + 1
    criterion = Criterion.objects.create(
        decision=decision,
        code=code,
        label=label,
        direction=direction,
        weight=weight,
        explanation=explanation,
        position=position,
    )
    for option in decision.options.exclude(source=None):
        if not isinstance(option.source, Mapping):
            continue
        try:
            values = criteria_values_from_scenario_result(option.source)
        except ScenarioResultError:
            continue  # checked when the option was added; a stored source stays readable
        if code in values:
            OptionValue.objects.create(option=option, criterion=criterion, value=values[code])
    return criterion


def _set_values(option: DecisionOption, values: Mapping[str, float]) -> None:
    criteria = {c.code: c for c in option.decision.criteria.all()}
    unknown = sorted(set(values) - set(criteria))
    if unknown:
        raise ValidationError(_("Unbekannte Kriterien: %(codes)s") % {"codes": ", ".join(unknown)})
    for code, value in values.items():
        OptionValue.objects.update_or_create(
            option=option, criterion=criteria[code], defaults={"value": float(value)}
        )


@transaction.atomic
def option_add(
    *,
    decision: Decision,
    label: str,
    description: str = "",
    values: Mapping[str, float],
    source: Mapping[str, Any] | None = None,
    source_label: str = "",
    actor: User,
) -> DecisionOption:
    """One more option with its values by criterion code (missing ones can follow with
    ``value_set``; the decision is scored once every value is there)."""
    _require_coordinator(actor)
    _lock(decision)
    _require_draft(decision)
    if decision.options.filter(label=label).exists():
        raise ValidationError({"label": _("Eine Option mit dieser Bezeichnung gibt es schon.")})
    position = (decision.options.aggregate(last=Max("position"))["last"] or 0) + 1
    option = DecisionOption.objects.create(
        decision=decision,
        label=label,
        description=description,
        source=dict(source) if source is not None else None,
        source_label=source_label,
        position=position,
    )
    _set_values(option, values)
    return option


def option_add_from_scenario_result(
    *,
    decision: Decision,
    label: str,
    result: Mapping[str, Any],
    description: str = "",
    actor: User,
) -> DecisionOption:
    """An option from a scenario result (the scenario engine's JSON form): the values of
    the decision's criteria that the result gives (``from_scenarios``); the result is
    kept as the option's source."""
    try:
        computed = criteria_values_from_scenario_result(result)
    except ScenarioResultError as exc:
        raise ValidationError(
            _("Das Szenario-Ergebnis ist unvollständig: %(problem)s") % {"problem": exc}
        ) from exc
    codes = set(decision.criteria.values_list("code", flat=True))
    name = result.get("name")
    return option_add(
        decision=decision,
        label=label,
        description=description,
        values={code: value for code, value in computed.items() if code in codes},
        source=result,
        source_label=name if isinstance(name, str) else "",
        actor=actor,
    )


@transaction.atomic
def criterion_set_weights(
    *, decision: Decision, weights: Mapping[str, Decimal], actor: User
) -> None:
    """New weights by criterion code (criteria not named keep theirs)."""
    _require_coordinator(actor)
    _lock(decision)
    _require_draft(decision)
    criteria = {c.code: c for c in decision.criteria.all()}
    unknown = sorted(set(weights) - set(criteria))
    if unknown:
        raise ValidationError(_("Unbekannte Kriterien: %(codes)s") % {"codes": ", ".join(unknown)})
    if any(w < 0 for w in weights.values()):
        raise ValidationError(_("Ein Gewicht ist 0 oder größer."))
    for code, weight in weights.items():
        criteria[code].weight = weight
    Criterion.objects.bulk_update([criteria[code] for code in weights], ["weight"])


@transaction.atomic
def value_set(*, option: DecisionOption, values: Mapping[str, float], actor: User) -> None:
    """An option's values by criterion code (new or corrected)."""
    _require_coordinator(actor)
    _lock(option.decision)
    _require_draft(option.decision)
    _set_values(option, values)


def _name_of(user: User) -> str:
    """What the public reads as the decider: the full name, or nothing (the pages then
    name the office) — never the username."""
    return user.get_full_name().strip()


@transaction.atomic
def decision_record(
    *,
    decision: Decision,
    chosen: DecisionOption,
    reasons: str,
    deviation_reason: str = "",
    actor: User,
) -> DecisionRecord:
    """Take the decision: the chosen option, why, and a snapshot of the options,
    criteria, weights and scores it rests on. Choosing another option than the one with
    the highest score needs a reason for that too."""
    _require_coordinator(actor)
    _lock(decision)
    _require_draft(decision)
    if chosen.decision_id != decision.pk:
        raise ValidationError({"chosen": _("Diese Option gehört nicht zur Entscheidung.")})
    table = decision_table(decision)
    result = table.score()
    if result is None:
        raise ValidationError(
            _("Erst wenn jede Option einen Wert für jedes Kriterium hat, kann entschieden werden.")
        )
    too_short = _("Bitte mindestens %(count)d Zeichen.") % {"count": REASONS_MIN_LENGTH}
    if len(reasons.strip()) < REASONS_MIN_LENGTH:
        raise ValidationError({"reasons": too_short})
    if str(chosen.pk) != result.winner and len(deviation_reason.strip()) < REASONS_MIN_LENGTH:
        raise ValidationError({"deviation_reason": too_short})
    record = DecisionRecord.objects.create(
        decision=decision,
        chosen=chosen,
        chosen_label=chosen.label,
        decided_by=actor,
        decided_by_label=_name_of(actor),
        reasons=reasons.strip(),
        deviation_reason=deviation_reason.strip() if str(chosen.pk) != result.winner else "",
        weights={code: str(w) for code, w in table.weights.items()},
        scores=result.to_dict(),
        table=table.to_dict(),
    )
    decision.status = DecisionStatus.DECIDED
    decision.save(update_fields=["status"])
    return record


def small_number_criteria(decision: Decision) -> list[str]:
    """The labels of the decision's coverage criteria whose share rests, in some option
    taken from a scenario result, on a demand below the small-number threshold. Their
    values (and the scores built from them) would tell something about a handful of
    persons, so such a decision is not published."""
    threshold = small_number()
    small: list[str] = []
    criteria = list(decision.criteria.all())
    for option in decision.options.all():
        if not option.source:
            continue
        demand = demand_by_group(option.source)
        for criterion in criteria:
            group = coverage_group(criterion.code)
            small_demand = group is not None and is_small(demand.get(group, 0), threshold)
            if small_demand and criterion.label not in small:
                small.append(criterion.label)
    return small


@transaction.atomic
def decision_publish(*, decision: Decision, actor: User) -> DecisionRecord:
    """Make a decided decision public (its public page and the public list)."""
    _require_coordinator(actor)
    _lock(decision)
    if decision.status != DecisionStatus.DECIDED:
        raise ValidationError(
            _("Nur eine getroffene, nicht zurückgezogene Entscheidung kann veröffentlicht werden.")
        )
    small = small_number_criteria(decision)
    if small:
        raise ValidationError(
            _(
                "So kann die Entscheidung nicht veröffentlicht werden: %(criteria)s beruht "
                "in mindestens einer Option auf weniger als %(n)d Personen. Veröffentlichte "
                "Zahlen dürfen keine Rückschlüsse auf Einzelne erlauben."
            )
            % {"criteria": ", ".join(f"„{label}“" for label in small), "n": small_number()}
        )
    record = decision.record
    record.published_at = timezone.now()
    record.published_by = actor
    record.save(update_fields=["published_at", "published_by"])
    decision.status = DecisionStatus.PUBLISHED
    decision.save(update_fields=["status"])
    return record


@transaction.atomic
def decision_withdraw(*, decision: Decision, reason: str, actor: User) -> DecisionRecord:
    """Withdraw a taken decision (published or not): it leaves the public pages; the
    record, with the reason, stays."""
    _require_coordinator(actor)
    _lock(decision)
    if decision.status not in (DecisionStatus.DECIDED, DecisionStatus.PUBLISHED):
        raise ValidationError(_("Nur eine getroffene Entscheidung kann zurückgezogen werden."))
    if len(reason.strip()) < REASONS_MIN_LENGTH:
        raise ValidationError(
            {"reason": _("Bitte mindestens %(count)d Zeichen.") % {"count": REASONS_MIN_LENGTH}}
        )
    record = decision.record
    record.withdrawn_at = timezone.now()
    record.withdrawn_reason = reason.strip()
    record.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    decision.status = DecisionStatus.WITHDRAWN
    decision.save(update_fields=["status"])
    return record
