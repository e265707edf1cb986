"""Fill a database with two realistic early-years settings, for benchmarks.

Each setting has 60 children, 15 staff (1 manager, 3 seniors, 11 practitioners)
and 90 parents or carers (each child has one or two; a few siblings share them),
and three years of journal: three observations a child a week, some about two or
three children, with replies from families and staff, staff-only notes, drafts,
entries awaiting review, parents' contributions and replies waiting for approval,
and next steps. Everyone has accepted the current agreements, so every page can
be reached.

People, rooms, children, agreements and setting options go through the real
services (cheap: a few hundred calls). The journal itself (tens of thousands of
rows) is bulk-inserted, with the same fields the services would set.

Usage: .venv/bin/python bench/generate.py [--database-url URL] [--manifest PATH]
The database must be migrated and should be empty. A fixed seed makes every run
produce the same data.
"""

import argparse
import json
import os
import random
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SEED = 20240901
WEEKS = 156  # three years
CHILDREN = 60
PASSWORD = "footsteps-bench-password"

# Who the load test signs in as: a parent of two siblings and a practitioner.
MAIN = {"name": "Little Acorns Nursery", "slug": "little-acorns", "domain": "acorns.bench"}
OTHER = {"name": "Oak Tree Pre-school", "slug": "oak-tree", "domain": "oaktree.bench"}
BENCH_PARENT_EMAIL = f"parent01a@{MAIN['domain']}"
BENCH_PRACTITIONER_EMAIL = f"practitioner01@{MAIN['domain']}"
BENCH_SENIOR_EMAIL = f"senior01@{MAIN['domain']}"

FIRST_NAMES = (  # noqa: SIM905 (names read better as text)
    "Amelia Noah Isla Oliver Ava Leo Ivy Arthur Freya George Lily Theo Mia Oscar Rosie "
    "Archie Evie Harry Sophia Jack Grace Finley Ella Henry Poppy Charlie Willow Alfie "
    "Daisy Freddie Ruby Teddy Maya Max Aria Jacob Luna Lucas Zara Ezra Phoebe Reuben "
    "Hallie Arlo Nia Tommy Ada Kai Iris Elijah Olivia Sonny Aisha Yusuf Elsie Ibrahim "
    "Sienna Rory Matilda Hugo"
).split()
SURNAMES = (  # noqa: SIM905 (names read better as text)
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Wright Robinson "
    "Thompson Evans Walker White Roberts Green Hall Wood Jackson Clarke Khan Lewis Hughes "
    "Edwards Turner Hill Moore Cooper Ward Morris King Watson Harris Baker Young Allen "
    "Mitchell Anderson Lee Scott Carter Phillips Begum Shah Ali Murphy Kelly Price "
    "Bennett Okafor Nowak Kaur Ahmed"
).split()
ADULT_NAMES = (  # noqa: SIM905 (names read better as text)
    "Alex Sam Jordan Chris Jamie Priya Hannah Tom Sarah James Emma David Laura Daniel "
    "Rachel Michael Zoe Ben Kate Adam Fatima Omar Lucy Mark Helen Paul Amy Ryan Jess Nick"
).split()

ACTIVITIES = [
    "Building a tall tower",
    "Painting with a brush",
    "Counting conkers",
    "Sharing at snack time",
    "Mark making in the sand",
    "Story time with puppets",
    "Digging in the garden",
    "Role play in the home corner",
    "Threading beads",
    "Jumping in puddles",
    "Singing number songs",
    "Playing with the train track",
    "Pouring at the water tray",
    "Looking after the dolls",
    "Drawing a family picture",
    "Finding minibeasts",
    "Making playdough cakes",
    "Climbing the frame",
    "Dressing up as a firefighter",
    "Sorting shapes by colour",
]
HOME_ACTIVITIES = [
    "Baking at home",
    "A trip to the park",
    "Visiting grandma",
    "Bath time counting",
    "Helping with the shopping",
    "Our new library books",
]
SENTENCES = [
    "{name} chose the activity independently and stayed focused for about fifteen minutes.",
    "{name} talked about what they were doing, using words like 'bigger' and 'on top'.",
    "When another child joined, {name} offered to share and took turns.",
    "{name} counted aloud up to ten, touching each object once.",
    "{name} used a pincer grip to pick up the small pieces.",
    "{name} explained the plan to a practitioner before starting.",
    "After a few tries {name} found a way to make it balance and smiled proudly.",
    "{name} asked 'why?' several times and listened carefully to the answers.",
    "{name} described the colours and the textures, and compared them.",
    "{name} joined in with the song and remembered most of the actions.",
    "{name} persevered when it was tricky and asked for help when needed.",
    "{name} noticed a pattern and continued it without prompting.",
]
NEXT_STEPS = [
    "Count to 20 with objects.",
    "Encourage turn-taking in small group games.",
    "Offer more mark-making tools outdoors.",
    "Model positional language during play.",
    "Support zipping up their own coat.",
    "Introduce rhyming stories at group time.",
]
STAFF_REPLIES = [
    "{name} was so proud of this; we'll keep building on it this week.",
    "Thanks for sharing! We noticed the same thing at nursery today.",
    "Lovely to hear, we'll talk about it at circle time.",
]
PARENT_REPLIES = [
    "{name} talked about this all evening!",
    "Thank you, this made our day.",
    "We've been practising this at home too.",
    "So lovely to see. {name} loves this activity.",
]


@dataclass
class Family:
    surname: str
    children: list = field(default_factory=list)  # Child rows
    parents: list = field(default_factory=list)  # Membership rows


@dataclass
class Plan:
    """What one setting looks like before its journal is written."""

    setting: object
    manager: object
    seniors: list
    practitioners: list
    reviewed: list  # practitioners whose observations a senior reviews (R17)
    children: list
    families: list
    parents_of: dict  # child id -> parent memberships
    key_person: dict  # child id -> membership


def configure(database_url: str) -> None:
    """Django with this database, tasks run in-process and mail kept in memory."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["TASKS_BACKEND"] = "immediate"
    os.environ["EMAIL_DELIVERY"] = "locmem"
    import logging

    import django

    django.setup()
    logging.getLogger("django.tasks").setLevel(logging.WARNING)


@contextmanager
def keeping_timestamps(*models):
    """Let bulk_create keep the created_at/updated_at we give it: auto_now(_add)
    would stamp three years of history with today's date."""
    switched = []
    for model in models:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                switched.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in switched:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _activate(membership):
    """Accept the invitation through the real service (footsteps.core.seeding)."""
    from footsteps.core import seeding

    return seeding.activate(membership, PASSWORD)


def build_people(rng: random.Random, spec: dict, shared_parents: dict | None = None) -> Plan:
    """Setting, staff, rooms, children, families and agreements, through the services.
    `shared_parents` maps a family number to an existing parent's email: the same
    person with a child here too."""
    shared_parents = shared_parents or {}
    from django.utils import timezone

    from footsteps.children import services as children_services
    from footsteps.people import services as people
    from footsteps.people.models import Role
    from footsteps.tenancy import services as tenancy

    domain = spec["domain"]
    setting, manager = tenancy.setting_create(
        name=spec["name"],
        slug=spec["slug"],
        manager_email=f"manager@{domain}",
        manager_name="Maya Patel",
    )
    manager = _activate(manager)
    from footsteps.core.seeding import actor_of

    boss = actor_of(manager)
    rooms = [
        children_services.room_create(actor=boss, name=name)
        for name in ("Babies", "Toddlers", "Pre-school")
    ]

    def invite(email, full_name, role):
        membership = people.staff_invite(actor=boss, email=email, full_name=full_name, role=role)
        return _activate(membership)

    seniors = [
        invite(f"senior{i:02}@{domain}", f"{rng.choice(ADULT_NAMES)} Senior{i}", Role.SENIOR)
        for i in range(1, 4)
    ]
    practitioners = [
        invite(
            f"practitioner{i:02}@{domain}",
            f"{rng.choice(ADULT_NAMES)} Practitioner{i}",
            Role.PRACTITIONER,
        )
        for i in range(1, 12)
    ]
    # Two students whose observations a senior reviews, and parents' replies
    # approved by staff: so the review queues and pending states exist (R17, R18).
    tenancy.setting_update(actor=boss, moderation="named", approve_parent_comments=True)
    reviewed = practitioners[-2:]
    for membership in reviewed:
        people.staff_set_review(actor=boss, membership=membership, needs_review=True)

    # 54 families: 6 pairs of siblings and 48 only children; 36 families have two
    # parents and 18 one, which makes 90 parents. Family 0 (siblings, two parents)
    # is the one the benchmark signs in as.
    families = [Family(surname=SURNAMES[n]) for n in range(54)]
    family_of = [families[i // 2] if i < 12 else families[i - 6] for i in range(CHILDREN)]
    key_people = [*seniors, *practitioners]
    joined = timezone.localdate() - timedelta(weeks=WEEKS)
    children = []
    for i in range(CHILDREN):
        child = children_services.child_create(
            actor=boss,
            first_name=FIRST_NAMES[i],
            last_name=family_of[i].surname,
            date_of_birth=joined - timedelta(days=rng.randint(120, 700)),
            room=rooms[i * len(rooms) // CHILDREN],
            key_person=key_people[i % len(key_people)],
            joined_on=joined,
        )
        family_of[i].children.append(child)
        children.append(child)
    two_parent = {0, *rng.sample(range(1, 54), 35)}
    relationships = ["mother", "father", "parent", "carer", "grandparent"]
    for n, family in enumerate(families):
        for p in range(2 if n in two_parent else 1):
            email = f"parent{n + 1:02}{'ab'[p]}@{domain}"
            if p == 0 and n in shared_parents:
                email = shared_parents[n]
            membership = people.parent_invite(
                actor=boss,
                email=email,
                full_name=f"{rng.choice(ADULT_NAMES)} {family.surname}",
                child=family.children[0],
                relationship=relationships[p if rng.random() < 0.8 else rng.randrange(5)],
            )
            for sibling in family.children[1:]:
                people.parent_link(
                    actor=boss, parent=membership, child=sibling, relationship="parent"
                )
            family.parents.append(_activate(membership))

    from footsteps.core import seeding

    for membership in [*seniors, *practitioners, manager]:
        seeding.accept_agreement(membership)
    for family in families:
        for membership in family.parents:
            seeding.accept_agreement(
                membership, image_consent="granted" if rng.random() < 0.9 else "refused"
            )

    parents_of = {c.pk: f.parents for f in families for c in f.children}
    return Plan(
        setting=setting,
        manager=manager,
        seniors=seniors,
        practitioners=practitioners,
        reviewed=reviewed,
        children=children,
        families=families,
        parents_of=parents_of,
        key_person={c.pk: key_people[i % len(key_people)] for i, c in enumerate(children)},
    )


def _notes(rng, names: list[str]) -> str:
    picked = rng.sample(SENTENCES, rng.randint(2, 5))
    return " ".join(s.format(name=rng.choice(names)) for s in picked)


def _observed_at(rng, now: datetime, week: int) -> datetime:
    """A time during nursery hours on a weekday of the given week (0 = oldest), in the
    past. `now` is local time, so nursery hours are too."""
    monday = (now - timedelta(days=now.weekday(), weeks=WEEKS - 1 - week)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    moment = monday + timedelta(days=rng.randrange(5), minutes=rng.randint(8 * 60, 17 * 60 + 30))
    earlier_this_week = now - timedelta(minutes=rng.randint(30, 3 * 24 * 60))
    return moment if moment < now - timedelta(minutes=30) else earlier_this_week


def _entry_delay(rng) -> timedelta:
    roll = rng.random()
    if roll < 0.9:
        return timedelta(minutes=rng.randint(5, 240))
    if roll < 0.97:
        return timedelta(days=rng.randint(1, 5), minutes=rng.randint(0, 600))
    return timedelta(days=rng.randint(8, 20))  # late (R22)


def _staff_observations(stream, plan: Plan, now: datetime) -> list:
    """Exactly three observations a child a week; a fifth are about 2-3 children.
    Returns (key, Observation, children) triples."""
    from footsteps.journal.models import Observation

    Status = Observation.Status
    recent = now - timedelta(days=14)
    authors = plan.seniors + plan.practitioners * 3 + [plan.manager]
    rooms: dict[int, list] = {}
    for child in plan.children:
        rooms.setdefault(child.room_id, []).append(child)
    found = []
    for week in range(WEEKS):
        for room, room_children in enumerate(rooms.values()):
            rng = stream("week", week, room)
            need = {child.pk: 3 for child in room_children}
            by_id = {child.pk: child for child in room_children}
            while need:
                first = rng.choice(list(need))
                group = [first]
                if rng.random() < 0.2:
                    others = [pk for pk in need if pk != first]
                    group += rng.sample(others, min(len(others), rng.randint(1, 2)))
                for pk in group:
                    need[pk] -= 1
                    if not need[pk]:
                        del need[pk]
                kids = [by_id[pk] for pk in group]
                author = plan.key_person[first] if rng.random() < 0.7 else rng.choice(authors)
                observed = _observed_at(rng, now, week)
                created = min(observed + _entry_delay(rng), now)
                delay = created - observed
                roll, reviewer = rng.random(), rng.choice(plan.seniors)
                status = Status.PUBLISHED
                if observed > recent:
                    if author in plan.reviewed and roll < 0.5:
                        status = Status.AWAITING_REVIEW
                    elif roll < 0.06:
                        status = Status.DRAFT
                    elif roll < 0.07:
                        status = Status.RETURNED
                elif roll < 0.003:
                    status = Status.DRAFT  # a forgotten draft
                published = status == Status.PUBLISHED
                reviewed = published and author in plan.reviewed
                observation = Observation(
                    setting=plan.setting,
                    author=author,
                    source=Observation.Source.STAFF,
                    title=rng.choice(ACTIVITIES),
                    notes=_notes(rng, [k.first_name for k in kids]),
                    next_steps=rng.choice(NEXT_STEPS) if rng.random() < 0.4 else "",
                    observed_at=observed,
                    created_at=created,
                    updated_at=created,
                    entry_delay_minutes=int(delay.total_seconds() // 60),
                    is_late=delay > timedelta(days=plan.setting.late_entry_days),
                    shared_with_parents=rng.random() >= 0.07,
                    status=status,
                    published_at=created if published else None,
                    reviewed_by=reviewer if reviewed else None,
                    reviewed_at=created if reviewed else None,
                    review_note="Please add what they said." if status == Status.RETURNED else "",
                    deleted_at=now if rng.random() < 0.002 and published else None,
                )
                found.append((f"{week}:{room}:{len(found)}", observation, kids))
    return found


def _contributions(stream, plan: Plan, now: datetime) -> list:
    """Parents' observations from home (R19): a handful a parent over three years."""
    from footsteps.journal.models import Observation

    Status = Observation.Status
    reviewers = [plan.manager, *plan.seniors]
    found = []
    for f, family in enumerate(plan.families):
        for p, parent in enumerate(family.parents):
            rng = stream("home", f, p)
            for n in range(rng.randint(0, 8)):
                observed = _observed_at(rng, now, rng.randrange(WEEKS))
                created = min(observed + timedelta(hours=rng.randint(1, 48)), now)
                delay = created - observed
                kids = family.children if rng.random() < 0.5 else [rng.choice(family.children)]
                status = rng.choices(
                    [Status.PUBLISHED, Status.DECLINED, Status.WITHDRAWN], [8, 1, 1]
                )[0]
                if observed > now - timedelta(days=14):
                    status = Status.PENDING
                reviewer = rng.choice(reviewers)
                reviewed = status in (Status.PUBLISHED, Status.DECLINED)
                observation = Observation(
                    setting=plan.setting,
                    author=parent,
                    source=Observation.Source.PARENT,
                    title=rng.choice(HOME_ACTIVITIES),
                    notes=_notes(rng, [k.first_name for k in kids]),
                    observed_at=observed,
                    created_at=created,
                    updated_at=created,
                    entry_delay_minutes=int(delay.total_seconds() // 60),
                    is_late=False,
                    shared_with_parents=True,
                    status=status,
                    published_at=created if status == Status.PUBLISHED else None,
                    reviewed_by=reviewer if reviewed else None,
                    reviewed_at=created if reviewed else None,
                    review_note="Thank you! This one is a duplicate."
                    if status == Status.DECLINED
                    else "",
                )
                found.append((f"home:{f}:{p}:{n}", observation, kids))
    return found


def _replies_and_next_steps(rng, plan: Plan, observation, kids, now: datetime):
    """Next steps from a published observation (R25), and for ~30% of them 1-3
    replies from families and staff, in each child's thread (R18)."""
    from footsteps.journal.models import Comment, NextStep

    steps, comments = [], []
    if observation.source == "staff" and observation.next_steps:
        for kid in kids:
            done = rng.random() < 0.5 or observation.observed_at < now - timedelta(weeks=6)
            achieved = min(observation.published_at + timedelta(days=rng.randint(3, 40)), now)
            steps.append(
                NextStep(
                    child=kid,
                    observation=observation,
                    text=observation.next_steps,
                    created_by=observation.author,
                    created_at=observation.published_at,
                    achieved_at=achieved if done else None,
                    achieved_by=plan.key_person[kid.pk] if done else None,
                )
            )
    if rng.random() >= 0.3:
        return steps, comments
    for _ in range(rng.randint(1, 3)):
        kid = rng.choice(kids)
        family = plan.parents_of[kid.pk]
        minutes = rng.randint(10, 72 * 60)
        created = min(observation.published_at + timedelta(minutes=minutes), now)
        from_home = rng.random() < 0.6 and observation.shared_with_parents and family
        awaiting = rng.random() < 0.5 and created > now - timedelta(days=7)
        key_person = plan.key_person[kid.pk]
        if from_home:
            author = rng.choice(family)
            body = rng.choice(PARENT_REPLIES).format(name=kid.first_name)
        else:
            author = key_person
            if rng.random() >= 0.7 and observation.source == "staff":
                author = observation.author
            body = rng.choice(STAFF_REPLIES).format(name=kid.first_name)
        comments.append(
            Comment(
                observation=observation,
                child=kid,
                author=author,
                body=body,
                status=Comment.Status.PENDING
                if from_home and awaiting
                else Comment.Status.PUBLISHED,
                created_at=created,
                approved_by=key_person if from_home and not awaiting else None,
            )
        )
    return steps, comments


def write_journal(seed: int, plan: Plan) -> None:
    """Three years of observations, links, replies and next steps, bulk-inserted.

    Each week, family and observation draws from its own random stream, so the
    data is the same for the same seed whatever the time of day of the run."""
    from django.utils import timezone

    from footsteps.journal.models import Comment, NextStep, Observation, ObservationChild

    def stream(*key):
        return random.Random(":".join(map(str, (seed, plan.setting.slug, *key))))

    now = timezone.localtime()
    observations = _staff_observations(stream, plan, now) + _contributions(stream, plan, now)
    observations.sort(key=lambda triple: triple[1].observed_at)
    with keeping_timestamps(Observation, Comment, NextStep):
        Observation.objects.bulk_create([o for _, o, _ in observations], batch_size=2000)
        ObservationChild.objects.bulk_create(
            (ObservationChild(observation=o, child=k) for _, o, kids in observations for k in kids),
            batch_size=5000,
        )
        comments, steps = [], []
        for key, observation, kids in observations:
            if observation.status != Observation.Status.PUBLISHED or observation.deleted_at:
                continue
            more_steps, more_comments = _replies_and_next_steps(
                stream("extras", key), plan, observation, kids, now
            )
            steps += more_steps
            comments += more_comments
        comments.sort(key=lambda c: c.created_at)
        Comment.objects.bulk_create(comments, batch_size=5000)
        NextStep.objects.bulk_create(steps, batch_size=5000)


def counts() -> dict:
    from django.db import connection
    from django.db.models import Count

    from footsteps.children.models import Child, ParentLink
    from footsteps.journal.models import Comment, NextStep, Observation, ObservationChild
    from footsteps.people.models import Membership, User
    from footsteps.tenancy.models import AgreementAcceptance, Setting

    def by(model, name):
        rows = model.objects.values(name).annotate(n=Count("pk")).order_by(name)
        return {row[name]: row["n"] for row in rows}

    result = {
        "settings": Setting.objects.count(),
        "users": User.objects.count(),
        "memberships": by(Membership, "role"),
        "children": Child.objects.count(),
        "parent links": ParentLink.objects.count(),
        "agreement acceptances": AgreementAcceptance.objects.count(),
        "observations": Observation.objects.count(),
        "observations by status": by(Observation, "status"),
        "observations by source": by(Observation, "source"),
        "staff-only observations": Observation.objects.filter(shared_with_parents=False).count(),
        "deleted observations": Observation.objects.filter(deleted_at__isnull=False).count(),
        "observation-child links": ObservationChild.objects.count(),
        "comments": by(Comment, "status"),
        "next steps (open)": NextStep.objects.filter(achieved_at__isnull=True).count(),
        "next steps (all)": NextStep.objects.count(),
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            result["database size"] = cursor.fetchone()[0]
    return result


def generate(*, seed: int = SEED) -> dict:
    """Both settings; returns what the load test needs to sign in and where to go."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.test import override_settings

    from footsteps.people.models import User

    rng = random.Random(seed)
    # Argon2 costs 0.2 s a person, by design: people join with a cheap hash, then
    # everyone gets one precomputed Argon2 hash of the same password.
    cheap = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with cheap, transaction.atomic():
        main = build_people(rng, MAIN)
        write_journal(seed, main)
    # Two parents of the main setting also have a child at the other (same accounts).
    shared = {n: main.families[n].parents[0].user.email for n in (10, 11)}
    with cheap, transaction.atomic():
        other = build_people(rng, OTHER, shared_parents=shared)
        write_journal(seed, other)
    User.objects.update(password=make_password(PASSWORD))
    with connection.cursor() as cursor:
        # Fresh planner statistics, as autovacuum would have after years of use.
        cursor.execute("ANALYZE")
    bench_family = main.families[0]
    return {
        "password": PASSWORD,
        "parent_email": BENCH_PARENT_EMAIL,
        "practitioner_email": BENCH_PRACTITIONER_EMAIL,
        "senior_email": BENCH_SENIOR_EMAIL,
        "child_id": bench_family.children[0].pk,
        "parent_child_ids": [c.pk for c in bench_family.children],
        "setting_id": main.setting.pk,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--manifest", type=Path, help="write sign-in details here as JSON")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")
    configure(args.database_url)
    started = time.perf_counter()
    manifest = generate(seed=args.seed)
    elapsed = time.perf_counter() - started
    for name, value in counts().items():
        print(f"{name:>26}: {value}")
    print(f"Generated in {elapsed:.1f} s (seed {args.seed}).")
    if args.manifest:
        args.manifest.write_text(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
