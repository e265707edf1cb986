"""Settings for the test suite: the real stack, minus what only slows tests down."""

import os
import tempfile
from pathlib import Path

# Production refuses to start without a key; the suite has a fixed one of its own.
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-" + "x" * 40)

from config.settings import *  # noqa: E402, F403

# A cheap hasher: Argon2 is deliberately slow (production keeps it, see settings).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MAILERS = {
    "default": {"BACKEND": "footsteps.core.mail.QueuedEmailBackend"},
    "delivery": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded and processed files of this test process, away from var/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="footsteps-test-media-"))
ERASURE_LOG = MEDIA_ROOT.with_name(MEDIA_ROOT.name + "-erasures.jsonl")
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
SITE_URL = "http://testserver"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "loggers": {
        "django.tasks": {"level": "WARNING"},
        # libvips reports each damaged tile of a hostile file the tests send.
        "pyvips": {"level": "ERROR"},
    },
}
