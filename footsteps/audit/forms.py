from django import forms
from django.http import QueryDict

from footsteps.audit.models import ACTION_WORDS
from footsteps.audit.selectors import AuditSearch
from footsteps.journal.forms import PeriodMixin

_DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditSearchForm(PeriodMixin, forms.Form):
    """The manager's search of the activity log (R39). People and children are
    offered from the manager's own setting only: an id from anywhere else is
    not a choice, so the form refuses it and the page shows no events."""

    person = forms.TypedChoiceField(label="Person", required=False, coerce=int, empty_value=None)
    child = forms.TypedChoiceField(label="Child", required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(
        label="What", required=False, choices=[("", "Anything"), *ACTION_WORDS.items()]
    )
    start = forms.DateField(label="From", required=False, widget=_DAY)
    end = forms.DateField(label="To", required=False, widget=_DAY)
    # Where the page starts (a place in the chain); the "Older" link sets it.
    before = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )

    def __init__(self, data, *, people, children):
        super().__init__(data)
        self.people = {m.pk: m for m in people}
        self.children = {c.pk: c for c in children}
        staff = [(m.pk, m.display_name) for m in people if m.is_staff_role]
        families = [(m.pk, m.display_name) for m in people if not m.is_staff_role]
        self.fields["person"].choices = [
            ("", "Anyone"),
            ("Staff", staff),
            ("Parents and carers", families),
        ]
        self.fields["child"].choices = [("", "Any child")] + [(c.pk, c.full_name) for c in children]

    def search(self) -> AuditSearch:
        data = self.cleaned_data
        return AuditSearch(
            person=self.people.get(data["person"]),
            child=self.children.get(data["child"]),
            action=data["action"],
            start=data["start"],
            end=data["end"],
        )

    def other_params(self) -> str:
        """The search as a query string, for the "Newest" and "Older" links."""
        params = QueryDict(mutable=True)
        for name in ("person", "child", "action", "start", "end"):
            if self.data.get(name):
                params[name] = self.data[name]
        return params.urlencode()
