from datetime import date, timedelta

from django import forms
from django.utils import timezone

from footsteps.children.models import Child
from footsteps.core.forms import Form
from footsteps.journal.models import Observation

EARLIEST = date(2000, 1, 1)


class ChildrenField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, child):
        return child.full_name


class ObservationForm(Form):
    title = forms.CharField(label="Title", max_length=200)
    children = ChildrenField(
        label="Children",
        queryset=Child.objects.none(),
        error_messages={"required": "Choose at least one child."},
    )
    observed_at = forms.DateTimeField(
        label="When was this observed?",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    notes = forms.CharField(
        label="What happened",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Plain text. Links are made clickable.",
    )
    next_steps = forms.CharField(
        label="Next steps", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    shared_with_parents = forms.BooleanField(
        label="Share with the child's parents",
        required=False,
        initial=True,
        help_text="Untick for a staff-only note.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].queryset = children
        if not self.is_bound and "observed_at" not in self.initial:
            self.initial["observed_at"] = timezone.localtime().replace(second=0, microsecond=0)

    @classmethod
    def initial_for(cls, observation: Observation) -> dict:
        return {
            "title": observation.title,
            "children": [link.child_id for link in observation.links.all()],
            "observed_at": timezone.localtime(observation.observed_at),
            "notes": observation.notes,
            "next_steps": observation.next_steps,
            "shared_with_parents": observation.shared_with_parents,
            "version": observation.version,
        }


class ContributionForm(Form):
    title = forms.CharField(
        label="Title", max_length=200, help_text="For example: “Baking at Grandma's”."
    )
    children = ChildrenField(
        label="Which of your children is this about?",
        queryset=Child.objects.none(),
        error_messages={"required": "Choose your child."},
    )
    observed_at = forms.DateTimeField(
        label="When did it happen?",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    notes = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].queryset = children
        if children.count() == 1 and not self.is_bound:
            self.initial["children"] = list(children)
        if not self.is_bound:
            self.initial["observed_at"] = timezone.localtime().replace(second=0, microsecond=0)


class CommentForm(Form):
    child = forms.IntegerField(widget=forms.HiddenInput)
    body = forms.CharField(
        label="Your reply",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={
            "required": "Write your reply first.",
            "max_length": "Keep your reply under 5,000 characters (it has %(show_value)d).",
        },
    )


class ReturnForm(Form):
    note = forms.CharField(
        label="What should the author change?", widget=forms.Textarea(attrs={"rows": 3})
    )


class DeclineForm(Form):
    reason = forms.CharField(
        label="Reason the family will see", widget=forms.Textarea(attrs={"rows": 3})
    )


class ContributionApproveForm(Form):
    title = forms.CharField(label="Title", max_length=200)
    notes = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 6}))


class PeriodMixin:
    """Start and end dates within the journal's plausible lifetime, start first."""

    def clean(self):
        data = super().clean()
        latest = timezone.localdate() + timedelta(days=366)
        for name in ("start", "end"):
            day = data.get(name)
            if day is not None and not (EARLIEST <= day <= latest):
                self.add_error(name, f"Choose a date between {EARLIEST.year} and next year.")
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end comes before the start.")
        return data


class JournalFilterForm(PeriodMixin, Form):
    start = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # Staff by name, and families as one choice: a hundred parents' names would
    # make the list unusable on a tablet (and slow every journal page).
    author = forms.ChoiceField(label="Author", required=False)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any")] + list(Observation.Status.choices)
    )
    shared = forms.TypedChoiceField(
        label="Shared",
        required=False,
        empty_value=None,
        choices=[
            ("", "Shared or staff-only"),
            ("yes", "Shared with parents"),
            ("no", "Staff-only"),
        ],
        coerce=lambda v: v == "yes",
    )

    late = forms.BooleanField(label="Entered late only", required=False)
    area = forms.TypedChoiceField(
        label="Area of learning", required=False, coerce=int, empty_value=None
    )

    FAMILIES = "families"

    def __init__(self, *args, authors, areas=(), **kwargs):
        """`authors`: the staff to offer by name; `areas`: of the setting's frameworks."""
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "Any area")] + [
            (str(area.pk), f"{area.name} ({area.framework.name})") for area in areas
        ]
        self.fields["author"].choices = [
            ("", "Anyone"),
            *((str(m.pk), m.display_name) for m in authors),
            (self.FAMILIES, "A parent or carer"),
        ]

    def filters(self):
        """The chosen filters; none if the form is unbound or invalid."""
        from footsteps.journal.selectors import JournalFilters

        if not self.is_bound or not self.is_valid():
            return JournalFilters()
        data = self.cleaned_data
        return JournalFilters(
            start=data["start"],
            end=data["end"],
            author_id=int(data["author"]) if data["author"].isdigit() else None,
            from_families=data["author"] == self.FAMILIES,
            status=data["status"] or None,
            shared=data["shared"],
            late=data["late"],
            area_id=data["area"],
        )


class NextStepForm(Form):
    text = forms.CharField(label="New next step", widget=forms.Textarea(attrs={"rows": 2}))


class MonitoringForm(PeriodMixin, Form):
    start = forms.DateField(
        label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label="To", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    quiet_days = forms.IntegerField(
        label="Highlight children with no observation for (days)", min_value=1, max_value=365
    )


class SummaryForm(Form):
    """A learning story or a progress check at two about one child (R27)."""

    title = forms.CharField(label="Title", max_length=200)
    notes = forms.CharField(
        label="The story", widget=forms.Textarea(attrs={"rows": 8}), required=False
    )
    draws_on = forms.MultipleChoiceField(
        label="Moments it draws on",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Entries from the journal, linked from the story. "
        "Families see only those shared with them.",
    )
    shared_with_parents = forms.BooleanField(
        label="Share with the child's parents", required=False, initial=True
    )

    def __init__(self, *args, kind, entries, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["draws_on"].choices = [
            (str(entry.pk), f"{entry.observed_at:%d %b %Y} · {entry.title}") for entry in entries
        ]
        self.section_names = []
        if kind == Observation.Kind.PROGRESS_CHECK:
            self.fields["notes"].label = "Summary for the family"
            for area in areas:
                name = f"section_{area.key}"
                self.fields[name] = forms.CharField(
                    label=area.name,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    help_text="Strengths, and anything where the child may need more help.",
                )
                self.section_names.append((area.key, name))

    def sections(self) -> dict:
        return {key: self.cleaned_data[name] for key, name in self.section_names}
