from django import forms

from footsteps.core.forms import Form


class RegisterForm(Form):
    name = forms.CharField(label="Name of this tablet", max_length=80)


class RulesForm(Form):
    supervised_sign_in = forms.BooleanField(
        label="A manager confirms each staff sign-in on the device itself",
        required=False,
        help_text="After a member of staff signs in, a manager types their own email and "
        "password on that screen before the journal opens. Managers are not asked.",
    )


class SuperviseForm(Form):
    email = forms.EmailField(
        label="Manager's email address", widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    password = forms.CharField(
        label="Manager's password", widget=forms.PasswordInput(attrs={"autocomplete": "off"})
    )


class PinForm(Form):
    pin = forms.CharField(
        label="New PIN",
        min_length=4,
        max_length=8,
        help_text="4 to 8 digits, for switching to yourself on the setting's tablets.",
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    password = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SwitchForm(Form):
    person = forms.TypedChoiceField(label="Who are you?", coerce=int, widget=forms.RadioSelect)
    pin = forms.CharField(
        label="Your PIN",
        max_length=8,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(m.pk, m.display_name) for m in people]
