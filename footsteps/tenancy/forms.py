from django import forms

from footsteps.children.models import Child
from footsteps.core.forms import Form, ModelForm
from footsteps.tenancy.models import Agreement, Setting
from footsteps.tenancy.services import OPTION_FIELDS


class SettingForm(ModelForm):
    class Meta:
        model = Setting
        fields = list(OPTION_FIELDS)  # what setting_update may change
        labels = {
            "parents_may_download": "Families may save photos and videos to their devices",
            "media_max_mb": "Largest file sent (MB)",
            "media_max_megapixels": "Largest photo (megapixels)",
            "media_max_video_seconds": "Longest video (seconds)",
            "name": "Name of the setting",
            "moderation": "Review of staff observations",
            "approve_parent_comments": "Approve parents' comments before other staff see them",
            "late_entry_days": "Flag observations entered more than this many days late",
        }
        help_texts = {
            "approve_parent_comments": "Parents' replies wait in the review queue until a "
            "member of staff approves them.",
            "parents_may_download": "Otherwise families only view them in Footsteps, with no "
            "download link; the parent agreement says which.",
        }
        widgets = {"moderation": forms.RadioSelect}


class AgreementForm(Form):
    audience = forms.ChoiceField(
        label="Who accepts it", choices=Agreement.Audience.choices, widget=forms.RadioSelect
    )
    body = forms.CharField(
        label="Text of the agreement",
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Publishing makes a new version: everyone it is for must accept it again.",
    )


class AcceptAgreementForm(Form):
    accept = forms.BooleanField(label="I have read and accept this agreement", required=True)

    def __init__(self, *args, children=(), for_families=False, **kwargs):
        super().__init__(*args, **kwargs)
        if for_families:
            self.fields["journal_consent"] = forms.BooleanField(
                label="I consent to the setting keeping an online learning journal for my "
                "child(ren) and sharing it with me",
                required=True,
                error_messages={"required": "To use the journal, please give this consent."},
            )
            for child in children:
                self.fields[f"image_{child.pk}"] = forms.ChoiceField(
                    label=f"May photos of {child.first_name} appear in other children's journals?",
                    choices=[
                        (Child.ImageConsent.GRANTED, "Yes"),
                        (Child.ImageConsent.REFUSED, "No"),
                    ],
                    widget=forms.RadioSelect,
                    initial=child.image_consent
                    if child.image_consent != Child.ImageConsent.NOT_ASKED
                    else None,
                    help_text="You can change this later by asking the setting.",
                )

    def image_consents(self) -> dict[int, str]:
        return {
            int(name.removeprefix("image_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("image_")
        }
