"""The purge killed half-way (R34): `manage.py purge_deleted` runs in a real
process on a database and media folder of its own, is sent SIGKILL after its
first batch, and a second run finishes the work. Afterwards no file is left
without its row, no row without its files, and nothing deleted remains."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid

from django.conf import settings

from footsteps.api.tests.server import ROOT, _database

ENTRIES = 40

SETUP = """
from datetime import timedelta
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from footsteps.access.actor import Actor
from footsteps.journal import services as journal
from footsteps.media.models import Media
from footsteps.people.models import Membership
from footsteps.records import services as records
from footsteps.records.models import Deletion

call_command("migrate", interactive=False, verbosity=0)
call_command("seed_demo", verbosity=0)
manager = Membership.objects.get(user__email="manager@demo.test")
actor = Actor(user=manager.user, membership=manager)
amy = manager.setting.children.get(first_name="Amy")
for n in range(ENTRIES):
    entry = journal.observation_create(
        actor=actor, children=[amy], title=f"Doomed {n}",
        observed_at=timezone.now() - timedelta(hours=1), publish=True,
    )
    names = [
        default_storage.save(f"media/test/{n}-{part}.webp", ContentFile(b"x" * 2048))
        for part in ("display", "thumbnail")
    ]
    Media.objects.create(
        setting=manager.setting, observation=entry, uploaded_by=manager, name=f"{n}.jpg",
        kind="photo", status="ready", size=2048, received=2048,
        display=names[0], thumbnail=names[1], original=names[0],
    )
    records.observation_delete(actor=actor, observation=entry)
Deletion.objects.update(purge_after=timezone.now() - timedelta(seconds=1))
"""

STATE = """
import json, os
from django.conf import settings
from footsteps.media.models import Media
from footsteps.journal.models import Observation
from footsteps.records.models import Deletion, Erasure
on_disk = set()
for folder, _dirs, files in os.walk(settings.MEDIA_ROOT):
    for name in files:
        on_disk.add(os.path.relpath(os.path.join(folder, name), settings.MEDIA_ROOT))
rows = set()
for media in Media.objects.all():
    rows |= {n for n in (media.original, media.display, media.thumbnail, media.video) if n}
print(json.dumps({
    "deletions": Deletion.objects.count(),
    "doomed": Observation.objects.filter(title__startswith="Doomed").count(),
    "erasures": Erasure.objects.filter(kind="observation").count(),
    "orphan_files": sorted(n for n in on_disk - rows if n.startswith("media/test/")),
    "missing_files": sorted(rows - on_disk),
}))
"""


def _manage(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, **kwargs
    )


def test_r34_the_purge_killed_half_way_is_finished_by_the_next_run(tmp_path):
    database = settings.DATABASES["default"]
    postgres = database if database["ENGINE"] == "django.db.backends.postgresql" else None
    with _database(tmp_path, postgres) as database_url:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "FOOTSTEPS_VAR_DIR": str(tmp_path),
            "MEDIA_ROOT": str(tmp_path / "media"),
            "ERASURE_LOG": str(tmp_path / "erasures.jsonl"),
            "SECRET_KEY": "purge-test-" + uuid.uuid4().hex,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "TASKS_BACKEND": "immediate",
        }
        _manage(env, "shell", "-c", f"ENTRIES = {ENTRIES}\n" + SETUP, capture_output=True)

        def state() -> dict:
            out = _manage(env, "shell", "-c", STATE, capture_output=True, text=True).stdout
            return json.loads(out.strip().splitlines()[-1])

        before = state()
        assert before["deletions"] == ENTRIES
        assert before["doomed"] == ENTRIES

        log = tmp_path / "erasures.jsonl"
        purge = subprocess.Popen(
            [sys.executable, "manage.py", "purge_deleted", "--batch-size", "4", "--pause", "0.5"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Killed once its first batch is written to the erasure log.
        for _ in range(600):
            if log.exists() and log.read_text().strip():
                break
            time.sleep(0.05)
        time.sleep(0.2)
        purge.send_signal(signal.SIGKILL)
        purge.wait(timeout=10)

        halfway = state()
        assert 0 < halfway["deletions"] < ENTRIES
        assert halfway["doomed"] == halfway["deletions"]
        assert halfway["orphan_files"] == []

        _manage(env, "purge_deleted", capture_output=True)
        after = state()
        assert after["deletions"] == 0
        assert after["doomed"] == 0
        assert after["erasures"] == ENTRIES
        assert after["orphan_files"] == []
        assert after["missing_files"] == []
