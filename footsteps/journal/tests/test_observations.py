"""Staff record observations (R14, R15), enter them on time (R22), keep drafts,
amend them with history (R16) and never overwrite each other's edits."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from footsteps.journal import services as journal
from footsteps.journal.models import Observation, ObservationRevision
from footsteps.journal.tests.conftest import days_ago, edit_form, entry_form, form_time
from footsteps.tenancy import services as tenancy


def test_r14_r15_any_staff_member_records_an_observation_of_several_children(world):
    """The practitioner is not Amy's key person (the senior is) and still records for her."""
    amy, cara = world.children["amy"], world.children["cara"]
    observed = days_ago(2)
    response = world.client("practitioner").post(
        reverse("observation_create"),
        {
            "title": "Pouring water",
            "children": [amy.pk, cara.pk],
            "observed_at": form_time(observed),
            "notes": "Filled the jug.\nPoured carefully.",
            "next_steps": "Try a smaller jug",
            "shared_with_parents": "on",
            "publish": "1",
        },
    )
    observation = Observation.objects.get(title="Pouring water")
    assert response.status_code == 302
    assert response["Location"] == reverse("observation_detail", args=[observation.pk])
    assert observation.author == world.members["practitioner"]
    assert observation.status == Observation.Status.PUBLISHED
    assert sorted(link.child_id for link in observation.links.all()) == [amy.pk, cara.pk]
    assert observation.notes == "Filled the jug.\nPoured carefully."
    assert observation.next_steps == "Try a smaller jug"
    assert observation.observed_at == observed.replace(second=0, microsecond=0)
    assert observation.shared_with_parents


def test_r5_r14_a_staff_only_note_is_kept_from_parents(world):
    response = world.client("practitioner").post(
        reverse("observation_create"),
        entry_form("Private note", world.children["amy"], publish="1"),
    )
    assert response.status_code == 302
    observation = Observation.objects.get(title="Private note")
    assert not observation.shared_with_parents
    response = world.client("parent_amy").get(reverse("observation_detail", args=[observation.pk]))
    assert response.status_code == 404


def test_r14_an_observation_needs_a_title_a_child_and_a_past_date(world, observe):
    with pytest.raises(ValidationError) as error:
        observe("practitioner", "amy", title="   ")
    assert "title" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        observe("practitioner")
    assert "children" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        observe("practitioner", "amy", observed_at=timezone.now() + timedelta(days=1))
    assert "observed_at" in error.value.message_dict
    response = world.client("practitioner").post(
        reverse("observation_create"),
        entry_form("No child", publish="1"),
    )
    assert response.status_code == 200
    assert "Choose at least one child." in response.content.decode()
    assert not Observation.objects.filter(title="No child").exists()


def test_r15_staff_cannot_record_for_a_child_of_another_setting(world, observe):
    with pytest.raises(ValidationError):
        observe("practitioner", "amy", "zed")
    assert not Observation.objects.filter(
        setting=world.children["amy"].setting, links__child=world.children["zed"]
    ).exists()


def test_r15_r20_parents_cannot_record_staff_observations(world, observe):
    with pytest.raises(PermissionDenied):
        observe("parent_amy", "amy", publish=True)
    response = world.client("parent_amy").post(
        reverse("observation_create"),
        entry_form("Sneaky", world.children["amy"], publish="1"),
    )
    assert response.status_code == 403
    assert not Observation.objects.filter(title="Sneaky").exists()


def test_r22_observed_and_entry_dates_are_kept_and_a_late_entry_is_flagged(observe):
    on_time = observe("practitioner", "amy", observed_at=days_ago(6.9), publish=True)
    late = observe("practitioner", "amy", observed_at=days_ago(8), publish=True)
    assert not on_time.is_late
    assert late.is_late
    assert late.created_at - late.observed_at > timedelta(days=8) - timedelta(minutes=1)
    assert abs(late.entry_delay_minutes - 8 * 24 * 60) <= 1
    assert late.observed_at < on_time.observed_at < late.created_at


def test_r22_correcting_the_observed_date_updates_the_late_flag(world, observe):
    """Entered today about today, then corrected to nine days ago: it was entered
    late after all, and the flag and delay follow the correction."""
    entry = observe("practitioner", "amy", observed_at=days_ago(0.1), publish=True)
    assert not entry.is_late
    journal.observation_update(
        actor=world.actor("practitioner"),
        observation=entry,
        expected_version=entry.version,
        observed_at=days_ago(9),
    )
    entry.refresh_from_db()
    assert entry.is_late
    assert abs(entry.entry_delay_minutes - 9 * 24 * 60) <= 1
    journal.observation_update(
        actor=world.actor("practitioner"),
        observation=entry,
        expected_version=entry.version,
        observed_at=entry.created_at - timedelta(days=1),
    )
    entry.refresh_from_db()
    assert not entry.is_late
    assert entry.entry_delay_minutes == 24 * 60


def test_r22_the_late_limit_is_the_settings_choice(world, observe):
    tenancy.setting_update(actor=world.actor("manager"), late_entry_days=2)
    assert observe("practitioner", "amy", observed_at=days_ago(3)).is_late
    assert not observe("practitioner", "amy", observed_at=days_ago(1)).is_late


def test_r22_staff_see_the_late_flag_and_entry_date_parents_do_not(world, observe):
    late = observe("practitioner", "amy", observed_at=days_ago(10), publish=True)
    url = reverse("observation_detail", args=[late.pk])
    staff_page = world.client("senior").get(url).content.decode()
    assert "Entered late" in staff_page
    assert f"entered {timezone.localdate():%-d %B %Y}" in staff_page
    parent_page = world.client("parent_amy").get(url).content.decode()
    assert "Entered late" not in parent_page
    assert "entered " not in parent_page


def test_r14_r16_a_draft_is_seen_only_by_its_author_until_finished(world):
    draft = world.observations["draft"]
    url = reverse("observation_detail", args=[draft.pk])
    assert world.client("practitioner").get(url).status_code == 200
    for other in ("senior", "manager", "parent_amy"):
        assert world.client(other).get(url).status_code == 404, other
    amy_page = world.client("senior").get(reverse("child_detail", args=[world.children["amy"].pk]))
    assert "Unfinished draft" not in amy_page.content.decode()

    edit = reverse("observation_edit", args=[draft.pk])
    client = world.client("practitioner")
    client.post(edit, edit_form(draft, notes="Half way", draft="1"))
    draft.refresh_from_db()
    assert (draft.status, draft.notes) == (Observation.Status.DRAFT, "Half way")
    client.post(edit, edit_form(draft, notes="Finished now", publish="1"))
    draft.refresh_from_db()
    assert (draft.status, draft.notes) == (Observation.Status.PUBLISHED, "Finished now")
    assert world.client("parent_amy").get(url).status_code == 200


def test_r16_amending_a_published_observation_records_who_what_and_when(world):
    shared = world.observations["shared"]
    before = timezone.now()
    journal.observation_update(
        actor=world.actor("practitioner"),
        observation=shared,
        expected_version=shared.version,
        title="Tower of ten blocks",
        notes="Built together, ten high.",
        children=[world.children["amy"]],
    )
    revision = ObservationRevision.objects.get(observation=shared)
    assert revision.editor == world.members["practitioner"]
    assert revision.created_at >= before
    assert revision.changes == {
        "title": {"before": "Tower of blocks", "after": "Tower of ten blocks"},
        "notes": {"before": "Built together.", "after": "Built together, ten high."},
        "children": {
            "before": sorted([world.children["amy"].pk, world.children["ben"].pk]),
            "after": [world.children["amy"].pk],
        },
    }
    shared.refresh_from_db()
    assert shared.title == "Tower of ten blocks"
    assert shared.version == 2


def test_r16_staff_can_read_the_history_parents_cannot(world):
    shared = world.observations["shared"]
    world.client("senior").post(
        reverse("observation_edit", args=[shared.pk]),
        edit_form(shared, notes="Amended by the senior."),
    )
    history = reverse("observation_history", args=[shared.pk])
    page = world.client("practitioner").get(history).content.decode()
    assert "Senior Person" in page
    assert "Built together." in page
    assert "Amended by the senior." in page
    assert world.client("parent_amy").get(history).status_code == 403
    assert (
        world.client("parent_amy").get(reverse("observation_edit", args=[shared.pk])).status_code
        == 403
    )


def test_r16_a_practitioner_amends_only_their_own_observations(world, observe):
    seniors = observe("senior", "amy", publish=True)
    with pytest.raises(PermissionDenied):
        journal.observation_update(
            actor=world.actor("practitioner"),
            observation=seniors,
            expected_version=seniors.version,
            title="Changed",
        )
    edit = reverse("observation_edit", args=[seniors.pk])
    assert (
        world.client("practitioner").post(edit, edit_form(seniors, title="Changed")).status_code
        == 404
    )
    seniors.refresh_from_db()
    assert seniors.title == "Sharing the sand tray"
    assert not ObservationRevision.objects.filter(observation=seniors).exists()


def test_r16_second_of_two_simultaneous_edits_is_refused_and_keeps_their_text(world):
    """Optimistic locking: the author and the senior open the same version; the
    author saves first; the senior is told and keeps what they typed."""
    shared = world.observations["shared"]
    edit = reverse("observation_edit", args=[shared.pk])
    author, senior = world.client("practitioner"), world.client("senior")
    opened = senior.get(edit).context["form"].initial["version"]
    assert author.get(edit).context["form"].initial["version"] == opened

    first = author.post(edit, edit_form(shared, notes="The author's words."))
    assert first.status_code == 302
    second = senior.post(edit, edit_form(shared, notes="The senior's words.", version=opened))
    assert second.status_code == 409
    page = second.content.decode()
    assert "Someone else saved this observation while you were editing." in page
    assert "The senior&#x27;s words." in page  # their text stays on the form
    assert "The author&#x27;s words." in page  # beside what the other person saved
    shared.refresh_from_db()
    assert shared.notes == "The author's words."
    assert ObservationRevision.objects.filter(observation=shared).count() == 1

    # The refused form now carries the saved version: sending it again is a fresh edit.
    again = senior.post(edit, second.context["form"].data)
    assert again.status_code == 302
    shared.refresh_from_db()
    assert shared.notes == "The senior's words."
    assert shared.version == 3


def test_r16_a_stale_version_writes_nothing(world):
    shared = world.observations["shared"]
    with pytest.raises(journal.EditConflict):
        journal.observation_update(
            actor=world.actor("practitioner"),
            observation=shared,
            expected_version=shared.version - 1,
            title="Lost update",
        )
    shared.refresh_from_db()
    assert (shared.title, shared.version) == ("Tower of blocks", 1)
    assert not ObservationRevision.objects.filter(observation=shared).exists()


NASTY_NOTES = 'Look <script>alert("x")</script> & <b>bold</b>\nSee https://example.org/blocks'


@pytest.mark.parametrize(
    ("viewer", "page"),
    [
        ("senior", "observation_detail"),
        ("parent_amy", "observation_detail"),
        ("parent_amy", "feed"),
        ("senior", "child_detail"),
    ],
)
def test_r38_notes_are_plain_text_escaped_with_links_made_nofollow(world, observe, viewer, page):
    observation = observe(
        "practitioner", "amy", title="<i>Title</i>", notes=NASTY_NOTES, publish=True
    )
    args = {
        "observation_detail": [observation.pk],
        "feed": [],
        "child_detail": [world.children["amy"].pk],
    }[page]
    html = world.client(viewer).get(reverse(page, args=args)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<i>Title</i>" not in html
    assert "&lt;i&gt;Title&lt;/i&gt;" in html
    if page == "observation_detail":
        # Lists show a 60-word excerpt on one line; the entry itself keeps the breaks.
        assert re.search(r"&lt;/b&gt;<br>\s*See", html)
    assert (
        '<a href="https://example.org/blocks" rel="nofollow">https://example.org/blocks</a>' in html
    )
