"""Writes about frameworks, tags on entries and assessments (R23, R24)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from footsteps.access.actor import Actor
from footsteps.access.policy import require
from footsteps.assessments import loading
from footsteps.assessments.models import (
    Aspect,
    Assessment,
    AssessmentChange,
    AssessmentPeriod,
    Band,
    Framework,
    ObservationAspect,
    ObservationMark,
    SettingFramework,
)
from footsteps.assessments.selectors import frameworks_for
from footsteps.audit.services import audit_act
from footsteps.journal.models import Observation


@transaction.atomic
def frameworks_choose(*, actor: Actor, frameworks) -> None:
    """The frameworks the setting uses: on the observation form, in
    assessment periods and in reports."""
    setting = actor.member.setting
    require(actor, "framework.manage", setting)
    usable = set(frameworks_for(actor, chosen_only=False).values_list("pk", flat=True))
    chosen = {framework.pk for framework in frameworks}
    if chosen - usable:
        raise ValidationError({"frameworks": "Choose frameworks from the list."})
    if not chosen:
        raise ValidationError({"frameworks": "Choose at least one framework."})
    SettingFramework.objects.filter(setting=setting).exclude(framework__in=chosen).delete()
    have = set(SettingFramework.objects.filter(setting=setting).values_list("framework", flat=True))
    SettingFramework.objects.bulk_create(
        SettingFramework(setting=setting, framework_id=pk) for pk in chosen - have
    )
    audit_act(actor, "frameworks.chosen", target=setting, frameworks=sorted(chosen))


def framework_import(*, actor: Actor, raw: bytes) -> Framework:
    """A setting's own framework from CSV: all of it or nothing, with every
    error in the file named by line (loading.CsvErrors). Importing a file with
    the same framework name updates it in place."""
    setting = actor.member.setting
    require(actor, "framework.manage", setting)
    data = loading.parse_csv(raw)
    with transaction.atomic():
        if not SettingFramework.objects.filter(setting=setting).exists():
            # The first own framework joins the defaults in use, not replaces them.
            SettingFramework.objects.bulk_create(
                SettingFramework(setting=setting, framework=f) for f in frameworks_for(actor)
            )
        framework = loading.store(data, setting=setting)
        SettingFramework.objects.get_or_create(setting=setting, framework=framework)
        audit_act(actor, "framework.imported", target=framework, name=framework.name)
    return framework


# --- Tags and marks on an entry ----------------------------------------------


@dataclass
class Mark:
    band: Band | None = None
    judgement: str = ""


def observation_tag(*, actor: Actor, observation, aspects, marks: dict | None = None) -> bool:
    """Set the aspects an entry shows and each child's mark (band, judgement).
    Called by the journal's services inside their transaction, after they
    checked the actor may write the entry. `marks` maps a child id to a Mark;
    children not in it keep no mark. Returns whether anything changed."""
    aspect_ids = {aspect.pk if isinstance(aspect, Aspect) else int(aspect) for aspect in aspects}
    chosen = frameworks_for(actor)
    usable = Aspect.objects.filter(framework__in=chosen)
    found = set(usable.filter(pk__in=aspect_ids).values_list("pk", flat=True))
    if aspect_ids - found:
        raise ValidationError(
            {
                "aspects": ValidationError(
                    "Choose areas of learning from the list.", code="not_found"
                )
            }
        )
    before = set(observation.aspect_links.values_list("aspect_id", flat=True))
    changed = before != aspect_ids
    if changed:
        ObservationAspect.objects.filter(observation=observation).exclude(
            aspect__in=aspect_ids
        ).delete()
        ObservationAspect.objects.bulk_create(
            ObservationAspect(observation=observation, aspect_id=pk) for pk in aspect_ids - before
        )
    if marks is None:
        return changed
    children = set(observation.links.values_list("child_id", flat=True))
    scales = {j["key"] for f in chosen for j in f.judgements}
    bands = set(Band.objects.filter(framework__in=chosen).values_list("pk", flat=True))
    for child_id, mark in marks.items():
        # Ids and keys that name nothing here: "not found" (404 in the API).
        if int(child_id) not in children:
            problem = "Mark only the children this entry is about."
        elif mark.band is not None and mark.band.pk not in bands:
            problem = "Choose a band of your setting's frameworks."
        elif mark.judgement and mark.judgement not in scales:
            problem = f"“{mark.judgement}” is not a judgement in use."
        else:
            continue
        raise ValidationError({"marks": ValidationError(problem, code="not_found")})
    kept = {int(c): m for c, m in marks.items() if m.band is not None or m.judgement}
    old = {
        m.child_id: (m.band_id, m.judgement)
        for m in ObservationMark.objects.filter(observation=observation)
    }
    new = {c: (m.band.pk if m.band else None, m.judgement) for c, m in kept.items()}
    if old != new:
        ObservationMark.objects.filter(observation=observation).delete()
        ObservationMark.objects.bulk_create(
            ObservationMark(observation=observation, child_id=c, band=m.band, judgement=m.judgement)
            for c, m in kept.items()
        )
        changed = True
    return changed


# --- Assessment periods and assessments --------------------------------------


@transaction.atomic
def period_create(
    *, actor: Actor, name: str, assessed_on: date, framework: Framework
) -> AssessmentPeriod:
    setting = actor.member.setting
    require(actor, "period.manage", setting)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the assessment point a name, like “Autumn 2026”."})
    if not frameworks_for(actor).filter(pk=framework.pk).exists():
        raise ValidationError(
            {"framework": ValidationError("Choose one of your frameworks.", code="not_found")}
        )
    try:
        with transaction.atomic():
            period = AssessmentPeriod.objects.create(
                setting=setting, name=name, assessed_on=assessed_on, framework=framework
            )
    except IntegrityError:
        raise ValidationError(
            {"name": ValidationError("There is already a point with this name.", code="conflict")}
        ) from None
    audit_act(actor, "period.created", target=period, name=name)
    return period


@transaction.atomic
def period_update(
    *,
    actor: Actor,
    period: AssessmentPeriod,
    shared_with_parents: bool,
    national_gld_percent: Decimal | None = None,
) -> AssessmentPeriod:
    """Share a period's judgements with families (each sees their own child's),
    and record the national Good Level of Development figure."""
    require(actor, "period.manage", period.setting)
    if national_gld_percent is not None and not 0 <= national_gld_percent <= 100:
        raise ValidationError({"national_gld_percent": "Enter a percentage from 0 to 100."})
    changes: dict[str, object] = {}
    if period.shared_with_parents != shared_with_parents:
        changes["shared_with_parents"] = shared_with_parents
    if period.national_gld_percent != national_gld_percent:
        changes["national_gld_percent"] = str(national_gld_percent)
    period.shared_with_parents = shared_with_parents
    period.national_gld_percent = national_gld_percent
    period.save(update_fields=["shared_with_parents", "national_gld_percent"])
    if changes:
        audit_act(actor, "period.updated", target=period, **changes)
    return period


@dataclass
class Judgement:
    band: Band | None = None
    judgement: str = ""
    on_track: bool | None = None
    evidence: tuple = ()


def _values(assessment: Assessment) -> dict:
    return {
        "band": assessment.band.name if assessment.band else "",
        "judgement": assessment.judgement,
        "on_track": assessment.on_track,
    }


@transaction.atomic
def assessments_record(
    *, actor: Actor, period: AssessmentPeriod, child, judgements: dict[int, Judgement]
) -> int:
    """Record a child's judgements in a period, aspect by aspect (`judgements`
    maps an aspect id to a Judgement). An aspect left with nothing is cleared
    (kept empty, so its history stays). Evidence must be entries about the
    child. Every change to an existing judgement keeps what it replaced. Returns how
    many aspects changed."""
    require(actor, "assessment.record", child)
    if period.setting_id != actor.setting_id:
        raise ValidationError({"period": ValidationError("No such period.", code="not_found")})
    framework = period.framework
    aspects = {a.pk: a for a in framework.aspects.all()}
    bands = {b.pk: b for b in framework.bands.all()}
    scale = {j["key"] for j in framework.judgements}
    errors = {}
    for aspect_id, given in judgements.items():
        if aspect_id not in aspects:
            errors["aspects"] = "Judge only aspects of this period's framework."
        elif given.band is not None and given.band.pk not in bands:
            errors[f"band_{aspect_id}"] = "Choose a band of this framework."
        elif given.judgement and given.judgement not in scale:
            errors[f"judgement_{aspect_id}"] = f"“{given.judgement}” is not on this scale."
    evidence_ids = {pk for given in judgements.values() for pk in given.evidence}
    about_child = set(
        Observation.objects.filter(
            pk__in=evidence_ids, setting=period.setting, links__child=child
        ).values_list("pk", flat=True)
    )
    if evidence_ids - about_child:
        errors["evidence"] = "Link only entries about this child."
    if errors:
        raise ValidationError(errors)
    existing = {
        a.aspect_id: a
        for a in Assessment.objects.filter(period=period, child=child).select_related("band")
    }
    changed = 0
    for aspect_id, given in judgements.items():
        empty = given.band is None and not given.judgement and given.on_track is None
        current = existing.get(aspect_id)
        if current is None and empty:
            continue
        if current is None:
            current = Assessment(period=period, child=child, aspect_id=aspect_id)
            before = None
        else:
            before = _values(current)
        current.band, current.judgement, current.on_track = (
            given.band,
            given.judgement,
            given.on_track,
        )
        after = _values(current)
        evidence = set(given.evidence)
        if before == after and (
            current.pk is None or set(current.evidence.values_list("pk", flat=True)) == evidence
        ):
            continue
        current.recorded_by = actor.member
        current.save()
        current.evidence.set(evidence)
        if before is not None and before != after:
            AssessmentChange.objects.create(
                assessment=current,
                changed_by=actor.member,
                changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
            )
        changed += 1
    if changed:
        audit_act(actor, "assessments.recorded", target=child, period=period.name, aspects=changed)
    return changed
