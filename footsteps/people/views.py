from allauth.account.internal.flows.login import record_authentication
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from footsteps.access.membership import SESSION_KEY
from footsteps.access.views import get_for, personal, public, requires
from footsteps.children.models import ParentLink
from footsteps.children.selectors import children_for
from footsteps.core.forms import apply_validation_error
from footsteps.people import services, signin
from footsteps.people.forms import (
    ApiTokenForm,
    ConfirmPasswordForm,
    EmailChangeForm,
    LinkChildForm,
    ParentInviteForm,
    PersonDetailsForm,
    PreferencesForm,
    RelationshipForm,
    RoleForm,
    SetPasswordForm,
    StaffInviteForm,
)
from footsteps.people.models import ApiToken, Membership
from footsteps.people.selectors import parents_for, person_history, staff_for, tokens_for

PAGE_SIZE = 50


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@requires("people.manage", setting_wide=True)
def staff_list(request):
    page = _page(request, staff_for(request.actor))
    return render(request, "people/staff_list.html", {"page": page})


@requires("people.manage", setting_wide=True)
def staff_invite(request):
    form = StaffInviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.staff_invite(actor=request.actor, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"Invitation sent to {membership.user.email}.")
            return redirect("staff_list")
    return render(request, "people/invite.html", {"form": form, "kind": "staff"})


@requires("people.manage", setting_wide=True)
def parent_list(request):
    page = _page(request, parents_for(request.actor))
    return render(request, "people/parent_list.html", {"page": page})


@requires("people.manage", setting_wide=True)
def parent_invite(request):
    children = children_for(request.actor, "child.edit").attending()
    initial = {"child": request.GET.get("child")}
    form = ParentInviteForm(
        request.POST if request.method == "POST" else None, children=children, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.parent_invite(actor=request.actor, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, f"{membership.user} is linked to {form.cleaned_data['child']}."
            )
            return redirect("person_detail", membership.pk)
    return render(request, "people/invite.html", {"form": form, "kind": "parent"})


def _membership(request, membership_id):
    return get_for(
        request.actor,
        "membership.manage",
        Membership.objects.select_related("user"),
        pk=membership_id,
    )


@requires("membership.manage")
def person_detail(request, membership_id):
    membership = _membership(request, membership_id)
    links = membership.child_links.select_related("child")
    children = children_for(request.actor, "child.edit").attending()
    context = {
        "person": membership,
        "links": links,
        "pending_links": membership.pending_links.select_related("child"),
        "sign_in": signin.account_lock_state(membership.user.email),
        "role_form": RoleForm(initial={"role": membership.role}),
        "history": person_history(request.actor, membership),
        "relationships": ParentLink.Relationship.choices,
        "link_form": LinkChildForm(children=children),
    }
    return render(request, "people/person_detail.html", context)


@requires("membership.manage")
def person_details(request, membership_id):
    """Correct a person's name or email address (R33); kept in the log."""
    membership = _membership(request, membership_id)
    initial = {"full_name": membership.display_name, "email": membership.user.email}
    form = PersonDetailsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            done = services.person_correct(
                actor=request.actor, membership=membership, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            for message in done or ["Nothing to change."]:
                messages.success(request, message)
            return redirect("person_detail", membership.pk)
    return render(request, "people/person_details.html", {"person": membership, "form": form})


def _person_action(request, membership_id, do, done_message):
    membership = _membership(request, membership_id)
    try:
        do(membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done_message.format(person=membership.display_name))
    return redirect("person_detail", membership.pk)


@require_POST
@requires("membership.manage")
def person_role(request, membership_id):
    _membership(request, membership_id)  # 404 before anything else for others' people
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a staff role.")
        return redirect("person_detail", membership_id)
    return _person_action(
        request,
        membership_id,
        lambda m: services.staff_change_role(
            actor=request.actor, membership=m, role=form.cleaned_data["role"]
        ),
        "{person}'s role is changed.",
    )


@require_POST
@requires("membership.manage")
def person_review(request, membership_id):
    needs_review = request.POST.get("needs_review") == "on"
    return _person_action(
        request,
        membership_id,
        lambda m: services.staff_set_review(
            actor=request.actor, membership=m, needs_review=needs_review
        ),
        "Review of {person}'s observations is updated.",
    )


@require_POST
@requires("membership.manage")
def person_suspend(request, membership_id):
    return _person_action(
        request,
        membership_id,
        lambda m: services.membership_suspend(actor=request.actor, membership=m),
        "{person} is suspended and signed out everywhere.",
    )


@require_POST
@requires("membership.manage")
def person_reactivate(request, membership_id):
    return _person_action(
        request,
        membership_id,
        lambda m: services.membership_reactivate(actor=request.actor, membership=m),
        "{person} can use Footsteps again.",
    )


@require_POST
@requires("membership.manage")
def person_resend(request, membership_id):
    return _person_action(
        request,
        membership_id,
        lambda m: services.invitation_send(actor=request.actor, membership=m),
        "A new invitation is on its way to {person}. Earlier links no longer work.",
    )


@require_POST
@requires("membership.manage")
def person_new_login(request, membership_id):
    return _person_action(
        request,
        membership_id,
        lambda m: services.login_details_reset(actor=request.actor, membership=m),
        "{person}'s old password no longer works and every session and API key has ended. "
        "A link to choose a new password is on its way to them.",
    )


@require_POST
@requires("membership.manage")
def person_unlock(request, membership_id):
    return _person_action(
        request,
        membership_id,
        lambda m: services.sign_in_unlock(actor=request.actor, membership=m),
        "{person} can try to sign in again.",
    )


@require_POST
@requires("membership.manage")
def person_link(request, membership_id):
    membership = _membership(request, membership_id)
    children = children_for(request.actor, "child.edit")
    form = LinkChildForm(request.POST, children=children)
    if not form.is_valid():
        messages.error(request, "Choose a child and a relationship.")
    else:
        try:
            services.parent_link(actor=request.actor, parent=membership, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Linked to {form.cleaned_data['child']}.")
    return redirect("person_detail", membership.pk)


@require_POST
@requires("link.manage")
def link_relationship(request, link_id):
    link = get_for(request.actor, "link.manage", ParentLink.objects.all(), pk=link_id)
    form = RelationshipForm(request.POST)
    if form.is_valid():
        services.link_relationship(actor=request.actor, link=link, **form.cleaned_data)
        messages.success(request, "The relationship is corrected.")
    else:
        messages.error(request, "Choose a relationship.")
    return redirect("person_detail", link.parent_id)


@require_POST
@requires("link.manage")
def link_remove(request, link_id):
    link = get_for(request.actor, "link.manage", ParentLink.objects.all(), pk=link_id)
    services.parent_unlink(actor=request.actor, link=link)
    messages.success(request, "The link is removed.")
    return redirect("person_detail", link.parent_id)


@public
def invitation_accept(request, token):
    """An invitation link. Someone new chooses a password here; an existing
    account must be signed in, as itself, and type its password again (R2)."""
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationInvalid as invalid:
        return _invitation_invalid(request, invalid.reason)
    user = invitation.membership.user
    context = {"invitation": invitation, "invitee_email": user.email}
    if user.has_usable_password():
        if not request.user.is_authenticated:
            return render(request, "people/invitation_sign_in.html", context)
        if request.user.pk != user.pk:
            return render(request, "people/invitation_wrong_account.html", context, status=403)
        form = ConfirmPasswordForm(request.POST if request.method == "POST" else None)
    else:
        form = SetPasswordForm(
            request.POST if request.method == "POST" else None,
            initial={"full_name": invitation.membership.display_name},
            user=user,
        )
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                token=token,
                password=form.cleaned_data.get("password") or form.cleaned_data.get("password1"),
                full_name=form.cleaned_data.get("full_name", ""),
                signed_in_user=request.user if request.user.is_authenticated else None,
                request=request,
            )
        except services.InvitationInvalid as invalid:
            return _invitation_invalid(request, invalid.reason)
        except services.WrongAccount:
            return render(request, "people/invitation_wrong_account.html", context, status=403)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if request.user.is_authenticated:
                request.session.cycle_key()
            else:
                login(
                    request,
                    membership.user,
                    backend="allauth.account.auth_backends.AuthenticationBackend",
                )
                # The password just chosen counts as the session's check, as
                # allauth's sign-in records one (footsteps.security.second_factor).
                record_authentication(request, membership.user, "password")
            request.session[SESSION_KEY] = membership.pk
            messages.success(request, f"Welcome to Footsteps at {membership.setting}.")
            return redirect("home")
    context["form"] = form
    return render(request, "people/invitation_accept.html", context)


def _invitation_invalid(request, reason):
    return render(
        request,
        "people/invitation_invalid.html",
        {"reason": reason},
        status=404 if reason == "unknown" else 410,
    )


@personal
def email_change(request):
    """Change one's sign-in address: password again, then a link to the new one (R1)."""
    form = EmailChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.email_change_request(
                user=request.user,
                password=form.cleaned_data["password"],
                new_email=form.cleaned_data["new_email"],
                request=request,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                f"We have emailed a link to {form.cleaned_data['new_email']}. Open it to "
                "finish. Until then you sign in with your current address.",
            )
            return redirect("email_change")
    return render(request, "people/email_change.html", {"form": form})


@personal
def email_change_confirm(request, token):
    """The link from the new address, opened while signed in as the person who asked."""
    try:
        change = services.email_change_for_token(user=request.user, token=token)
    except ValidationError as error:
        return render(
            request, "people/email_change_confirm.html", {"error": error.messages[0]}, status=410
        )
    if request.method == "POST":
        try:
            user = services.email_change_confirm(user=request.user, token=token)
        except ValidationError as error:
            return render(
                request,
                "people/email_change_confirm.html",
                {"error": error.messages[0]},
                status=409,
            )
        # Other devices are signed out; this one stays signed in.
        update_session_auth_hash(request, user)
        messages.success(request, f"You now sign in with {user.email}.")
        return redirect("home")
    return render(request, "people/email_change_confirm.html", {"change": change})


@requires("profile.use", setting_wide=True)
def api_tokens(request):
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = services.api_token_create(
                actor=request.actor,
                name=form.cleaned_data["name"],
                days=int(form.cleaned_data["days"]),
                password=form.cleaned_data["password"],
                request=request,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            form = ApiTokenForm()
    return render(
        request,
        "people/api_tokens.html",
        {"tokens": tokens_for(request.actor), "form": form, "secret": secret},
    )


@require_POST
@requires("token.manage")
def api_token_revoke(request, token_id):
    token = get_for(request.actor, "token.manage", ApiToken.objects.all(), pk=token_id)
    services.api_token_revoke(actor=request.actor, token=token)
    messages.success(request, f"The key “{token.name}” no longer works.")
    return redirect("api_tokens")


@requires("profile.use", setting_wide=True)
def preferences(request):
    membership = request.actor.membership
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        initial={"journal_emails": membership.journal_emails},
    )
    if request.method == "POST" and form.is_valid():
        services.preferences_update(actor=request.actor, **form.cleaned_data)
        messages.success(request, "Your email preferences are saved.")
        return redirect("preferences")
    return render(request, "people/preferences.html", {"form": form})
