"""EYFS tracking in one whole journey, in a real headless Chromium against the
live server: an observation tagged with an aspect and marked; the family reading
the area in plain words; an assessment point, a child assessed, their progress
chart; and the cohort report down to the children behind a figure.

Data that is not the point of the journey (the rooms, Ben's judgements by his
key person) is made through the services, as in the other journeys.
"""

import re

import pytest
from playwright.sync_api import expect

from footsteps.assessments import services as assessments
from footsteps.assessments.models import (
    Aspect,
    Assessment,
    AssessmentPeriod,
    ObservationAspect,
    ObservationMark,
)
from footsteps.children import services as children
from footsteps.core.tests.conftest import browser  # noqa: F401 (the fixture)
from footsteps.core.tests.test_browser_journeys import window  # noqa: F401 (the fixture)
from footsteps.journal.models import Observation

pytestmark = pytest.mark.browser
expect.set_options(timeout=5_000)

TABLET = {"width": 820, "height": 1180}
DM = "Development Matters"


def test_r23_r24_tagged_observation_assessment_point_progress_chart_and_cohort_report(
    window,  # noqa: F811
    live_server,
    world,
):
    """R23 R24: a practitioner on a tablet records an observation of Amy, opens
    "Communication and Language", ticks "Speaking" and gives a band and a
    judgement; the entry shows the tag. Amy's parent, on a phone, reads the area
    in plain words. The manager adds an assessment point, assesses Amy in two
    aspects and sees her progress as a chart and a table; in the cohort report
    she sees the share on track, groups it by room and follows a figure to the
    children behind it: Amy."""
    amy, ben = world.children["amy"], world.children["ben"]
    boss = world.actor("manager")
    butterflies = children.room_create(actor=boss, name="Butterflies")
    ladybirds = children.room_create(actor=boss, name="Ladybirds")
    children.child_update(actor=boss, child=amy, room=butterflies)
    children.child_update(actor=boss, child=ben, room=ladybirds)

    # R23: the practitioner tags the entry with an aspect and marks Amy.
    practitioner = window("practitioner@acorns.test")
    practitioner.set_viewport_size(TABLET)
    practitioner.get_by_role("link", name="New observation").click()
    practitioner.get_by_label("Title").fill("Telling us about the bus")
    practitioner.get_by_label("Amy Acorn").check()
    practitioner.get_by_label("What happened").fill(
        "Amy told the group how the bus driver waved, in three long sentences."
    )
    areas = practitioner.get_by_role("group", name="Areas of learning")
    # Development Matters' areas; the goals (the same areas) are for reception's end.
    talking = (
        areas.get_by_role("group", name=DM)
        .locator("details.area")
        .filter(has_text="Communication and Language")
    )
    speaking = talking.get_by_label("Speaking", exact=True)
    expect(speaking).to_be_hidden()  # closed until the area is opened
    talking.get_by_text("Communication and Language", exact=True).click()
    expect(speaking).to_be_visible()
    speaking.check()
    practitioner.get_by_label("Band (optional)").select_option(label="3 and 4-year-olds")
    practitioner.get_by_label("Judgement (optional)").select_option(label="Secure")
    practitioner.get_by_role("button", name="Publish").click()
    expect(practitioner.locator(".messages")).to_contain_text("Published to the journal.")

    observation = Observation.objects.get(title="Telling us about the bus")
    expect(practitioner).to_have_url(f"{live_server.url}/observations/{observation.pk}/")
    tags = practitioner.get_by_role("list", name="Areas of learning")
    expect(tags.get_by_role("listitem")).to_have_text(["Speaking"])
    (tag,) = ObservationAspect.objects.filter(observation=observation).select_related("aspect")
    assert (tag.aspect.name, tag.aspect.framework.name) == ("Speaking", DM)
    (mark,) = ObservationMark.objects.filter(observation=observation).select_related("band")
    assert (mark.child, mark.band.name, mark.judgement) == (amy, "3 and 4-year-olds", "secure")

    # Amy's parent, on a phone, reads the area in plain words, not "Speaking".
    parent_amy = window("parent_amy@family.test")
    parent_amy.get_by_role("link", name="Journal", exact=True).click()
    entry = parent_amy.get_by_role("article", name="Telling us about the bus")
    family_tags = entry.get_by_role("list", name="Areas of learning")
    expect(family_tags.get_by_role("listitem")).to_have_text(
        ["Talking, listening and understanding"]
    )
    expect(entry).not_to_contain_text("Speaking")
    expect(entry).not_to_contain_text("Communication and Language")

    # R23: the manager adds an assessment point and opens it.
    manager = window("manager@acorns.test")
    manager.set_viewport_size(TABLET)
    manager.get_by_role("link", name="Assessments", exact=True).click()
    manager.get_by_label("Name").fill("Autumn 2026")
    manager.get_by_label("Assessment date").fill("2026-11-20")
    manager.get_by_label("Framework").select_option(label=DM)
    manager.get_by_role("button", name="Add").click()
    expect(manager.locator(".messages")).to_contain_text("“Autumn 2026” is added.")
    expect(manager.get_by_role("heading", level=1)).to_have_text("Autumn 2026")
    period = AssessmentPeriod.objects.get(name="Autumn 2026")
    assert period.framework.name == DM

    # Meanwhile Ben's key person has judged him not yet on track in Speaking.
    aspect = {a.name: a for a in Aspect.objects.filter(framework=period.framework)}
    band = {b.name: b for b in period.framework.bands.all()}
    assessments.assessments_record(
        actor=world.actor("practitioner"),
        period=period,
        child=ben,
        judgements={
            aspect["Speaking"].pk: assessments.Judgement(
                band=band["Birth to three"], judgement="developing", on_track=False
            )
        },
    )

    manager.get_by_role("link", name="Assess Amy").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("Amy Acorn: Autumn 2026")
    expect(manager).to_have_title("Assess Amy: Autumn 2026 · Footsteps")
    for name, level, judgement, on_track in (
        ("Speaking", "3 and 4-year-olds", "Secure", "Yes"),
        ("Listening, attention and understanding", "Birth to three", "Developing", "No"),
    ):
        # Each aspect's fields are a group named for it, in its area's section.
        fields = manager.get_by_role("group", name=name, exact=True)
        fields.get_by_label("Band").select_option(label=level)
        fields.get_by_label("Judgement").select_option(label=judgement)
        fields.get_by_label("On track for age").select_option(label=on_track)
    manager.get_by_role("button", name="Save").click()
    expect(manager.locator(".messages")).to_contain_text(
        "Amy's assessment is saved (2 aspects changed)."
    )
    row = manager.get_by_role("row").filter(has=manager.get_by_role("link", name="Change Amy"))
    expect(row).to_contain_text("2 of ")
    stored = Assessment.objects.filter(period=period, child=amy).select_related("aspect", "band")
    assert {(a.aspect.name, a.band.name, a.judgement, a.on_track) for a in stored} == {
        ("Speaking", "3 and 4-year-olds", "secure", True),
        ("Listening, attention and understanding", "Birth to three", "developing", False),
    }

    # Amy's progress: a chart per area, beside a table of the same figures.
    manager.get_by_role("link", name="Amy Acorn").click()
    expect(manager).to_have_url(f"{live_server.url}/children/{amy.pk}/progress/")
    expect(manager.get_by_role("heading", level=1)).to_have_text("Amy's progress")
    talking = manager.get_by_role("region", name="Communication and Language")
    chart = talking.get_by_role("img", name=re.compile(r"^Amy: Communication and Language"))
    expect(chart).to_be_visible()
    assert chart.evaluate("svg => svg.tagName") == "svg"
    expect(chart).to_have_class("chart")
    expect(chart).to_contain_text("3 and 4-year-olds")  # the bands are the chart's scale
    table = talking.get_by_role("table")
    expect(table.get_by_role("columnheader")).to_have_text(["Aspect", "Autumn 2026"])
    expect(table.get_by_role("row", name=re.compile(r"^Speaking"))).to_contain_text(
        "3 and 4-year-olds, Secure · on track"
    )
    expect(table.get_by_role("row", name=re.compile(r"^Listening"))).to_contain_text(
        "Birth to three, Developing · not yet on track"
    )

    # R24: the cohort report, the share on track for the whole setting.
    manager.get_by_role("link", name="Cohorts", exact=True).click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("Cohort tracking")
    expect(manager.get_by_label("Assessment point")).to_have_value(str(period.pk))
    whole = manager.get_by_role("region", name=re.compile(r"^Whole setting \(2 children\)"))
    expect(whole.get_by_role("img", name="On track in Autumn 2026: Whole setting")).to_be_visible()
    # The whole setting's table of figures is shown open; a group's is opened.
    speaking_row = whole.get_by_role("row", name=re.compile(r"^Speaking"))
    expect(speaking_row.get_by_role("link", name="1 of 2: see the children")).to_be_visible()
    expect(speaking_row.get_by_role("cell").nth(1)).to_have_text("50%")

    # By room: each room's share, then the children behind Butterflies' figure.
    manager.get_by_label("Groups").select_option(label="By room")
    manager.get_by_role("button", name="Show").click()
    expect(manager).to_have_url(re.compile(r"[?&]by=room(&|$)"))
    expect(manager.get_by_role("region", name=re.compile(r"^Ladybirds"))).to_be_visible()
    room = manager.get_by_role("region", name=re.compile(r"^Butterflies \(1 child\)"))
    expect(room).to_contain_text("⚠ fewer than 5")
    room.get_by_text("Table of the figures").click()
    room_row = room.get_by_role("row", name=re.compile(r"^Speaking"))
    expect(room_row.get_by_role("cell").nth(1)).to_have_text("100%")
    room_row.get_by_role("link", name="1 of 1: see the children").click()

    expect(manager.get_by_role("heading", level=1)).to_have_text("Speaking: Autumn 2026")
    expect(manager.locator("main")).to_contain_text("One group by room.")
    behind = manager.get_by_role("table").get_by_role("row")
    expect(behind).to_have_count(2)  # the header and Amy
    expect(behind.nth(1).get_by_role("cell")).to_have_text(
        ["Amy Acorn", "3 and 4-year-olds", "Secure", "Yes"]
    )
    expect(manager.locator("main")).not_to_contain_text("Ben")
    manager.get_by_role("link", name="Amy Acorn").click()
    expect(manager).to_have_url(f"{live_server.url}/children/{amy.pk}/progress/")
