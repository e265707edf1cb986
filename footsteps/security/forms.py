from allauth.account import forms as allauth_forms
from allauth.account.internal.flows.login import record_authentication
from allauth.core import context
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.base.internal.flows import check_rate_limit
from allauth.mfa.totp import forms as totp_forms
from django import forms

from footsteps.core.forms import ModelForm
from footsteps.people.models import Membership
from footsteps.security import recovery_codes, services
from footsteps.security.models import WEEKDAYS, AccessRules
from footsteps.security.passwords import rule_for
from footsteps.security.second_factor import MFA
from footsteps.security.services import RULE_FIELDS


def say_the_rule(form, user) -> None:
    """Put the person's own password rule under the new-password field, so they
    read it before typing (allauth's default lists every validator's text)."""
    form.fields["password1"].help_text = rule_for(user)


class ChangePasswordForm(allauth_forms.ChangePasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        say_the_rule(self, self.user)


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        say_the_rule(self, self.user)


class AccessRulesForm(ModelForm):
    """Idle times (R9), staff hours and networks, and home access (R10)."""

    staff_days = forms.MultipleChoiceField(
        label="Days", choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple, required=False
    )
    home_access = forms.ModelMultipleChoiceField(
        label="May sign in from anywhere (home access)",
        queryset=Membership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="From any network, during the access hours. Managers always may.",
    )

    class Meta:
        model = AccessRules
        fields = list(RULE_FIELDS)
        labels = {
            "staff_idle_minutes": "Sign staff out after this many minutes without activity",
            "parent_idle_minutes": "Sign parents and carers out after this many minutes",
            "limit_hours": "Staff may use Footsteps only during these hours",
            "opens_at": "From",
            "closes_at": "Until",
            "networks": "Staff may use Footsteps only from these networks",
            "staff_second_factor": "Staff sign in with a second step",
            "parent_second_factor": "Parents and carers sign in with a second step",
        }
        help_texts = {
            "staff_idle_minutes": "5 to 480. A minute before, Footsteps asks whether they "
            "are still there. Shorter is safer on shared devices.",
            "parent_idle_minutes": "5 to 480.",
            "limit_hours": "In UK time. Managers may always sign in; parents and carers are "
            "not held to staff hours.",
            "networks": "Address ranges, one a line, such as 203.0.113.0/24, or single "
            "addresses. Leave empty to allow any network. Your internet provider can tell "
            "you the setting's address.",
            "staff_second_factor": "After their password, a code from an app on their phone "
            "or a passkey. Strongly advised: staff see every child's records.",
            "parent_second_factor": "The same for families. Off by default: each family "
            "sees only their own child's journal.",
        }
        widgets = {
            "opens_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "networks": forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        }

    def __init__(self, *args, home_access_choices, home_access_now, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["staff_days"] = list(self.instance.staff_days)
        self.initial["home_access"] = home_access_now
        self.fields["home_access"].queryset = home_access_choices
        self.fields["home_access"].label_from_instance = lambda m: m.display_name
        self.order_fields(
            ["staff_idle_minutes", "parent_idle_minutes", "limit_hours", "staff_days"]
        )

    def clean_staff_days(self) -> str:
        return "".join(sorted(self.cleaned_data["staff_days"]))

    def clean_networks(self) -> str:
        # Kept as typed, one range a line, without blank lines or spaces.
        lines = (line.strip() for line in self.cleaned_data["networks"].splitlines())
        return "\n".join(line for line in lines if line)


class _RecoveryCodeTaken:
    """allauth's second-step form, also taking one of the person's recovery
    codes (Footsteps keeps them itself, hashed: footsteps.security.recovery_codes).
    Wrong codes of either kind count towards the same limit (allauth's
    "login_failed", per person)."""

    reauthenticated = False
    recovery_code_used = False

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = "Code from your authenticator app, or a recovery code"
        field.widget.attrs.update({"placeholder": "", "autocomplete": "one-time-code"})

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if not recovery_codes.looks_like_one(code):
            return super().clean_code()
        allow_again = check_rate_limit(self.user)
        if not services.recovery_code_use(user=self.user, code=code):
            raise get_mfa_adapter().validation_error("incorrect_code")
        allow_again()
        self.recovery_code_used = True
        return code

    def save(self) -> None:
        if not self.recovery_code_used:
            return super().save()
        # Recorded as allauth records its own second steps, so the session counts
        # as having passed one.
        extra = {"reauthenticated": True} if self.reauthenticated else {}
        record_authentication(context.request, self.user, MFA, type="recovery_code", **extra)
        return None


class SecondStepForm(_RecoveryCodeTaken, mfa_forms.AuthenticateForm):
    """At sign-in, after the password."""


class SecondStepAgainForm(_RecoveryCodeTaken, mfa_forms.ReauthenticateForm):
    """Before a sensitive action, when the last check is not recent."""

    reauthenticated = True


class AppSetUpForm(totp_forms.ActivateTOTPForm):
    """allauth's form to set up an authenticator app, in our words."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = "The 6-digit code the app shows"
        field.widget.attrs.update(
            {"placeholder": "", "inputmode": "numeric", "autocomplete": "one-time-code"}
        )
