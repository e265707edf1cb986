from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from footsteps.access.policy import can
from footsteps.access.views import get_for, requires
from footsteps.assessments.forms import add_tag_fields, tag_initial, tags_from
from footsteps.assessments.selectors import (
    areas_for,
    check_areas,
    latest_prime_judgements,
    marks_prefetch,
)
from footsteps.audit.services import audit_read
from footsteps.children.models import Child
from footsteps.children.selectors import children_for
from footsteps.core.caching import journal_key, kept, people_key
from footsteps.core.forms import apply_validation_error
from footsteps.core.pagination import KeysetPage
from footsteps.journal import selectors, services
from footsteps.journal.forms import (
    CommentForm,
    ContributionApproveForm,
    ContributionForm,
    DeclineForm,
    JournalFilterForm,
    MonitoringForm,
    NextStepForm,
    ObservationForm,
    ReturnForm,
    SummaryForm,
)
from footsteps.journal.models import Comment, NextStep, Observation
from footsteps.media import selectors as media_selectors
from footsteps.people.selectors import members_for

PAGE_SIZE = 20


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# --- Staff -------------------------------------------------------------------


# What a kept page shows is built only when it is not kept: even building a
# query costs more than serving the page from the cache.
lazy = SimpleLazyObject


def _keyset(request, entries) -> KeysetPage:
    return KeysetPage(entries, size=PAGE_SIZE, cursor=request.GET.get("before"))


def _filter_key(actor, request) -> str:
    """The filter form shows staff names and the query: kept across new entries."""
    return people_key(actor, "journal-filter", sorted(request.GET.lists()))


def _other_params(request) -> str:
    """The page's query string without its position, for "Newest"/"Older" links."""
    params = request.GET.copy()
    params.pop("before", None)
    return params.urlencode()


@requires("child.journal")
def child_detail(request, child_id):
    """A child's journal for staff: timeline with filters, key person, next steps.
    What it shows is kept for this person, journal version, query and day (the
    14/30-day counts), the child too: a kept page reads nothing but the journal
    version, and a child outside their scope is looked up (and 404) every time."""
    actor = request.actor
    child = kept(
        people_key(actor, "child-row", child_id),
        lambda: get_for(
            actor,
            "child.journal",
            Child.objects.select_related("room", "key_person__user"),
            pk=child_id,
        ),
    )
    audit_read(actor, "child.journal_viewed", child)  # R39: who read which journal
    form = lazy(
        lambda: JournalFilterForm(
            request.GET or None, authors=members_for(actor).staff(), areas=areas_for(actor)
        )
    )
    context = {
        "child": child,
        "page": lazy(
            lambda: _keyset(
                request,
                selectors.journal_entries(actor, child_id=child.pk, filters=form.filters()),
            )
        ),
        "filter_form": form,
        "summary": lazy(lambda: selectors.child_summary(child)),
        "next_steps": lazy(lambda: selectors.open_next_steps(child)),
        "next_step_form": NextStepForm(),
        "parents": lazy(
            lambda: child.parent_links.exclude(parent__status="deleted").select_related(
                "parent__user"
            )
        ),
        "other_params": _other_params(request),
        "filter_key": _filter_key(actor, request),
        "filtered": any(value for name, value in request.GET.items() if name != "before"),
        "cache_key": journal_key(
            actor, "child", child.pk, sorted(request.GET.lists()), timezone.localdate()
        ),
    }
    return render(request, "journal/child_detail.html", context)


@requires("observation.create", setting_wide=True)
def observation_create(request):
    actor = request.actor
    children = children_for(actor).attending()
    initial = {"children": request.GET.getlist("child")}
    form = ObservationForm(
        request.POST if request.method == "POST" else None, children=children, initial=initial
    )
    add_tag_fields(form, actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            observation = services.observation_create(
                **tags_from(form, data["children"]),
                actor=actor,
                children=data["children"],
                title=data["title"],
                observed_at=data["observed_at"],
                notes=data["notes"],
                next_steps=data["next_steps"],
                shared_with_parents=data["shared_with_parents"],
                publish="publish" in request.POST,
                media=request.POST.getlist("media"),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if observation.held_back:
                messages.warning(request, f"Saved as a draft. {observation.held_back.message}")
            else:
                messages.success(request, _saved_message(observation))
            return redirect("observation_detail", observation.pk)
    return render(
        request,
        "journal/observation_form.html",
        {
            "form": form,
            "observation": None,
            "goes_to_review": _goes_to_review(actor),
            "uploads": _uploads(request),
        },
    )


@requires("child.journal")
def summary_create(request, child_id):
    """A learning story or a progress check at two for one child (R27): a
    journal entry of its own kind, shared and replied to like any other."""
    actor = request.actor
    child = get_for(actor, "child.journal", Child.objects.all(), pk=child_id)
    kind = request.GET.get("kind", Observation.Kind.LEARNING_STORY)
    if kind not in (Observation.Kind.LEARNING_STORY, Observation.Kind.PROGRESS_CHECK):
        raise Http404
    entries = selectors.journal_entries(actor, child_id=child.pk).filter(
        kind=Observation.Kind.OBSERVATION, status=Observation.Status.PUBLISHED
    )[:60]
    title = Observation.Kind(kind).label
    form = SummaryForm(
        request.POST if request.method == "POST" else None,
        kind=kind,
        entries=entries,
        areas=check_areas(actor) if kind == Observation.Kind.PROGRESS_CHECK else (),
        initial={"title": f"{title}: {child.first_name}"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            observation = services.observation_create(
                actor=actor,
                children=[child],
                title=data["title"],
                observed_at=timezone.now(),
                notes=data["notes"],
                shared_with_parents=data["shared_with_parents"],
                publish="publish" in request.POST,
                media=request.POST.getlist("media"),
                kind=kind,
                sections=form.sections(),
                draws_on=[int(pk) for pk in data["draws_on"]],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _saved_message(observation))
            return redirect("observation_detail", observation.pk)
    return render(
        request,
        "journal/summary_form.html",
        {
            "form": form,
            "child": child,
            "kind_name": title,
            "uploads": _uploads(request),
            "goes_to_review": _goes_to_review(actor),
            # What the key person writes from: the latest judgements in the prime areas.
            "latest": latest_prime_judgements(actor, child)
            if kind == Observation.Kind.PROGRESS_CHECK
            else [],
        },
    )


def _uploads(request):
    """The sender's files already uploaded for a form shown again (nothing lost)."""
    keys = request.POST.getlist("media") if request.method == "POST" else []
    if not keys:
        return []
    try:
        found = media_selectors.media_for(request.actor, "media.edit").filter(
            key__in=keys[:50], observation__isnull=True, uploaded_by=request.actor.member
        )
        return list(found)
    except ValidationError:
        return []


def _goes_to_review(actor) -> bool:
    """What "publish" does for this author: the service's own rule (R17)."""
    return services.needs_review(actor.membership, actor.setting)


def _saved_message(observation):
    return {
        Observation.Status.DRAFT: "Saved as a draft. Only you can see it.",
        Observation.Status.AWAITING_REVIEW: "Sent for review. It is shared once approved.",
        Observation.Status.PUBLISHED: "Published to the journal.",
    }.get(observation.status, "Saved.")


@requires("observation.edit")
def observation_edit(request, observation_id):
    actor = request.actor
    observation = get_for(
        actor,
        "observation.edit",
        Observation.objects.prefetch_related("links__child", "aspect_links", "marks"),
        pk=observation_id,
    )
    # Children who have left stay choosable on an entry already about them (R13).
    linked = [link.child_id for link in observation.links.all()]
    children = children_for(actor).filter(Q(pk__in=Child.objects.attending()) | Q(pk__in=linked))
    form = ObservationForm(
        request.POST if request.method == "POST" else None,
        children=children,
        initial=ObservationForm.initial_for(observation) | tag_initial(observation),
    )
    add_tag_fields(form, actor, marked_children=[link.child for link in observation.links.all()])
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            observation = services.observation_update(
                **tags_from(form, data["children"]),
                actor=actor,
                observation=observation,
                expected_version=data["version"] or 0,
                children=data["children"],
                title=data["title"],
                observed_at=data["observed_at"],
                notes=data["notes"],
                next_steps=data["next_steps"],
                shared_with_parents=data["shared_with_parents"],
                publish="publish" in request.POST,
                media=request.POST.getlist("media"),
            )
        except services.EditConflict:
            # Keep the editor's text on the form; show what the other person saved.
            conflict = Observation.objects.get(pk=observation.pk)
            form.data = form.data.copy()
            form.data["version"] = conflict.version
            form.add_error(
                None,
                "Someone else saved this observation while you were editing. "
                "Your text is kept below and their version is shown beside it. "
                "Check both, then save again.",
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _saved_message(observation)
                if "publish" in request.POST
                else "Your changes are saved.",
            )
            return redirect("observation_detail", observation.pk)
    return render(
        request,
        "journal/observation_form.html",
        {
            "form": form,
            "observation": observation,
            "conflict": conflict,
            "goes_to_review": _goes_to_review(actor),
            "uploads": _uploads(request),
        },
        status=409 if conflict else 200,
    )


@requires("observation.history")
def observation_history(request, observation_id):
    observation = get_for(
        request.actor, "observation.history", Observation.objects.all(), pk=observation_id
    )
    return render(
        request,
        "journal/observation_history.html",
        {"observation": observation, "revisions": selectors.revisions_for(observation)},
    )


@require_POST
@requires("observation.review")
def observation_review(request, observation_id):
    actor = request.actor
    observation = get_for(actor, "observation.review", Observation.objects.all(), pk=observation_id)
    if request.POST.get("decision") == "approve":
        try:
            services.observation_approve(actor=actor, observation=observation)
        except services.ConsentConflict as conflict:
            messages.error(request, conflict.message)
            return redirect("observation_detail", observation.pk)
        messages.success(request, "Approved: it is now in the journal.")
        return redirect("review_queue")
    form = ReturnForm(request.POST)
    if form.is_valid():
        services.observation_return(actor=actor, observation=observation, **form.cleaned_data)
        messages.success(request, "Returned to the author with your comment.")
        return redirect("review_queue")
    messages.error(request, "Tell the author what to change before returning it.")
    return redirect("observation_detail", observation.pk)


@require_POST
@requires("contribution.review")
def contribution_review(request, observation_id):
    actor = request.actor
    observation = get_for(
        actor,
        "contribution.review",
        Observation.objects.prefetch_related("links"),
        pk=observation_id,
    )
    if request.POST.get("decision") == "decline":
        form = DeclineForm(request.POST)
        if form.is_valid():
            services.contribution_decline(actor=actor, observation=observation, **form.cleaned_data)
            messages.success(request, "Declined. The family will see your reason.")
            return redirect("review_queue")
        messages.error(request, "Give the family a reason before declining.")
        return redirect("observation_detail", observation.pk)
    form = ContributionApproveForm(request.POST)
    if form.is_valid():
        try:
            services.contribution_approve(actor=actor, observation=observation, **form.cleaned_data)
        except services.ConsentConflict as conflict:
            messages.error(request, conflict.message)
            return redirect("observation_detail", observation.pk)
        messages.success(request, "Approved: it is now in the journal.")
        return redirect("review_queue")
    # Show the page again with the reviewer's edits and what is missing: nothing lost.
    return _render_detail(request, observation.pk, approve_form=form)


QUEUE_SHOWN = 25


def _oldest(items) -> dict:
    """The first QUEUE_SHOWN of a queue, and whether more wait behind them."""
    rows = list(items[: QUEUE_SHOWN + 1])
    return {"items": rows[:QUEUE_SHOWN], "more": len(rows) > QUEUE_SHOWN}


@requires("review.queue", setting_wide=True)
def review_queue(request):
    """What waits for review, oldest first, a bounded number of each kind: each
    one dealt with brings the next into view."""
    actor = request.actor
    return render(
        request,
        "journal/review_queue.html",
        {
            "queue": lazy(
                lambda: {
                    name: _oldest(items) for name, items in selectors.review_queue(actor).items()
                }
            ),
            "cache_key": journal_key(actor, "review"),
        },
    )


@require_POST
@requires("comment.approve")
def comment_approve(request, comment_id):
    comment = get_for(request.actor, "comment.approve", Comment.objects.all(), pk=comment_id)
    services.comment_approve(actor=request.actor, comment=comment)
    messages.success(request, "The reply is approved.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("review_queue")
    return redirect(back)


@requires("child.list", setting_wide=True)
def key_children(request):
    return render(
        request,
        "journal/key_children.html",
        {
            "children": selectors.key_children(request.actor),
            "unfinished": selectors.my_unfinished(request.actor),
        },
    )


@require_POST
@requires("child.journal")
def next_step_add(request, child_id):
    child = get_for(request.actor, "child.journal", Child.objects.all(), pk=child_id)
    form = NextStepForm(request.POST)
    if form.is_valid():
        try:
            services.next_step_add(actor=request.actor, child=child, text=form.cleaned_data["text"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Next step added.")
    else:
        messages.error(request, "Write the next step first.")
    return redirect("child_detail", child.pk)


@require_POST
@requires("nextstep.manage")
def next_step_achieve(request, step_id):
    step = get_for(request.actor, "nextstep.manage", NextStep.objects.all(), pk=step_id)
    services.next_step_achieve(actor=request.actor, step=step)
    messages.success(request, "Marked as achieved.")
    return redirect("child_detail", step.child_id)


@requires("monitoring.view", setting_wide=True)
def monitoring(request):
    today = timezone.localdate()
    defaults = {"start": today - timedelta(days=30), "end": today, "quiet_days": 14}
    form = MonitoringForm(request.GET or defaults)
    values = form.cleaned_data if form.is_valid() else defaults
    figures = selectors.monitoring(
        request.actor, selectors.Period(values["start"], values["end"]), values["quiet_days"]
    )
    return render(request, "journal/monitoring.html", {"form": form, "f": figures})


@requires("observation.list", setting_wide=True)
def observation_list(request):
    """Every observation behind a monitoring figure, for staff meetings (R26)."""
    actor = request.actor
    form = lazy(
        lambda: JournalFilterForm(
            request.GET or None, authors=members_for(actor).staff(), areas=areas_for(actor)
        )
    )
    return render(
        request,
        "journal/observation_list.html",
        {
            "page": lazy(
                lambda: _keyset(request, selectors.journal_entries(actor, filters=form.filters()))
            ),
            "filter_form": form,
            "other_params": _other_params(request),
            "filter_key": _filter_key(actor, request),
            "cache_key": journal_key(actor, "list", sorted(request.GET.lists())),
        },
    )


# --- Shared by staff and parents --------------------------------------------------


@requires("observation.view")
def observation_detail(request, observation_id):
    return _render_detail(request, observation_id)


def _render_detail(request, observation_id, approve_form=None):
    actor = request.actor
    observation = get_for(
        actor,
        "observation.view",
        selectors.observations_for(actor).prefetch_related(marks_prefetch(actor)),
        pk=observation_id,
    )
    if approve_form is None:
        approve_form = ContributionApproveForm(
            initial={"title": observation.title, "notes": observation.notes}
        )
    return render(
        request,
        "journal/observation_detail.html",
        {
            "observation": observation,
            "threads": _threads(observation),
            "allowed": _allowed(actor, observation),
            "return_form": ReturnForm(),
            "decline_form": DeclineForm(),
            "approve_form": approve_form,
            # A summary's parts (R27): what it draws on, as far as the reader may see.
            "drawn_on": selectors.drawn_on(actor, observation)
            if observation.kind != Observation.Kind.OBSERVATION
            else [],
            "check_areas": check_areas(actor)
            if observation.kind == Observation.Kind.PROGRESS_CHECK
            else [],
            # Staff see, before publishing, which photos consent stops (R28).
            "conflicts": media_selectors.consent_conflicts(observation)
            if observation.status != Observation.Status.PUBLISHED
            and can(actor, "observation.staff_detail", observation)
            else [],
        },
    )


def _allowed(actor, observation) -> dict:
    """What the page offers, each asked of the policy (dots become underscores for templates)."""
    actions = (
        "observation.edit",
        "observation.history",
        "observation.review",
        "observation.staff_detail",
        "contribution.review",
        "contribution.withdraw",
        "observation.comment",
        "observation.delete",
        "contribution.remove",
    )
    return {action.replace(".", "_"): can(actor, action, observation) for action in actions}


def _threads(observation):
    """One conversation per child the viewer may see (R5, R18)."""
    by_child = {link.child_id: [] for link in observation.own_links}
    for comment in observation.visible_comments:
        by_child.setdefault(comment.child_id, []).append(comment)
    return [
        {
            "child": link.child,
            "comments": by_child[link.child_id],
            "form": CommentForm(initial={"child": link.child_id}),
        }
        for link in observation.own_links
    ]


@require_POST
@requires("observation.comment")
def comment_add(request, observation_id):
    actor = request.actor
    observation = get_for(
        actor,
        "observation.comment",
        Observation.objects.select_related("setting"),
        pk=observation_id,
    )
    form = CommentForm(request.POST)
    body = request.POST.get("body", "")
    notice = error = ""
    child = None
    try:
        child = services.comment_child(actor, request.POST.get("child", ""))
        # The form's checks (length) apply to the page as to the API.
        if not form.is_valid():
            raise ValidationError(
                [message for errors in form.errors.values() for message in errors]
            )
        comment = services.comment_add(
            actor=actor, observation=observation, child=child, body=form.cleaned_data["body"]
        )
    except ValidationError as invalid:
        error = " ".join(invalid.messages)
    else:
        body = ""
        notice = (
            "Thank you. Your reply will appear once staff approve it."
            if comment.status == Comment.Status.PENDING
            else "Your reply is added."
        )
    if child is None:  # not a thread this person may write in: same answer for any id
        messages.error(request, error)
        return redirect("observation_detail", observation.pk)
    if request.htmx:
        # Swap just this conversation: quick on poor Wi-Fi, and the text stays on error.
        observation = get_for(
            actor, "observation.view", selectors.observations_for(actor), pk=observation.pk
        )
        thread = next((t for t in _threads(observation) if t["child"].pk == child.pk), None)
        if thread is None:  # not a thread this person may see
            raise Http404
        thread.update(body=body, notice=notice, error=error)
        context = {"thread": thread, "o": observation, "allowed": _allowed(actor, observation)}
        return render(request, "journal/observation_detail.html#thread", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect(f"{reverse('observation_detail', args=[observation.pk])}#thread-{child.pk}")


# --- Parents -----------------------------------------------------------------


@requires("feed.view", setting_wide=True)
def feed(request):
    """A parent's home: their children's journals, newest first (R5). What it
    shows is kept for this family and journal version (footsteps.core.caching):
    usually no query runs here but the visit, once a day."""
    actor = request.actor
    chosen_id = request.GET.get("child")
    if chosen_id is not None and (not chosen_id.isdigit() or int(chosen_id) not in actor.child_ids):
        raise Http404
    chosen_id = int(chosen_id) if chosen_id else None
    services.journal_visit_record(actor=actor)
    return render(
        request,
        "journal/feed.html",
        {
            "page": lazy(
                lambda: _keyset(request, selectors.journal_entries(actor, child_id=chosen_id))
            ),
            "children": lazy(
                lambda: kept(people_key(actor, "children"), lambda: list(children_for(actor)))
            ),
            "chosen_id": chosen_id,
            "other_params": _other_params(request),
            "cache_key": journal_key(actor, "feed", chosen_id, request.GET.get("before")),
        },
    )


@requires("contribution.create", setting_wide=True)
def contribution_create(request):
    actor = request.actor
    children = children_for(actor).attending()
    form = ContributionForm(request.POST if request.method == "POST" else None, children=children)
    if request.method == "POST" and form.is_valid():
        try:
            services.contribution_create(
                actor=actor, media=request.POST.getlist("media"), **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                "Thank you! Staff will look at it and add it to the "
                "journal. You can see it in your feed meanwhile.",
            )
            return redirect("feed")
    return render(
        request, "journal/contribution_form.html", {"form": form, "uploads": _uploads(request)}
    )


@require_POST
@requires("contribution.withdraw")
def contribution_withdraw(request, observation_id):
    observation = get_for(
        request.actor, "contribution.withdraw", Observation.objects.all(), pk=observation_id
    )
    services.contribution_withdraw(actor=request.actor, observation=observation)
    messages.success(request, "Withdrawn. Staff will not see it.")
    return redirect("feed")
