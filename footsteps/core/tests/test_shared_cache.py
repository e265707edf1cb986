"""Several stateless app servers share one cache (sign-in rate limits, R1/R37):
with REDIS_URL set, two separate processes see the same values in a real Redis."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = """
import sys, django
django.setup()
from django.core.cache import cache
key = sys.argv[1]
if sys.argv[2] == "set":
    cache.set(key, "shared", timeout=30)
else:
    print(cache.get(key)); cache.delete(key)
"""


def _redis_listening(host="127.0.0.1", port=6379) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def _app_server(*args) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


@pytest.mark.skipif(not _redis_listening(), reason="no Redis on 127.0.0.1:6379")
def test_r37_two_app_servers_share_the_redis_cache():
    key = f"footsteps-test-{uuid.uuid4()}"
    _app_server(key, "set")
    assert _app_server(key, "get") == "shared"
