"""A demo setting made through the real services, for `make run` and benchmarks."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from footsteps.access.actor import Actor
from footsteps.children import services as children_services
from footsteps.core import seeding
from footsteps.core.demo_accounts import DEMO_APP_KEY, DEMO_PASSWORD
from footsteps.journal import services as journal
from footsteps.people import services as people
from footsteps.people.models import Membership, Role
from footsteps.tenancy import services as tenancy
from footsteps.tenancy.models import Setting


def _activate(membership: Membership) -> Membership:
    return seeding.activate(membership, DEMO_PASSWORD)


@transaction.atomic
def build_demo(
    *, name="Little Acorns Nursery", slug="little-acorns", domain="demo.test", observations=True
) -> dict:
    _setting, manager = tenancy.setting_create(
        name=name, slug=slug, manager_email=f"manager@{domain}", manager_name="Maya Patel"
    )
    manager = _activate(manager)
    boss = Actor(user=manager.user, membership=manager)
    rooms = {
        n: children_services.room_create(actor=boss, name=n)
        for n in ("Babies", "Toddlers", "Pre-school")
    }
    senior = _activate(
        people.staff_invite(
            actor=boss, email=f"senior@{domain}", full_name="Sam Okafor", role=Role.SENIOR
        )
    )
    practitioner = _activate(
        people.staff_invite(
            actor=boss,
            email=f"practitioner@{domain}",
            full_name="Priya Shah",
            role=Role.PRACTITIONER,
        )
    )
    kids = [
        ("Amy", "Brown", rooms["Pre-school"], senior, date(2022, 3, 14)),
        ("Ben", "Carter", rooms["Pre-school"], practitioner, date(2022, 6, 2)),
        ("Chloe", "Davies", rooms["Toddlers"], practitioner, date(2023, 9, 21)),
        ("Dev", "Evans", rooms["Toddlers"], senior, date(2023, 11, 5)),
        ("Ella", "Fisher", rooms["Babies"], practitioner, date(2025, 1, 30)),
    ]
    children = [
        children_services.child_create(
            actor=boss,
            first_name=first,
            last_name=last,
            date_of_birth=dob,
            room=room,
            key_person=key,
        )
        for first, last, room, key, dob in kids
    ]
    parent_a = _activate(
        people.parent_invite(
            actor=boss,
            email=f"parent.amy@{domain}",
            full_name="Alex Brown",
            child=children[0],
            relationship="mother",
        )
    )
    parent_b = _activate(
        people.parent_invite(
            actor=boss,
            email=f"parent.ben@{domain}",
            full_name="Jordan Carter",
            child=children[1],
            relationship="father",
        )
    )
    staff_actors = [
        boss,
        Actor(user=senior.user, membership=senior),
        Actor(user=practitioner.user, membership=practitioner),
    ]
    for membership in (manager, senior, practitioner):
        seeding.authenticator_app(membership.user, DEMO_APP_KEY)
    for membership in (manager, senior, practitioner, parent_a, parent_b):
        seeding.accept_agreement(membership)
    if observations:
        now = timezone.now()
        prac = staff_actors[2]
        obs = journal.observation_create(
            actor=prac,
            children=[children[0], children[1]],
            title="Building a tall tower",
            # Shared with both families: staff write it without naming either child.
            notes="Two friends worked together to build a tower taller than themselves.\n"
            "They counted the blocks aloud up to 12.",
            next_steps="Count to 20 with objects.",
            observed_at=now - timedelta(days=1),
            publish=True,
            aspects=_aspects("number", "building-relationships"),
        )
        journal.observation_create(
            actor=prac,
            children=[children[0]],
            aspects=_aspects("fine-motor", "creating-with-materials"),
            title="Painting with a brush",
            notes="Amy held the brush with a tripod grip and painted circles.",
            observed_at=now - timedelta(days=3),
            publish=True,
            media=_demo_photos(prac),
        )
        journal.observation_create(
            actor=staff_actors[1],
            children=[children[1]],
            title="Snack time chat",
            notes="Ben told us about his weekend at the seaside.",
            observed_at=now - timedelta(days=10),
            publish=True,
            aspects=_aspects("speaking"),
        )
        _demo_assessments(boss, children, obs)
        journal.comment_add(
            actor=Actor(user=parent_a.user, membership=parent_a),
            observation=obs,
            child=children[0],
            body="She talked about this all evening!",
        )
        journal.contribution_create(
            actor=Actor(user=parent_b.user, membership=parent_b),
            children=[children[1]],
            title="Baking at home",
            notes="Ben weighed the flour himself.",
            observed_at=now - timedelta(hours=5),
        )
    return {
        "manager": manager,
        "senior": senior,
        "practitioner": practitioner,
        "parent_a": parent_a,
        "parent_b": parent_b,
        "children": children,
    }


def _aspects(*keys: str) -> list:
    from footsteps.assessments.models import Aspect

    return list(
        Aspect.objects.filter(
            framework__key="development-matters", framework__setting=None, key__in=keys
        )
    )


def _demo_assessments(boss, children, story_source) -> None:
    """Two assessment points of Development Matters with judgements for every
    child, shared with families, and a learning story for Amy (R23, R24, R27)."""
    from footsteps.assessments import ages
    from footsteps.assessments import services as assessments
    from footsteps.assessments.models import Framework

    dm = Framework.objects.get(key="development-matters", setting=None)
    bands = list(dm.bands.all())
    today = timezone.localdate()
    points = [
        assessments.period_create(
            actor=boss, name=name, assessed_on=today - timedelta(days=days), framework=dm
        )
        for name, days in (("Autumn", 90), ("Spring", 1))
    ]
    scale = ["emerging", "developing", "secure"]
    for step, period in enumerate(points):
        for n, child in enumerate(children):
            expected = ages.expected_band(
                bands, ages.age_in_months(child.date_of_birth, period.assessed_on)
            )
            judgements = {}
            for k, aspect in enumerate(dm.aspects.all()):
                # A made-up but plausible spread: most on track, some not yet.
                level = (n + k + step) % 3
                judgements[aspect.pk] = assessments.Judgement(
                    band=expected, judgement=scale[level], on_track=(n + k) % 4 != 0
                )
            assessments.assessments_record(
                actor=boss, period=period, child=child, judgements=judgements
            )
        assessments.period_update(actor=boss, period=period, shared_with_parents=True)
    journal.observation_create(
        actor=boss,
        children=[children[0]],
        kind="story",
        title="Amy's half term: building and counting",
        notes="This half term Amy has loved the block area. She now counts objects to 12 "
        "and works with a friend to plan what to build next.",
        observed_at=timezone.now() - timedelta(hours=2),
        publish=True,
        draws_on=[story_source],
    )


def _demo_photos(actor) -> list:
    """Two made-up pictures (no child in them), sent as a device would: the task
    worker processes them. None where libvips is not installed."""
    from footsteps.media import processing
    from footsteps.media import services as media

    if processing.pyvips is None:
        return []
    keys = []
    for hue in (40, 200):
        # A soft gradient with a circle of paint: something to look at.
        xyz = processing.pyvips.Image.xyz(1200, 900)
        x, y = xyz[0], xyz[1]
        ring = ((x - 600) ** 2 + (y - 450) ** 2) < 250**2
        red = ring.ifthenelse(hue + 30, x / 6 + 60)
        green = ring.ifthenelse(120, y / 5 + 80)
        blue = ring.ifthenelse(255 - hue, 200)
        picture = red.bandjoin([green, blue]).cast("uchar").copy(interpretation="srgb")
        data = picture.jpegsave_buffer(Q=85)
        item = media.upload_start(actor=actor, name=f"painting-{hue}.jpg", size=len(data))
        media.upload_chunk(actor=actor, media=item, offset=0, data=data)
        keys.append(item.key)
    return keys


def demo_exists(slug="little-acorns") -> bool:
    return Setting.objects.filter(slug=slug).exists()
