"""EYFS frameworks, tags, assessments, cohorts and the EYFS Profile (R23, R24, R27).

Figures are checked against small cohorts counted by hand; the report's query
count against a cohort four times the size.
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from footsteps.assessments import ages, loading, selectors
from footsteps.assessments import services as assessments
from footsteps.assessments.models import (
    Aspect,
    Assessment,
    AssessmentChange,
    Band,
    Framework,
    ObservationAspect,
    ObservationMark,
)
from footsteps.assessments.services import Judgement, Mark
from footsteps.children import services as children_services
from footsteps.journal import services as journal

HEADER = b"type,name,area,aspect,band,from_months,to_months,plain_words\n"


def framework(key: str) -> Framework:
    return Framework.objects.get(key=key, setting=None)


def aspect(key: str, framework_key: str = "development-matters") -> Aspect:
    return Aspect.objects.get(framework__key=framework_key, framework__setting=None, key=key)


# --- Ages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "months"),
    [
        (date(2023, 3, 15), date(2026, 3, 14), 35),  # the day before the third birthday
        (date(2023, 3, 15), date(2026, 3, 15), 36),  # on the birthday
        (date(2023, 3, 15), date(2026, 3, 16), 36),
        (date(2024, 1, 31), date(2024, 2, 29), 0),  # no 31 February: not a month yet
        (date(2024, 1, 31), date(2024, 3, 1), 1),  # counted on the first of the next month
        (date(2024, 1, 31), date(2024, 3, 31), 2),
        (date(2020, 2, 29), date(2021, 2, 28), 11),  # leap-day child: not yet one
        (date(2020, 2, 29), date(2021, 3, 1), 12),  # one on 1 March, as English law counts
        (date(2020, 2, 29), date(2024, 2, 29), 48),
        (date(2026, 5, 1), date(2026, 4, 1), 0),  # assessed before birth: never negative
    ],
)
def test_r23_age_in_whole_months_at_birthdays_month_ends_and_leap_days(born, on, months):
    assert ages.age_in_months(born, on) == months


@pytest.mark.django_db
def test_r23_expected_band_follows_from_age_in_each_framework():
    """R23: Development Matters' bands and Birth to 5 Matters' overlapping
    ranges: a child is expected in the latest band their age has reached."""
    dm = list(framework("development-matters").bands.all())
    b25 = list(framework("birth-to-5-matters").bands.all())
    assert ages.expected_band(dm, 35).name == "Birth to three"
    assert ages.expected_band(dm, 36).name == "3 and 4-year-olds"
    assert ages.expected_band(dm, 54).name == "Children in reception"
    assert ages.expected_band(b25, 7).name == "Range 1"
    assert ages.expected_band(b25, 8).name == "Range 2"
    assert ages.expected_band(b25, 24).name == "Range 4"
    assert ages.expected_band(b25, 60).name == "Range 6"


@pytest.mark.parametrize(
    ("born", "season", "cohort"),
    [
        (date(2021, 9, 1), "autumn", 2021),
        (date(2021, 12, 31), "autumn", 2021),
        (date(2022, 1, 1), "spring", 2021),
        (date(2022, 4, 30), "spring", 2021),
        (date(2022, 5, 1), "summer", 2021),
        (date(2022, 8, 31), "summer", 2021),
    ],
)
def test_r24_season_of_birth_and_school_cohort(born, season, cohort):
    assert ages.season_of_birth(born) == season
    assert ages.school_year_of_birth(born) == cohort


# --- Frameworks as data ----------------------------------------------------------


@pytest.mark.django_db
def test_r23_shipped_frameworks_hold_the_eyfs_structure():
    """R23: seven areas (three prime), the 17 Early Learning Goals of which 12
    count for the Good Level of Development, the age bands and ranges, and the
    characteristics of effective learning."""
    dm = framework("development-matters")
    assert [a.name for a in dm.areas.all()] == [
        "Communication and Language",
        "Personal, Social and Emotional Development",
        "Physical Development",
        "Literacy",
        "Mathematics",
        "Understanding the World",
        "Expressive Arts and Design",
    ]
    assert [a.is_prime for a in dm.areas.all()] == [True] * 3 + [False] * 4
    goals = framework("eyfs-profile")
    assert goals.aspects.count() == 17
    assert goals.aspects.filter(counts_for_gld=True).count() == 12
    assert set(goals.aspects.filter(counts_for_gld=True).values_list("area__key", flat=True)) == {
        "communication-and-language",
        "personal-social-emotional",
        "physical-development",
        "literacy",
        "mathematics",
    }
    assert [j["code"] for j in goals.judgements] == ["1", "2"]
    assert framework("birth-to-5-matters").bands.count() == 6
    assert framework("characteristics").areas.count() == 3


@pytest.mark.django_db
def test_loading_is_idempotent_and_an_older_file_is_refused():
    before = Aspect.objects.count()
    call_command("load_frameworks", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert loading.load_shipped() == []
    assert Aspect.objects.count() == before
    data = loading.read_toml(loading.SHIPPED / "development-matters.toml")
    Framework.objects.filter(key=data.key, setting=None).update(version=data.version + 1)
    with pytest.raises(loading.OlderVersion):
        loading.store(data)


GOOD_CSV = HEADER + (
    b"framework,Acorn ways,,,,,,\n"
    b"judgement,Beginning,,,,,,\n"
    b"judgement,Confident,,,,,,\n"
    b"band,Toddlers,,,,0,30,\n"
    b"prime area,Talking,,,,,,Talking and listening\n"
    b"aspect,Listening,Talking,,,,,\n"
    b"statement,Turns to a voice,Talking,Listening,Toddlers,,,\n"
)


def test_r23_a_setting_imports_its_own_framework_from_csv(world):
    manager = world.actor("manager")
    own = assessments.framework_import(actor=manager, raw=GOOD_CSV)
    assert own.setting_id == manager.setting_id
    assert [j["name"] for j in own.judgements] == ["Beginning", "Confident"]
    assert own.areas.get().words_for_families == "Talking and listening"
    assert own.aspects.get().statements.get().band.name == "Toddlers"
    # Chosen, beside the defaults in use until now; another setting never sees it.
    chosen = set(selectors.frameworks_for(manager).values_list("key", flat=True))
    assert chosen == {"acorn-ways", "development-matters", "eyfs-profile", "characteristics"}
    assert not selectors.frameworks_for(world.actor("other_manager")).filter(pk=own.pk).exists()
    # The same name again updates it in place.
    again = assessments.framework_import(
        actor=manager, raw=GOOD_CSV + b"aspect,Speaking,Talking,,,,,\n"
    )
    assert again.pk == own.pk
    assert again.aspects.count() == 2


def test_r23_a_bad_csv_names_every_wrong_line_and_imports_nothing(world):
    manager = world.actor("manager")
    before = Framework.objects.count(), Aspect.objects.count()
    bad = HEADER + (
        b"framework,Broken,,,,,,\n"  # line 2
        b"band,Babies,,,,twelve,,\n"  # line 3: months not a number
        b"band,Toddlers,,,,30,20,\n"  # line 4: ends before it starts
        b"area,Talking,,,,,,\n"  # line 5
        b"aspect,Listening,Walking,,,,,\n"  # line 6: no such area
        b"colour,Blue,,,,,,\n"  # line 7: no such type
        b"aspect,Speaking,Talking,,,,,\n"  # line 8: fine
        b"aspect,Speaking,Talking,,,,,\n"  # line 9: twice
        b"statement,Says words,Talking,Singing,,,,\n"  # line 10: no such aspect
    )
    with pytest.raises(loading.CsvErrors) as raised:
        assessments.framework_import(actor=manager, raw=bad)
    lines = [line for line, _message in raised.value.errors]
    assert lines == [3, 4, 6, 7, 9, 10]
    assert "Walking" in dict(raised.value.errors)[6]
    assert (Framework.objects.count(), Aspect.objects.count()) == before
    for raw, message in (
        (b"name,type\n", "header"),
        ("type,name\n".encode("utf-16"), "UTF-8"),
        (HEADER + b"area,Talking,,,,,,\n", "Name the framework"),
    ):
        with pytest.raises(loading.CsvErrors) as raised:
            assessments.framework_import(actor=manager, raw=raw)
        assert message in str(raised.value)


def test_r23_the_manager_imports_a_bad_file_and_reads_the_lines_on_the_page(world):
    client = world.client("manager")
    bad = HEADER + b"framework,Broken,,,,,,\naspect,Listening,Walking,,,,,\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post(
        reverse("frameworks"),
        {"import": "1", "file": SimpleUploadedFile("ours.csv", bad, "text/csv")},
    )
    assert page.status_code == 200
    assert "Nothing was imported" in page.text
    assert "Line 3:" in page.text
    assert "Walking" in page.text


# --- Tags and marks on entries ---------------------------------------------------


def test_r23_staff_tag_an_entry_and_mark_each_child_families_read_plain_words(world):
    """R23: an entry about Amy and Ben shows Speaking; each child gets their own
    band and judgement (small-group marking). Amy's family reads the area in
    plain words on their feed and in the API, not the aspect's name."""
    senior = world.actor("senior")
    amy, ben = world.children["amy"], world.children["ben"]
    speaking = aspect("speaking")
    bands = {b.key: b for b in Band.objects.filter(framework__key="development-matters")}
    entry = journal.observation_create(
        actor=senior,
        children=[amy, ben],
        title="Telling a story",
        observed_at=timezone.now() - timedelta(hours=1),
        publish=True,
        aspects=[speaking.pk],
        marks={
            amy.pk: Mark(band=bands["three-and-four"], judgement="secure"),
            ben.pk: Mark(band=bands["birth-to-three"], judgement="emerging"),
        },
    )
    assert list(
        ObservationAspect.objects.filter(observation=entry).values_list("aspect", flat=True)
    ) == [speaking.pk]
    marks = dict(
        ObservationMark.objects.filter(observation=entry).values_list("child", "judgement")
    )
    assert marks == {amy.pk: "secure", ben.pk: "emerging"}
    feed = world.client("parent_amy").get(reverse("feed")).text
    assert "Talking, listening and understanding" in feed
    assert ">Speaking<" not in feed
    item = world.client("parent_amy").get(reverse("api:api_observation", args=[entry.pk])).json()
    assert item["areas"] == ["Talking, listening and understanding"]
    assert item["aspects"] == [speaking.pk]
    staff = world.client("senior").get(reverse("api:api_observation", args=[entry.pk])).json()
    assert staff["areas"] == ["Communication and Language"]
    detail = world.client("senior").get(reverse("observation_detail", args=[entry.pk])).text
    assert "Speaking" in detail
    assert "Secure" in detail


def test_r23_a_mark_for_a_child_not_on_the_entry_or_a_foreign_aspect_is_refused(world):
    senior = world.actor("senior")
    amy, ben = world.children["amy"], world.children["ben"]
    own = assessments.framework_import(actor=world.actor("other_manager"), raw=GOOD_CSV)
    common = {
        "actor": senior,
        "children": [amy],
        "title": "x",
        "observed_at": timezone.now() - timedelta(hours=1),
    }
    with pytest.raises(ValidationError) as raised:
        journal.observation_create(**common, aspects=[own.aspects.get().pk])
    assert raised.value.error_dict["aspects"][0].code == "not_found"
    with pytest.raises(ValidationError):
        journal.observation_create(**common, marks={ben.pk: Mark(judgement="secure")})
    with pytest.raises(ValidationError):
        journal.observation_create(**common, marks={amy.pk: Mark(judgement="brilliant")})


def test_r23_the_journal_and_the_api_filter_by_area(world):
    senior = world.actor("senior")
    amy = world.children["amy"]
    when = timezone.now() - timedelta(hours=1)
    talking = journal.observation_create(
        actor=senior,
        children=[amy],
        title="Talking",
        observed_at=when,
        publish=True,
        aspects=[aspect("speaking").pk],
    )
    counting = journal.observation_create(
        actor=senior,
        children=[amy],
        title="Counting",
        observed_at=when,
        publish=True,
        aspects=[aspect("number").pk],
    )
    area = aspect("number").area
    page = world.client("senior").get(reverse("child_detail", args=[amy.pk]), {"area": area.pk})
    assert "Counting" in page.text
    assert "Talking" not in page.text
    api = world.client("parent_amy").get(reverse("api:api_observations"), {"area": area.pk})
    ids = [item["id"] for item in api.json()["items"]]
    assert counting.pk in ids
    assert talking.pk not in ids


def test_r16_changing_the_tags_is_kept_in_the_entry_history(world):
    senior = world.actor("senior")
    entry = journal.observation_create(
        actor=senior,
        children=[world.children["amy"]],
        title="Climbing",
        observed_at=timezone.now() - timedelta(hours=1),
        publish=True,
        aspects=[aspect("gross-motor").pk],
    )
    journal.observation_update(
        actor=senior,
        observation=entry,
        expected_version=entry.version,
        aspects=[aspect("gross-motor").pk, aspect("self-regulation").pk],
    )
    change = entry.revisions.get().changes["aspects"]
    assert len(change["after"]) == 2
    assert len(change["before"]) == 1


# --- Assessments -----------------------------------------------------------------


def _period(world, name="Autumn", key="development-matters", on=date(2026, 10, 1)):
    return assessments.period_create(
        actor=world.actor("manager"), name=name, assessed_on=on, framework=framework(key)
    )


def test_r23_judgements_are_recorded_and_every_change_is_kept(world):
    manager = world.actor("manager")
    amy = world.children["amy"]
    period = _period(world)
    speaking = aspect("speaking")
    band = Band.objects.get(framework__key="development-matters", key="three-and-four")
    evidence = journal.observation_create(
        actor=manager,
        children=[amy],
        title="Story",
        publish=True,
        observed_at=timezone.now() - timedelta(hours=1),
    )
    assert (
        assessments.assessments_record(
            actor=manager,
            period=period,
            child=amy,
            judgements={
                speaking.pk: Judgement(
                    band=band, judgement="developing", on_track=True, evidence=(evidence.pk,)
                )
            },
        )
        == 1
    )
    assessments.assessments_record(
        actor=manager,
        period=period,
        child=amy,
        judgements={
            speaking.pk: Judgement(
                band=band, judgement="secure", on_track=True, evidence=(evidence.pk,)
            )
        },
    )
    row = Assessment.objects.get(period=period, child=amy, aspect=speaking)
    assert row.judgement == "secure"
    assert list(row.evidence.all()) == [evidence]
    change = AssessmentChange.objects.get(assessment=row)
    assert change.changes == {"judgement": ["developing", "secure"]}
    # Evidence must be about the child; the scale must be the framework's.
    other = journal.observation_create(
        actor=manager,
        children=[world.children["ben"]],
        title="Ben",
        publish=True,
        observed_at=timezone.now() - timedelta(hours=1),
    )
    for bad in (
        Judgement(judgement="secure", evidence=(other.pk,)),
        Judgement(judgement="expected"),
    ):
        with pytest.raises(ValidationError):
            assessments.assessments_record(
                actor=manager, period=period, child=amy, judgements={speaking.pk: bad}
            )


def test_r23_families_see_only_their_own_childs_shared_judgements(world):
    """R5 R23: nothing before the manager shares the point; then Amy's family
    sees Amy's judgements only, Ben's family none of Amy's; no cohort page."""
    manager = world.actor("manager")
    period = _period(world)
    for child in ("amy", "ben"):
        assessments.assessments_record(
            actor=manager,
            period=period,
            child=world.children[child],
            judgements={aspect("speaking").pk: Judgement(judgement="secure", on_track=True)},
        )
    amy = world.children["amy"]
    url = reverse("api:api_child_assessments", args=[amy.pk])
    parent = world.client("parent_amy")
    assert parent.get(url).json() == []
    assert "Nothing has been shared" in parent.get(reverse("child_progress", args=[amy.pk])).text
    assessments.period_update(actor=manager, period=period, shared_with_parents=True)
    rows = parent.get(url).json()
    assert [(r["period"], r["judgement"]) for r in rows] == [("Autumn", "secure")]
    page = parent.get(reverse("child_progress", args=[amy.pk])).text
    assert "svg" in page
    assert "Talking, listening and understanding" in page
    assert world.client("parent_ben").get(url).status_code == 404
    assert world.client("parent_amy").get(reverse("cohort")).status_code == 403


# --- Cohorts (R24) -----------------------------------------------------------------


def _cohort(world, specs, period):
    """Children from (sex, on track in speaking) pairs, assessed in `period`."""
    manager = world.actor("manager")
    made = []
    for n, (sex, on_track) in enumerate(specs):
        child = children_services.child_create(
            actor=manager,
            first_name=f"C{n}",
            last_name="Test",
            date_of_birth=date(2022, 1 + n % 12, 1),
            sex=sex,
        )
        assessments.assessments_record(
            actor=manager,
            period=period,
            child=child,
            judgements={aspect("speaking").pk: Judgement(judgement="secure", on_track=on_track)},
        )
        made.append(child)
    return made


def test_r24_group_shares_match_a_hand_count_and_small_groups_are_marked(world):
    """R24: 6 girls (4 on track) and 3 boys (1 on track): 5 of 9 in the setting,
    4 of 6 girls, 1 of 3 boys, the boys marked as fewer than 5; the children
    behind the girls' figure are the 6 girls."""
    period = _period(world)
    _cohort(
        world,
        [("female", True)] * 4 + [("female", False)] * 2 + [("male", True)] + [("male", False)] * 2,
        period,
    )
    speaking = aspect("speaking").pk
    report = selectors.cohort_report(world.actor("manager"), period=period, by="sex")
    whole, *groups = report.groups
    assert (whole.cells[speaking].on_track, whole.cells[speaking].assessed) == (5, 9)
    assert whole.children == 9
    by_name = {g.name: g for g in groups}
    assert (
        by_name["Female"].cells[speaking].on_track,
        by_name["Female"].cells[speaking].assessed,
    ) == (4, 6)
    assert by_name["Female"].cells[speaking].percent == 67
    assert (by_name["Male"].cells[speaking].on_track, by_name["Male"].cells[speaking].assessed) == (
        1,
        3,
    )
    assert by_name["Male"].small
    assert not by_name["Female"].small
    behind = selectors.cohort_children(
        world.actor("manager"), period=period, aspect_id=speaking, by="sex", value="female"
    )
    assert sorted(a.child.first_name for a in behind) == ["C0", "C1", "C2", "C3", "C4", "C5"]
    csv = world.client("manager").get(reverse("cohort_csv"), {"period": period.pk, "by": "sex"})
    assert "Female,6,Communication and Language,Speaking,6,4,67" in csv.text


def test_r24_comparing_two_periods_shows_the_change(world):
    earlier, later = _period(world, "Autumn"), _period(world, "Spring", on=date(2027, 2, 1))
    manager = world.actor("manager")
    children = _cohort(world, [("female", False)] * 2, earlier)
    for child in children:
        assessments.assessments_record(
            actor=manager,
            period=later,
            child=child,
            judgements={aspect("speaking").pk: Judgement(judgement="secure", on_track=True)},
        )
    report = selectors.cohort_report(manager, period=later, compare=earlier)
    cell, before = (
        report.groups[0].cells[aspect("speaking").pk],
        report.groups[0].before[aspect("speaking").pk],
    )
    assert (cell.percent, before.percent) == (100, 0)
    page = world.client("manager").get(
        reverse("cohort"), {"period": later.pk, "compare": earlier.pk}
    )
    assert "+100" in page.text


@pytest.mark.parametrize("by", [None, *selectors.GROUPS])
def test_r24_the_report_runs_the_same_queries_for_a_cohort_four_times_the_size(world, by):
    """R24: aggregate queries only, never one per child."""
    manager = world.actor("manager")
    period, compare = _period(world), _period(world, "Spring", on=date(2027, 2, 1))

    def count():
        with CaptureQueriesContext(connection) as captured:
            report = selectors.cohort_report(manager, period=period, by=by, compare=compare)
            for group in report.groups:
                list(group.cells.values())
        return len(captured)

    _cohort(world, [("female", True), ("male", False)], period)
    small = count()
    _cohort(world, [("female", True), ("male", False), ("", True)] * 4, period)
    assert count() == small


# --- The EYFS Profile and the Good Level of Development ---------------------------------


def _profile(world, child, judgements: dict[str, str], period):
    goals = {a.key: a for a in framework("eyfs-profile").aspects.all()}
    assessments.assessments_record(
        actor=world.actor("manager"),
        period=period,
        child=child,
        judgements={goals[key].pk: Judgement(judgement=value) for key, value in judgements.items()},
    )


def test_r23_gld_needs_expected_in_all_twelve_goals_of_the_prime_areas_literacy_and_maths(world):
    """R23 (DfE definition): all 12 counted goals expected is GLD, whatever the
    other five; one counted goal emerging, or not assessed, is not."""
    period = _period(world, "Profile", key="eyfs-profile", on=date(2027, 6, 30))
    goals = framework("eyfs-profile").aspects.all()
    counted = [g.key for g in goals if g.counts_for_gld]
    others = [g.key for g in goals if not g.counts_for_gld]
    manager = world.actor("manager")
    kids = {}
    for name in ("all", "others_emerging", "one_emerging", "one_missing"):
        kids[name] = children_services.child_create(
            actor=manager, first_name=name, last_name="R", date_of_birth=date(2021, 10, 1)
        )
    everything = dict.fromkeys(counted + others, "expected")
    _profile(world, kids["all"], everything, period)
    _profile(world, kids["others_emerging"], everything | dict.fromkeys(others, "emerging"), period)
    _profile(world, kids["one_emerging"], everything | {counted[-1]: "emerging"}, period)
    _profile(
        world, kids["one_missing"], {k: v for k, v in everything.items() if k != counted[0]}, period
    )
    profile = selectors.eyfs_profile(manager, period=period)
    gld = {row.child.first_name: row.gld for row in profile.rows}
    assert gld == {
        "all": True,
        "others_emerging": True,
        "one_emerging": False,
        "one_missing": False,
    }
    assert profile.shares[0] == ("Whole cohort", 4, 2)
    codes = {row.child.first_name: row.codes for row in profile.rows}
    assert set(codes["all"]) == {"2"}
    assert codes["one_missing"][[g.key for g in profile.goals].index(counted[0])] == "A"
    assert codes["others_emerging"].count("1") == 5
    csv = world.client("manager").get(reverse("eyfs_profile_csv", args=[period.pk])).text
    header, *rows = csv.strip().splitlines()
    assert header.startswith(
        "Surname,Forename,Date of birth,Listening, Attention and Understanding".replace(
            "Listening, Attention and Understanding", '"Listening, Attention and Understanding"'
        )
    )
    assert len(rows) == 4
    assert all(row.endswith(("Y", "N")) for row in rows)


# --- Learning stories and the progress check at two (R27) ----------------------


def test_r27_a_learning_story_reaches_the_family_without_the_staff_only_entries_it_draws_on(
    world,
):
    """R5 R27: a story about Amy draws on a shared entry and a staff-only note;
    Amy's family sees the story in their feed, can reply, and sees only the
    shared entry linked; staff see both."""
    senior = world.actor("senior")
    amy = world.children["amy"]
    when = timezone.now() - timedelta(days=2)
    shared = journal.observation_create(
        actor=senior, children=[amy], title="Den building", observed_at=when, publish=True
    )
    private = journal.observation_create(
        actor=senior,
        children=[amy],
        title="Worried about sleep",
        observed_at=when,
        publish=True,
        shared_with_parents=False,
    )
    story = journal.observation_create(
        actor=senior,
        children=[amy],
        kind="story",
        title="Amy's half term",
        notes="Amy has become a confident builder.",
        observed_at=timezone.now() - timedelta(hours=1),
        publish=True,
        draws_on=[shared, private],
    )
    family = world.client("parent_amy")
    assert "Learning story" in family.get(reverse("feed")).text
    page = family.get(reverse("observation_detail", args=[story.pk])).text
    assert "Den building" in page
    assert "Worried about sleep" not in page
    staff = world.client("senior").get(reverse("observation_detail", args=[story.pk])).text
    assert "Worried about sleep" in staff
    journal.comment_add(
        actor=world.actor("parent_amy"), observation=story, child=amy, body="Lovely to read"
    )
    # Ben is not on the story: a story cannot draw on his entries.
    bens = journal.observation_create(
        actor=senior, children=[world.children["ben"]], title="Ben's", observed_at=when
    )
    with pytest.raises(ValidationError):
        journal.observation_create(
            actor=senior,
            children=[amy],
            kind="story",
            title="x",
            observed_at=timezone.now() - timedelta(hours=1),
            draws_on=[bens],
        )


def test_r27_the_key_person_writes_a_progress_check_at_two_by_prime_area(world):
    """R27: the form offers the three prime areas beside the child's latest
    judgements; the family reads each section, and the page prints."""
    manager = world.actor("manager")
    amy = world.children["amy"]
    period = _period(world)
    assessments.assessments_record(
        actor=manager,
        period=period,
        child=amy,
        judgements={aspect("speaking").pk: Judgement(judgement="secure", on_track=True)},
    )
    client = world.client("senior")
    form = client.get(reverse("summary_create", args=[amy.pk]), {"kind": "check"}).text
    assert "Latest judgements in the prime areas (Autumn)" in form
    for area in ("Communication and Language", "Physical Development"):
        assert area in form
    sent = client.post(
        reverse("summary_create", args=[amy.pk]) + "?kind=check",
        {
            "title": "Progress check at two",
            "notes": "Amy is a happy, chatty girl.",
            "section_communication-and-language": "Uses short sentences.",
            "section_physical-development": "Runs and climbs with confidence.",
            "shared_with_parents": "on",
            "publish": "1",
        },
    )
    assert sent.status_code == 302
    check = amy.observations.get(kind="check")
    assert check.sections == {
        "communication-and-language": "Uses short sentences.",
        "physical-development": "Runs and climbs with confidence.",
    }
    page = world.client("parent_amy").get(reverse("observation_detail", args=[check.pk])).text
    assert "Uses short sentences." in page
    assert "Print" in page


def test_tags_marks_choices_and_stories_raise_the_versions_cached_pages_depend_on(world):
    """A new tag shows on a kept feed at the next request: every table added
    here is watched by the database's triggers (footsteps.core.stamps)."""
    from footsteps.assessments.models import SettingFramework
    from footsteps.core import stamps
    from footsteps.journal.models import Observation
    from footsteps.tenancy.models import Setting

    senior, amy = world.actor("senior"), world.children["amy"]
    setting_id = amy.setting_id
    when = timezone.now() - timedelta(hours=1)
    entry = journal.observation_create(
        actor=senior, children=[amy], title="Tagged", observed_at=when, publish=True
    )

    def versions():
        setting = Setting.objects.get(pk=setting_id)
        return setting.journal_version, setting.people_version

    def raises(write, *, people: bool):
        journal_before, people_before = versions()
        write()
        journal_after, people_after = versions()
        assert journal_after > journal_before
        assert (people_after > people_before) is people

    raises(
        lambda: ObservationAspect.objects.create(observation=entry, aspect=aspect("speaking")),
        people=False,
    )
    raises(
        lambda: ObservationMark.objects.create(observation=entry, child=amy, judgement="secure"),
        people=False,
    )
    raises(
        lambda: Observation.draws_on.through.objects.create(
            from_observation=entry, to_observation=world.observations["shared"]
        ),
        people=False,
    )
    raises(
        lambda: SettingFramework.objects.create(
            setting_id=setting_id, framework=framework("birth-to-5-matters")
        ),
        people=True,
    )
    tried = {
        ObservationAspect._meta.db_table,
        ObservationMark._meta.db_table,
        Observation.draws_on.through._meta.db_table,
        SettingFramework._meta.db_table,
    }
    assert tried == set(stamps.ASSESSMENT_TABLES) | set(stamps.SUMMARY_TABLES)
