from django import forms

from footsteps.assessments.models import Aspect, Band, Framework
from footsteps.assessments.selectors import framework_tree, frameworks_for
from footsteps.assessments.services import Judgement, Mark
from footsteps.core.forms import Form

TAG_FIELDS = ("aspects", "band", "judgement")


class BandChoice(forms.ModelChoiceField):
    """Bands by name, with their framework's name where several frameworks
    have bands (`several`, worked out once by add_tag_fields, not per option)."""

    several = False

    def label_from_instance(self, band):
        return f"{band.framework.name}: {band.name}" if self.several else band.name


def add_tag_fields(form, actor, *, marked_children=()) -> None:
    """Add the EYFS fields to an observation form: the aspects it shows, a band
    and judgement for its children, and with `marked_children` (an entry being
    edited) a band and judgement per child, for small-group marking.
    `form.tag_tree` is what the template draws the aspect choice from."""
    frameworks = frameworks_for(actor)
    # Everyday tagging: development frameworks first, then the characteristics
    # of effective learning. The Early Learning Goals repeat the same areas and
    # are judged at the end of reception: offered only without a development one.
    if frameworks.filter(kind=Framework.Kind.DEVELOPMENT).exists():
        frameworks = frameworks.exclude(kind=Framework.Kind.GOALS)
    order = [Framework.Kind.DEVELOPMENT, Framework.Kind.GOALS, Framework.Kind.CHARACTERISTICS]
    form.tag_tree = sorted(framework_tree(frameworks), key=lambda f: (order.index(f.kind), f.name))
    aspect_ids = [a.pk for f in form.tag_tree for area in f.areas.all() for a in area.aspects.all()]
    bands = Band.objects.filter(framework__in=frameworks).select_related("framework")
    several = len([f for f in form.tag_tree if f.bands.all()]) > 1
    judgements = {j["key"]: j["name"] for f in form.tag_tree for j in f.judgements}
    choices = [("", "No judgement")] + list(judgements.items())
    form.fields["aspects"] = forms.ModelMultipleChoiceField(
        label="Areas of learning",
        queryset=Aspect.objects.filter(pk__in=aspect_ids),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    form.marked_children = list(marked_children)
    if form.marked_children:
        for child in form.marked_children:
            form.fields[f"band_{child.pk}"] = BandChoice(
                label=f"Band for {child.first_name}",
                queryset=bands,
                required=False,
                empty_label="No band",
            )
            form.fields[f"band_{child.pk}"].several = several
            form.fields[f"judgement_{child.pk}"] = forms.ChoiceField(
                label=f"Judgement for {child.first_name}", choices=choices, required=False
            )
        form.mark_rows = [
            (child, form[f"band_{child.pk}"], form[f"judgement_{child.pk}"])
            for child in form.marked_children
        ]
    else:
        form.fields["band"] = BandChoice(
            label="Band (optional)", queryset=bands, required=False, empty_label="No band"
        )
        form.fields["band"].several = several
        form.fields["judgement"] = forms.ChoiceField(
            label="Judgement (optional)", choices=choices, required=False
        )


def tag_initial(observation) -> dict:
    initial = {"aspects": [link.aspect_id for link in observation.aspect_links.all()]}
    for mark in observation.marks.all():
        initial[f"band_{mark.child_id}"] = mark.band_id
        initial[f"judgement_{mark.child_id}"] = mark.judgement
    return initial


def tags_from(form, children) -> dict:
    """The service's `aspects` and `marks` from a valid form."""
    data = form.cleaned_data
    if form.marked_children:
        chosen = {child.pk for child in children}
        marks = {
            child.pk: Mark(
                band=data.get(f"band_{child.pk}"), judgement=data.get(f"judgement_{child.pk}", "")
            )
            for child in form.marked_children
            if child.pk in chosen
        }
    else:
        mark = Mark(band=data.get("band"), judgement=data.get("judgement", ""))
        marks = {child.pk: mark for child in children}
    return {"aspects": list(data.get("aspects") or []), "marks": marks}


def is_tag_field(name: str) -> bool:
    return name in TAG_FIELDS or name.startswith(("band_", "judgement_"))


class FrameworkChoiceForm(Form):
    frameworks = forms.ModelMultipleChoiceField(
        label="Frameworks this setting uses",
        queryset=Framework.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one framework."},
    )

    def __init__(self, *args, usable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["frameworks"].queryset = usable


class FrameworkImportForm(Form):
    file = forms.FileField(
        label="Your own framework (CSV)",
        help_text="Up to 1 MB. Download the example for the columns.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 1024 * 1024:
            raise forms.ValidationError("The file is larger than 1 MB.")
        return upload


class PeriodForm(Form):
    name = forms.CharField(label="Name", max_length=100, help_text="For example “Autumn 2026”.")
    assessed_on = forms.DateField(
        label="Assessment date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Children's ages are counted in months to this date.",
    )
    framework = forms.ModelChoiceField(label="Framework", queryset=Framework.objects.none())

    def __init__(self, *args, frameworks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = frameworks.exclude(kind=Framework.Kind.CHARACTERISTICS)


class PeriodOptionsForm(Form):
    shared_with_parents = forms.BooleanField(
        label="Families see their own child's judgements of this point", required=False
    )
    national_gld_percent = forms.DecimalField(
        label="National Good Level of Development (%)",
        required=False,
        max_digits=4,
        decimal_places=1,
        min_value=0,
        max_value=100,
        help_text="The DfE's published figure, to compare with (EYFS Profile).",
    )


class AssessmentForm(Form):
    """A child's judgements in one period: band, judgement and on track per
    aspect. Labels are short: each aspect's fields sit in a fieldset named for it."""

    def __init__(self, *args, period, rows, evidence_choices, **kwargs):
        super().__init__(*args, **kwargs)
        framework = period.framework
        bands = list(framework.bands.all())
        bands_by_id = {band.pk: band for band in bands}
        band_choices = [("", "—")] + [(str(band.pk), band.name) for band in bands]
        scale = [("", "—")] + [(j["key"], j["name"]) for j in framework.judgements]
        self.aspects = []
        for area in framework.areas.all():
            for aspect in area.aspects.all():
                prefix = f"a{aspect.pk}"
                current = rows.get(aspect.pk)
                if bands:
                    # Choices from the bands already loaded: a ModelChoiceField
                    # would query them again for each of the 17 aspects.
                    self.fields[f"{prefix}_band"] = forms.TypedChoiceField(
                        label="Band",
                        choices=band_choices,
                        coerce=lambda pk: bands_by_id[int(pk)],
                        empty_value=None,
                        required=False,
                        initial=current.band_id if current else None,
                    )
                if framework.judgements:
                    self.fields[f"{prefix}_judgement"] = forms.ChoiceField(
                        label="Judgement",
                        choices=scale,
                        required=False,
                        initial=current.judgement if current else "",
                    )
                self.fields[f"{prefix}_on_track"] = forms.TypedChoiceField(
                    label="On track for age",
                    choices=[("", "—"), ("yes", "Yes"), ("no", "No")],
                    coerce=lambda v: {"yes": True, "no": False}.get(v),
                    empty_value=None,
                    required=False,
                    initial=_yes_no(current.on_track) if current else "",
                )
                self.fields[f"{prefix}_evidence"] = forms.MultipleChoiceField(
                    label="Evidence (entries)",
                    choices=evidence_choices,
                    required=False,
                    widget=forms.SelectMultiple(attrs={"size": 3}),
                    initial=[str(o.pk) for o in current.evidence.all()] if current else [],
                )
                self.aspects.append((area, aspect, prefix))

    def areas(self):
        """[(area, [(aspect, [its bound fields])])] for the template."""
        grouped: dict = {}
        for area, aspect, prefix in self.aspects:
            names = [f"{prefix}_{part}" for part in ("band", "judgement", "on_track", "evidence")]
            fields = [self[name] for name in names if name in self.fields]
            grouped.setdefault(area, []).append((aspect, fields))
        return list(grouped.items())

    def judgements(self) -> dict[int, Judgement]:
        data = self.cleaned_data
        return {
            aspect.pk: Judgement(
                band=data.get(f"{prefix}_band"),
                judgement=data.get(f"{prefix}_judgement") or "",
                on_track=data.get(f"{prefix}_on_track"),
                evidence=tuple(int(pk) for pk in data.get(f"{prefix}_evidence") or ()),
            )
            for _area, aspect, prefix in self.aspects
        }


def _yes_no(value) -> str:
    return {True: "yes", False: "no"}.get(value, "")
