from django import forms

from footsteps.children.models import Child, ParentLink
from footsteps.core.forms import Form
from footsteps.people.models import JOURNAL_EMAILS, Role
from footsteps.security.forms import say_the_rule

STAFF_ROLE_CHOICES = [(r.value, r.label) for r in Role if r != Role.PARENT]


class StaffInviteForm(Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(label="Role", choices=STAFF_ROLE_CHOICES, initial=Role.PRACTITIONER)


class ParentInviteForm(Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(label="Email address")
    child = forms.ModelChoiceField(label="Child", queryset=Child.objects.none())
    relationship = forms.ChoiceField(
        label="Relationship to the child", choices=ParentLink.Relationship.choices
    )

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children


class LinkChildForm(Form):
    child = forms.ModelChoiceField(label="Child", queryset=Child.objects.none())
    relationship = forms.ChoiceField(
        label="Relationship to the child", choices=ParentLink.Relationship.choices
    )

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children


class PersonDetailsForm(Form):
    full_name = forms.CharField(label="Name", max_length=150)
    email = forms.EmailField(
        label="Email address",
        help_text="Someone who has joined confirms a new address from it, signed in.",
    )


class RelationshipForm(Form):
    relationship = forms.ChoiceField(
        label="Relationship to the child", choices=ParentLink.Relationship.choices
    )


class RoleForm(Form):
    role = forms.ChoiceField(label="Role", choices=STAFF_ROLE_CHOICES)


class SetPasswordForm(Form):
    full_name = forms.CharField(label="Your name", max_length=150)
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,  # spaces are part of a passphrase
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Type it again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        say_the_rule(self, user)  # staff need 12 characters, families 10

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords do not match.")
        return data


def _current_password_field():
    return forms.CharField(
        label="Your current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ConfirmPasswordForm(Form):
    password = _current_password_field()


class ApiTokenForm(Form):
    name = forms.CharField(
        label="Name of the key",
        max_length=100,
        help_text="For example, the device or app that will use it.",
    )
    days = forms.TypedChoiceField(
        label="Works for",
        choices=[("30", "30 days"), ("90", "90 days"), ("365", "A year")],
        initial="90",
        coerce=int,
    )
    password = _current_password_field()


class EmailChangeForm(Form):
    new_email = forms.EmailField(
        label="New email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We send a link there. Your address changes once you open it.",
    )
    password = _current_password_field()


class PreferencesForm(Form):
    journal_emails = forms.ChoiceField(
        label="Email me about new entries in my child's journal",
        choices=JOURNAL_EMAILS,
        widget=forms.RadioSelect,
    )
