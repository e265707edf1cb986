from django import forms

from footsteps.children.models import Child
from footsteps.core.forms import Form, ModelForm


class ChildForm(ModelForm):
    class Meta:
        model = Child
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "room",
            "key_person",
            "joined_on",
            # The groups of the cohort report (R24): changes are kept in the audit log.
            "sex",
            "send",
            "eal",
            "eypp",
            "funded_two",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "joined_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {
            "joined_on": "Joined on",
            "key_person": "Key person",
            "sex": "Sex",
            "send": "Special educational needs or disabilities (SEND)",
            "eal": "English as an additional language",
            "eypp": "Early Years Pupil Premium",
            "funded_two": "Two-year-old funding",
        }
        help_texts = {"key_person": "The member of staff responsible for this child's journal."}

    def __init__(self, *args, rooms, key_people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = rooms
        self.fields["key_person"].queryset = key_people
        self.fields["key_person"].label_from_instance = lambda m: m.display_name


class ImageConsentForm(Form):
    image_consent = forms.ChoiceField(
        label="Photos of this child in other children's journals",
        choices=Child.ImageConsent.choices,
        widget=forms.RadioSelect,
    )


class RoomForm(Form):
    name = forms.CharField(label="Room or group name", max_length=100)
