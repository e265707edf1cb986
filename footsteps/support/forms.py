from django import forms

from footsteps.core.forms import Form
from footsteps.support.services import HOURS


class GrantForm(Form):
    hours = forms.TypedChoiceField(
        label="For how long",
        coerce=int,
        choices=[(h, f"{h} hour{'s' if h > 1 else ''}") for h in HOURS],
        initial=4,
    )
    reason = forms.CharField(
        label="What should support help with?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Support sees the setting as a manager does while the access lasts.",
    )
