"""Named test people, built through the real services (no factories for the basics).

Setting A ("Little Acorns"): a manager, a senior, a practitioner, a suspended
practitioner; children Amy, Ben and Cara; Amy's parent, Ben's parent, and Cara's
parent who has not yet accepted the agreement. Setting B ("Oak Tree"): a manager,
child Zed and Zed's parent. Everyone else has accepted their agreement.
"""

import re
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from footsteps.access.actor import Actor
from footsteps.access.membership import SESSION_KEY
from footsteps.children import services as children_services
from footsteps.children.models import Child
from footsteps.core import seeding
from footsteps.core.demo_accounts import app_code, seconds_left
from footsteps.core.seeding import accept_agreement, actor_of
from footsteps.journal import services as journal
from footsteps.journal.models import Comment, Observation
from footsteps.people import services as people
from footsteps.people.models import Membership, Role
from footsteps.tenancy import services as tenancy

PASSWORD = "a-long-test-password"
# A masked CSRF token: 64 random letters and digits, new on every page.
CSRF_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")


def page_text(response) -> str:
    """The page as its reader sees it, less the per-request CSRF token, which
    may by chance spell a short name that a test says must not appear."""
    return CSRF_TOKEN.sub("<csrf>", response.content.decode())


@pytest.fixture(autouse=True)
def queued_email(settings):
    """Django's test set-up swaps every mailer for locmem; put our queue back in
    front so tests exercise the real path: queue -> task -> delivery (locmem)."""
    settings.MAILERS = {
        "default": {"BACKEND": "footsteps.core.mail.QueuedEmailBackend"},
        "delivery": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
    }


@pytest.fixture(autouse=True)
def fresh_cache():
    """Sign-in counters live in the cache: each test starts with none. (Only
    at the start: a test may point the cache at the Redis other tests share.)"""
    cache.clear()


def activate(membership: Membership) -> Membership:
    return seeding.activate(membership, PASSWORD)


def parent_joins(actor: Actor, *, email: str, full_name: str, child, relationship="parent"):
    """A parent registered by `actor`'s setting who has set a password and accepted
    the agreement: ready to use the journal."""
    membership = activate(
        people.parent_invite(
            actor=actor, email=email, full_name=full_name, child=child, relationship=relationship
        )
    )
    accept_agreement(membership)
    return membership


class BrowserClient(Client):
    """A signed-in browser as our pages drive one: CSRF is enforced, and every
    write carries the token (forms post it; htmx and the API's session clients
    send the X-CSRFToken header). Django's plain test client skips the check,
    which once hid an API that could not be written to."""

    def __init__(self, **defaults):
        super().__init__(enforce_csrf_checks=True, **defaults)

    def request(self, **request):
        if request["REQUEST_METHOD"] not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            cookie = self.cookies.get(settings.CSRF_COOKIE_NAME)
            if cookie is None:
                self.cookies[settings.CSRF_COOKIE_NAME] = _get_new_csrf_string()
                cookie = self.cookies[settings.CSRF_COOKIE_NAME]
            request.setdefault("HTTP_X_CSRFTOKEN", cookie.value)
        return super().request(**request)


def signed_in_client(user, *, membership=None) -> BrowserClient:
    """A browser with a signed-in session, as allauth's sign-in leaves it (the
    password, then the second step when the person has one, just now), made
    without signing in again (a test makes thousands of these; the sign-in
    itself is tested through the real forms)."""
    import time

    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY
    from django.contrib.auth import SESSION_KEY as USER_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from footsteps.security.second_factor import FACTOR_TYPES

    now = time.time()
    records = [{"method": "password", "at": now, "email": user.email}]
    factor = (
        Authenticator.objects.filter(user_id=user.pk, type__in=FACTOR_TYPES)
        .values_list("pk", "type")
        .first()
    )
    if factor is not None:
        records.append({"method": "mfa", "at": now, "id": factor[0], "type": factor[1]})
    session = SessionStore()
    session[USER_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    if membership is not None:
        session[SESSION_KEY] = membership.pk
    session.save()
    client = BrowserClient()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


@dataclass
class World:
    members: dict = field(default_factory=dict)
    children: dict = field(default_factory=dict)
    observations: dict = field(default_factory=dict)
    comments: dict = field(default_factory=dict)

    def actor(self, name: str) -> Actor:
        return actor_of(self.members[name])

    def keys(self) -> dict:
        """Every object's id, by kind and name: enough to load the world again."""
        return {
            kind: {name: obj.pk for name, obj in getattr(self, kind).items()}
            for kind in ("members", "children", "observations", "comments")
        }

    @classmethod
    def load(cls, keys: dict) -> "World | None":
        """Fresh objects for a world built earlier, or None if it is gone (a
        transactional test emptied the database)."""
        models = {
            "members": Membership.objects.select_related("user", "setting"),
            "children": Child.objects.all(),
            "observations": Observation.objects.all(),
            "comments": Comment.objects.all(),
        }
        world = cls()
        for kind, queryset in models.items():
            found = queryset.in_bulk(keys[kind].values())
            if len(found) != len(keys[kind]):
                return None
            setattr(world, kind, {name: found[pk] for name, pk in keys[kind].items()})
        return world

    def client(self, name: str) -> Client:
        """A browser signed in as this person, in their setting."""
        membership = self.members[name]
        return signed_in_client(membership.user, membership=membership)


def second_step_code(person) -> str:
    """The code the person's (a user, or their address) authenticator app shows
    now (their secret, from the database), to type at sign-in's second step."""
    from allauth.mfa.models import Authenticator

    from footsteps.people.models import User
    from footsteps.security.adapter import MFAAdapter

    user = User.objects.get(email=person) if isinstance(person, str) else person
    app = Authenticator.objects.get(user_id=user.pk, type=Authenticator.Type.TOTP)
    return code_now(MFAAdapter().decrypt(app.data["secret"]))


def code_now(secret: str) -> str:
    """The app's code now. A code works only in its own 30 seconds: one about
    to end would fail a test now and then, so wait for the next (as a person
    would)."""
    left = seconds_left()
    if left < 5:
        time.sleep(left + 0.1)
    return app_code(secret)


def sign_in_with_form(client: Client, email: str, password: str = PASSWORD, **extra):
    """Sign in through allauth's real forms: the password, then, when asked,
    the code the person's authenticator app shows now. The last response."""
    from django.urls import reverse

    data = {"login": email, "password": password}
    response = client.post(reverse("account_login"), data, **extra)
    if response.status_code == 302 and response.url == reverse("mfa_authenticate"):
        code = second_step_code(email)
        response = client.post(reverse("mfa_authenticate"), {"code": code}, **extra)
    return response


def set_up_authenticator_app(client: Client) -> str:
    """Set up an authenticator app through allauth's page, as a person does:
    the page shows a new secret, the app's code for it is typed. The secret."""
    from django.urls import reverse

    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    done = client.post(reverse("mfa_activate_totp"), {"code": code_now(secret)})
    assert done.status_code == 302, done.context["form"].errors
    return secret


def build_setting(world: World, *, prefix: str, name: str, slug: str):
    setting, manager = tenancy.setting_create(
        name=name,
        slug=slug,
        manager_email=f"manager@{slug}.test",
        manager_name=f"{prefix} Manager",
        parent_agreement="Parent agreement v1",
        staff_agreement="Staff agreement v1",
    )
    manager = activate(manager)
    seeding.authenticator_app(manager.user)  # staff sign in with a second step (R37)
    boss = actor_of(manager)
    accept_agreement(manager)
    return setting, manager, boss


def build_world() -> World:
    """Both settings, their people and some journal, through the real services.
    Run with on-commit callbacks executed (emails and notices are sent)."""
    w = World()
    _setting_a, manager, boss = build_setting(w, prefix="A", name="Little Acorns", slug="acorns")
    w.members["manager"] = manager
    for key, role in (
        ("senior", Role.SENIOR),
        ("practitioner", Role.PRACTITIONER),
        ("suspended", Role.PRACTITIONER),
    ):
        w.members[key] = activate(
            people.staff_invite(
                actor=boss,
                email=f"{key}@acorns.test",
                full_name=f"{key.title()} Person",
                role=role,
            )
        )
        seeding.authenticator_app(w.members[key].user)
        accept_agreement(w.members[key])
    for first, key_person in (
        ("Amy", "senior"),
        ("Ben", "practitioner"),
        ("Cara", "practitioner"),
    ):
        w.children[first.lower()] = children_services.child_create(
            actor=boss,
            first_name=first,
            last_name="Acorn",
            date_of_birth=date(2022, 5, 1),
            key_person=w.members[key_person],
        )
    for key, child in (
        ("parent_amy", "amy"),
        ("parent_ben", "ben"),
        ("parent_unaccepted", "cara"),
    ):
        w.members[key] = activate(
            people.parent_invite(
                actor=boss,
                email=f"{key}@family.test",
                full_name=f"{key} Family",
                child=w.children[child],
                relationship="parent",
            )
        )
        if key != "parent_unaccepted":
            accept_agreement(w.members[key])
    people.membership_suspend(actor=boss, membership=w.members["suspended"])

    _setting_b, manager_b, boss_b = build_setting(w, prefix="B", name="Oak Tree", slug="oak")
    w.members["other_manager"] = manager_b
    w.children["zed"] = children_services.child_create(
        actor=boss_b, first_name="Zed", last_name="Oak", date_of_birth=date(2022, 1, 1)
    )
    w.members["parent_zed"] = activate(
        people.parent_invite(
            actor=boss_b,
            email="parent_zed@family.test",
            full_name="Zed Family",
            child=w.children["zed"],
            relationship="parent",
        )
    )
    accept_agreement(w.members["parent_zed"])

    # Journal content in setting A.
    practitioner = w.actor("practitioner")
    yesterday = timezone.now() - timedelta(days=1)
    w.observations["shared"] = journal.observation_create(
        actor=practitioner,
        children=[w.children["amy"], w.children["ben"]],
        title="Tower of blocks",
        notes="Built together.",
        observed_at=yesterday,
        publish=True,
    )
    w.observations["staff_only"] = journal.observation_create(
        actor=practitioner,
        children=[w.children["amy"]],
        title="Staff note",
        notes="For staff eyes only.",
        observed_at=yesterday,
        shared_with_parents=False,
        publish=True,
    )
    w.observations["draft"] = journal.observation_create(
        actor=practitioner,
        children=[w.children["amy"]],
        title="Unfinished draft",
        observed_at=yesterday,
    )
    w.observations["contribution"] = journal.contribution_create(
        actor=w.actor("parent_amy"),
        children=[w.children["amy"]],
        title="At the park",
        notes="Climbed the big slide.",
        observed_at=yesterday,
    )
    w.comments["amy"] = journal.comment_add(
        actor=w.actor("parent_amy"),
        observation=w.observations["shared"],
        child=w.children["amy"],
        body="Amy loved this!",
    )
    w.comments["ben"] = journal.comment_add(
        actor=w.actor("parent_ben"),
        observation=w.observations["shared"],
        child=w.children["ben"],
        body="Ben told us all about it.",
    )
    w.observations["zed"] = journal.observation_create(
        actor=actor_of(manager_b),
        children=[w.children["zed"]],
        title="Zed paints",
        observed_at=yesterday,
        publish=True,
    )
    return w


@pytest.fixture(scope="session")
def world_keys(django_db_setup, django_db_blocker) -> dict:
    """The world, built once per test database and committed: each test then
    runs in a transaction that is rolled back, so every test starts from it."""
    with django_db_blocker.unblock():
        return build_world().keys()


@pytest.fixture
def world(db, world_keys, django_capture_on_commit_callbacks) -> World:
    """The named people and their journal, as fresh objects for this test."""
    loaded = World.load(world_keys)
    if loaded is not None:
        return loaded
    # A transactional test (a browser journey) emptied the database: build
    # again (those tests run last, so this happens once for each of them).
    with django_capture_on_commit_callbacks(execute=True):
        built = build_world()
    world_keys.update(built.keys())
    return built


@pytest.fixture
def stored_in_database(db):
    """Where a piece of text is stored, if anywhere: every text column of every
    model ("app.model.field"). Proves secrets are kept only as hashes."""
    import json

    from django.apps import apps
    from django.db import models

    def find(text: str) -> list[str]:
        found = []
        for model in apps.get_models():
            if model._meta.proxy or not model._meta.managed:
                continue
            for column in model._meta.concrete_fields:
                rows = model._base_manager.all()
                if isinstance(column, models.CharField | models.TextField):
                    hit = rows.filter(**{f"{column.attname}__contains": text}).exists()
                elif isinstance(column, models.JSONField):
                    values = rows.values_list(column.attname, flat=True)
                    hit = any(text in json.dumps(value) for value in values)
                else:
                    continue
                if hit:
                    found.append(f"{model._meta.label_lower}.{column.name}")
        return found

    return find


@pytest.fixture
def zed_parent_at_acorns(world):
    """Zed's parent also has Ben at Little Acorns: one login, two settings."""
    return parent_joins(
        world.actor("manager"),
        email="parent_zed@family.test",
        full_name="Zed Family",
        child=world.children["ben"],
    )


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Send a file as a device does (footsteps.media.services: announce it, send
    it in pieces) and let the background task process it; returns the Media.
    `upload(world.actor("practitioner"), data, "photo.jpg")`."""
    from footsteps.media import services as media

    def send(actor: Actor, data: bytes, name: str = "photo.jpg"):
        item = media.upload_start(actor=actor, name=name, size=len(data))
        with django_capture_on_commit_callbacks(execute=True):
            for offset in range(0, len(data), media.CHUNK_SIZE):
                piece = data[offset : offset + media.CHUNK_SIZE]
                media.upload_chunk(actor=actor, media=item, offset=offset, data=piece)
        item.refresh_from_db()
        return item

    return send


@pytest.fixture(scope="session")
def small_photo() -> bytes:
    """A small JPEG as a phone writes it (GPS, serial, owner, orientation)."""
    import tempfile
    from pathlib import Path

    from footsteps.media.tests.files import jpeg_from_phone

    with tempfile.TemporaryDirectory() as folder:
        return jpeg_from_phone(Path(folder) / "p.jpg", width=320, height=240).read_bytes()
