from django import forms

from footsteps.children.models import Child
from footsteps.core.forms import Form, ModelForm


class ChildForm(ModelForm):
    class Meta:
        model = Child
        fields = ["first_name", "last_name", "date_of_birth", "room", "key_person", "joined_on"]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "joined_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {"joined_on": "Joined on", "key_person": "Key person"}
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
