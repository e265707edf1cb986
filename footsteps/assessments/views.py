import csv

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify

from footsteps.access.policy import can
from footsteps.access.views import get_for, requires
from footsteps.assessments import ages, charts, selectors, services
from footsteps.assessments.forms import (
    AssessmentForm,
    FrameworkChoiceForm,
    FrameworkImportForm,
    PeriodForm,
    PeriodOptionsForm,
)
from footsteps.assessments.loading import CSV_COLUMNS, CsvErrors
from footsteps.assessments.models import Assessment, Framework
from footsteps.children.models import Child
from footsteps.children.selectors import children_for
from footsteps.core.forms import apply_validation_error
from footsteps.journal import selectors as journal_selectors
from footsteps.journal.models import Observation

# --- Frameworks ----------------------------------------------------------------


@requires("framework.manage", setting_wide=True)
def frameworks(request):
    actor = request.actor
    usable = selectors.frameworks_for(actor, chosen_only=False)
    chosen = selectors.frameworks_for(actor)
    choose_form = FrameworkChoiceForm(
        request.POST if "choose" in request.POST else None,
        usable=usable,
        initial={"frameworks": list(chosen)},
    )
    import_form = FrameworkImportForm(
        request.POST if "import" in request.POST else None,
        request.FILES if "import" in request.POST else None,
    )
    csv_errors = []
    if "choose" in request.POST and choose_form.is_valid():
        try:
            services.frameworks_choose(
                actor=actor, frameworks=choose_form.cleaned_data["frameworks"]
            )
        except ValidationError as error:
            apply_validation_error(choose_form, error)
        else:
            messages.success(request, "The frameworks are saved.")
            return redirect("frameworks")
    if "import" in request.POST and import_form.is_valid():
        try:
            framework = services.framework_import(
                actor=actor, raw=import_form.cleaned_data["file"].read()
            )
        except CsvErrors as errors:
            csv_errors = errors.errors
            import_form.add_error(
                "file", "Nothing was imported: correct these lines and try again."
            )
        else:
            messages.success(request, f"“{framework.name}” is imported and in use.")
            return redirect("frameworks")
    return render(
        request,
        "assessments/frameworks.html",
        {
            "frameworks": selectors.framework_tree(usable),
            "choose_form": choose_form,
            "import_form": import_form,
            "csv_errors": csv_errors,
        },
    )


EXAMPLE_CSV = [
    ["framework", "Our curriculum", "", "", "", "", "", ""],
    ["judgement", "Beginning", "", "", "", "", "", ""],
    ["judgement", "Confident", "", "", "", "", "", ""],
    ["band", "Toddlers", "", "", "", "0", "30", ""],
    ["band", "Pre-school", "", "", "", "30", "60", ""],
    ["prime area", "Talking", "", "", "", "", "", "Talking and listening"],
    ["aspect", "Listening", "Talking", "", "", "", "", ""],
    ["aspect", "Speaking", "Talking", "", "", "", "", ""],
    ["area", "Outdoors", "", "", "", "", "", "Playing outside"],
    ["aspect", "Climbing", "Outdoors", "", "", "", "", ""],
    ["statement", "Turns to a familiar voice", "Talking", "Listening", "Toddlers", "", "", ""],
]


@requires("framework.manage", setting_wide=True)
def framework_example(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="framework-example.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(EXAMPLE_CSV)
    return response


# --- Assessment points -------------------------------------------------------


@requires("assessment.points", setting_wide=True)
def periods(request):
    actor = request.actor
    form = None
    if can(actor, "period.manage", actor.setting):
        form = PeriodForm(
            request.POST if request.method == "POST" else None,
            frameworks=selectors.frameworks_for(actor),
        )
        if request.method == "POST" and form.is_valid():
            try:
                period = services.period_create(actor=actor, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, f"“{period.name}” is added.")
                return redirect("period_detail", period.pk)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "assessments/periods.html",
        {"periods": selectors.periods_for(actor).order_by("-assessed_on", "-id"), "form": form},
    )


@requires("assessment.points", setting_wide=True)
def period_detail(request, period_id):
    """A point's children, with how many aspects each has been judged in."""
    actor = request.actor
    period = get_for(actor, "period.view", selectors.periods_for(actor), pk=period_id)
    options = None
    if can(actor, "period.manage", actor.setting):
        options = PeriodOptionsForm(
            request.POST if request.method == "POST" else None,
            initial={
                "shared_with_parents": period.shared_with_parents,
                "national_gld_percent": period.national_gld_percent,
            },
        )
        if request.method == "POST" and options.is_valid():
            try:
                services.period_update(actor=actor, period=period, **options.cleaned_data)
            except ValidationError as error:
                apply_validation_error(options, error)
            else:
                messages.success(request, "Saved.")
                return redirect("period_detail", period.pk)
    elif request.method == "POST":
        raise Http404
    children = children_for(actor, "assessment.record").attending().order_by("first_name")
    judged = selectors.judged_counts(actor, period)
    return render(
        request,
        "assessments/period_detail.html",
        {
            "period": period,
            "options": options,
            "children": [(child, judged.get(child.pk, 0)) for child in children],
            "aspect_count": period.framework.aspects.count(),
        },
    )


@requires("assessment.record")
def assess_child(request, child_id, period_id):
    actor = request.actor
    child = get_for(actor, "assessment.record", Child.objects.all(), pk=child_id)
    period = get_for(actor, "period.view", selectors.periods_for(actor), pk=period_id)
    framework = selectors.framework_tree(Framework.objects.filter(pk=period.framework_id))[0]
    period.framework = framework
    rows = {
        a.aspect_id: a
        for a in Assessment.objects.filter(period=period, child=child).prefetch_related("evidence")
    }
    # Evidence is what is in the journal: published entries, not drafts or
    # a family's entry still waiting for approval.
    recent = journal_selectors.journal_entries(actor, child_id=child.pk).filter(
        kind=Observation.Kind.OBSERVATION, status=Observation.Status.PUBLISHED
    )[:40]
    evidence_choices = [(str(o.pk), f"{o.observed_at:%d %b} · {o.title}") for o in recent]
    form = AssessmentForm(
        request.POST if request.method == "POST" else None,
        period=period,
        rows=rows,
        evidence_choices=evidence_choices,
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.assessments_record(
                actor=actor, period=period, child=child, judgements=form.judgements()
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                f"{child.first_name}'s assessment is saved ({changed} aspect"
                f"{'s' if changed != 1 else ''} changed).",
            )
            return redirect("period_detail", period.pk)
    months = ages.age_in_months(child.date_of_birth, period.assessed_on)
    return render(
        request,
        "assessments/assess_child.html",
        {
            "child": child,
            "period": period,
            "form": form,
            "months": months,
            "expected": ages.expected_band(list(framework.bands.all()), months),
            "history": selectors.assessment_history(actor, period=period, child=child),
        },
    )


# --- A child's progress (R23) ------------------------------------------------


@requires("progress.view")
def child_progress(request, child_id):
    actor = request.actor
    child = get_for(actor, "progress.view", Child.objects.all(), pk=child_id)
    progress = selectors.child_progress(actor, child)
    for fw in progress:
        levels = [b.name for b in fw.framework.bands.all()] or [
            j["name"] for j in fw.framework.judgements
        ]
        by_band = {b.pk: i for i, b in enumerate(fw.framework.bands.all())}
        by_judgement = {j["key"]: i for i, j in enumerate(fw.framework.judgements)}
        for area in fw.areas:
            lines = []
            for row in area.rows:
                values = []
                for period, _months, _expected in fw.periods:
                    a = row.by_period.get(period.pk)
                    if a is None:
                        values.append(None)
                    elif by_band:
                        values.append(by_band.get(a.band_id))
                    else:
                        values.append(by_judgement.get(a.judgement))
                lines.append((row.aspect.name, values))
            area.chart = charts.progress_chart(
                chart_id=f"chart-{fw.framework.pk}-{area.area.pk}",
                title=f"{child.first_name}: {area.area.name}",
                levels=levels,
                points=[
                    (p.name, by_band.get(e.pk) if e is not None else None)
                    for p, _m, e in fw.periods
                ],
                lines=lines,
            )
    staff = can(actor, "child.journal", child)
    return render(
        request,
        "assessments/child_progress.html",
        {
            "child": child,
            "progress": progress,
            "staff": staff,
            "next_steps": journal_selectors.open_next_steps(child) if staff else [],
            "periods": selectors.periods_for(actor) if staff else [],
        },
    )


# --- Cohorts (R24) and the EYFS Profile --------------------------------------


def _period(actor, raw):
    if not raw:
        return None
    try:
        return get_for(actor, "period.view", selectors.periods_for(actor), pk=int(raw))
    except ValueError:
        raise Http404 from None


def _report(request):
    actor = request.actor
    periods = list(selectors.periods_for(actor).exclude(framework__kind="characteristics"))
    period = _period(actor, request.GET.get("period")) or (periods[-1] if periods else None)
    compare = _period(actor, request.GET.get("compare"))
    by = request.GET.get("by") or None
    if by is not None and by not in selectors.GROUPS:
        raise Http404
    if compare is not None and period is not None and compare.framework_id != period.framework_id:
        compare = None
    report = (
        selectors.cohort_report(actor, period=period, by=by, compare=compare) if period else None
    )
    return periods, period, compare, by, report


@requires("cohort.view", setting_wide=True)
def cohort(request):
    periods, period, compare, by, report = _report(request)
    if report is not None:
        for number, group in enumerate(report.groups):
            group.chart = charts.share_chart(
                chart_id=f"share-{number}",
                title=f"On track in {report.period.name}: {group.name}",
                # Bars for the aspects judged in this point; the table lists all.
                bars=[
                    (
                        aspect.name,
                        group.cells[aspect.pk].percent,
                        group.before[aspect.pk].percent if compare else None,
                    )
                    for aspect in report.aspects
                    if report.groups[0].cells[aspect.pk].assessed
                ],
                compare_name=compare.name if compare else "",
            )
    return render(
        request,
        "assessments/cohort.html",
        {
            "periods": periods,
            "period": period,
            "compare": compare,
            "by": by,
            "groups": selectors.GROUPS,
            "report": report,
            "small": selectors.SMALL_GROUP,
            "query": request.GET.urlencode(),
        },
    )


@requires("cohort.view", setting_wide=True)
def cohort_csv(request):
    _periods, period, compare, by, report = _report(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = slugify(f"cohort {period.name if period else ''} {by or ''}")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    header = ["group", "children", "area", "aspect", "assessed", "on track", "share on track (%)"]
    if compare:
        header += [f"{compare.name}: assessed", f"{compare.name}: on track", f"{compare.name}: %"]
    writer.writerow([_safe_cell(value) for value in header])
    for group in report.groups if report else ():
        for aspect in report.aspects:
            cell, before = group.cells[aspect.pk], group.before[aspect.pk]
            row = [group.name, group.children, aspect.area.name, aspect.name]
            row += [cell.assessed, cell.on_track, "" if cell.percent is None else cell.percent]
            if compare:
                row += [
                    before.assessed,
                    before.on_track,
                    "" if before.percent is None else before.percent,
                ]
            writer.writerow([_safe_cell(value) for value in row])
    return response


def _safe_cell(value):
    # A name starting with = + - @ would run as a formula in a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


@requires("cohort.view", setting_wide=True)
def cohort_children(request):
    """The children behind one figure of the cohort report."""
    actor = request.actor
    period = _period(actor, request.GET.get("period"))
    by = request.GET.get("by") or None
    if period is None or (by is not None and by not in selectors.GROUPS):
        raise Http404
    try:
        aspect = period.framework.aspects.get(pk=int(request.GET.get("aspect", "")))
        value = selectors.group_value(by, request.GET.get("value", "")) if by else None
    except (ValueError, ObjectDoesNotExist):
        raise Http404 from None
    rows = selectors.cohort_children(actor, period=period, aspect_id=aspect.pk, by=by, value=value)
    return render(
        request,
        "assessments/cohort_children.html",
        {"period": period, "aspect": aspect, "rows": rows, "by": by and selectors.GROUPS[by][0]},
    )


def _profile(request, period_id):
    actor = request.actor
    period = get_for(
        actor,
        "period.view",
        selectors.periods_for(actor).filter(framework__kind=Framework.Kind.GOALS),
        pk=period_id,
    )
    by = request.GET.get("by") or None
    if by is not None and by not in selectors.GROUPS:
        raise Http404
    return selectors.eyfs_profile(actor, period=period, by=by), by


@requires("cohort.view", setting_wide=True)
def eyfs_profile(request, period_id):
    profile, by = _profile(request, period_id)
    return render(
        request,
        "assessments/eyfs_profile.html",
        {"profile": profile, "by": by, "groups": selectors.GROUPS, "small": selectors.SMALL_GROUP},
    )


@requires("cohort.view", setting_wide=True)
def eyfs_profile_csv(request, period_id):
    """The statutory return's shape: a row per child, a column per goal,
    coded 1 (emerging), 2 (expected) or A (not assessed)."""
    profile, _by = _profile(request, period_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = slugify(f"eyfs profile {profile.period.name}")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["Surname", "Forename", "Date of birth", *(goal.name for goal in profile.goals), "GLD"]
    )
    for row in profile.rows:
        writer.writerow(
            [
                _safe_cell(row.child.last_name),
                _safe_cell(row.child.first_name),
                row.child.date_of_birth.isoformat(),
                *row.codes,
                "Y" if row.gld else "N",
            ]
        )
    return response
