"""How fast the purge deletes for good (footsteps.records.services.purge_due).

1. A PostgreSQL database of its own (`footsteps_bench_purge`: dropped, created
   and migrated) and a media folder in a temporary directory.
2. One setting, a manager and a child; N (10,000) published observations about
   the child, each with a reply, an area of learning and one photo whose three
   stored files (original, display, thumbnail: 4 KB each) are on the disk; all
   N in the deleted area, due. Built with bulk inserts, timed on its own.
3. `purge_due()` with its default batch size, timed: entries a second, and a
   check that every row and every file is gone and the erasure log has N lines
   for the entries.

Target: at least 500 entries a second (with their photos' files).

Usage: .venv/bin/python bench/purge.py [--entries 10000] [--batch-size 200]
Needs PostgreSQL on 127.0.0.1:5432 reachable as `postgres` without a password
(or BENCH_PURGE_DATABASE_URL). Figures of the last run: bench/README.md.
"""

import argparse
import os
import secrets
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/footsteps_bench_purge"
TARGET_PER_SECOND = 500
FILE_BYTES = 4096


def log(message: str = "") -> None:
    print(message, flush=True)


def recreate(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"Refusing to use {name!r}: the benchmark database's name must contain 'bench'.")
    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str, folder: Path) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        TASKS_BACKEND="immediate",
        EMAIL_DELIVERY="locmem",
        LOG_LEVEL="WARNING",
        REDIS_URL="",
        MEDIA_ROOT=str(folder / "media"),
        ERASURE_LOG=str(folder / "erasures.jsonl"),
        FOOTSTEPS_VAR_DIR=str(folder),
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(entries: int) -> float:
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from footsteps.assessments.models import Aspect, ObservationAspect
    from footsteps.children.models import Child
    from footsteps.journal.models import Comment, Observation, ObservationChild
    from footsteps.media.models import Media
    from footsteps.people.models import Membership, Role, User
    from footsteps.records.models import Deletion
    from footsteps.tenancy.models import Setting

    call_command("migrate", interactive=False, verbosity=0)
    begun = time.perf_counter()
    from django.conf import settings

    media_root = Path(settings.MEDIA_ROOT)
    now = timezone.now()
    with transaction.atomic():
        setting = Setting.objects.create(name="Purge bench", slug="purge-bench")
        user = User.objects.create(email="manager@purge.bench", full_name="Manager", password="!")
        manager = Membership.objects.create(
            user=user, setting=setting, role=Role.MANAGER, status=Membership.Status.ACTIVE
        )
        child = Child.objects.create(
            setting=setting, first_name="Pat", last_name="Bench", date_of_birth=now.date()
        )
        observations = Observation.objects.bulk_create(
            Observation(
                setting=setting,
                author=manager,
                title=f"Entry {n}",
                notes="Something happened.",
                observed_at=now - timedelta(minutes=n),
                status=Observation.Status.PUBLISHED,
                deleted_at=now,
            )
            for n in range(entries)
        )
        ObservationChild.objects.bulk_create(
            ObservationChild(observation=o, child=child) for o in observations
        )
        Comment.objects.bulk_create(
            Comment(observation=o, child=child, author=manager, body="Lovely") for o in observations
        )
        aspect = Aspect.objects.first()
        ObservationAspect.objects.bulk_create(
            ObservationAspect(observation=o, aspect=aspect) for o in observations
        )
        media = []
        for n, observation in enumerate(observations):
            names = {}
            for part in ("original", "display", "thumbnail"):
                name = f"media/bench/{n:05d}-{part}.webp"
                path = media_root / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(os.urandom(FILE_BYTES))
                names[part] = name
            media.append(
                Media(
                    setting=setting,
                    observation=observation,
                    uploaded_by=manager,
                    name=f"{n}.jpg",
                    kind="photo",
                    status="ready",
                    size=FILE_BYTES,
                    received=FILE_BYTES,
                    **names,
                )
            )
        Media.objects.bulk_create(media)
        Deletion.objects.bulk_create(
            Deletion(
                setting=setting,
                kind=Deletion.Kind.OBSERVATION,
                object_id=o.pk,
                label=o.title,
                deleted_by=manager,
                deleted_at=now,
                purge_after=now - timedelta(seconds=1),
            )
            for o in observations
        )
    return time.perf_counter() - begun


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=200)
    args = parser.parse_args()
    url = os.environ.get("BENCH_PURGE_DATABASE_URL", DEFAULT_DATABASE_URL)
    recreate(url)
    with tempfile.TemporaryDirectory(prefix="footsteps-bench-purge-") as folder:
        setup_django(url, Path(folder))
        built = build(args.entries)
        log(f"Built {args.entries:,} deleted entries with a reply, a tag and a photo (3 files)")
        log(f"in {built:.1f} s")

        from footsteps.journal.models import Observation
        from footsteps.media.models import Media
        from footsteps.records.models import Deletion
        from footsteps.records.services import purge_due

        begun = time.perf_counter()
        done = purge_due(batch_size=args.batch_size)
        took = time.perf_counter() - begun
        left_files = sum(1 for _ in (Path(folder) / "media").rglob("*.webp"))
        lines = (Path(folder) / "erasures.jsonl").read_text().count('"kind": "observation"')
        rate = done / took
        log(f"Purged {done:,} entries in {took:.2f} s: {rate:,.0f} entries a second")
        log(
            f"Left: {Observation.objects.count()} entries, {Media.objects.count()} photos, "
            f"{Deletion.objects.count()} deletions, {left_files} files; "
            f"erasure log lines for entries: {lines:,}"
        )
        verdict = "PASS" if rate >= TARGET_PER_SECOND else "FAIL"
        log(f"Target: at least {TARGET_PER_SECOND} entries a second: {verdict}")
    recreate_drop(url)


def recreate_drop(url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    name = urlsplit(url).path.lstrip("/")
    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
