"""A Footsteps server in a separate process, as in production (gunicorn, DEBUG
off), on a database of its own with the demo setting; and the website steps a
person takes to get a session or a personal API key. Used by the real-client
test and by CI's fuzzing of the API (.ci/fuzz_api.py)."""

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import httpx

from footsteps.core.demo_accounts import (
    DEMO_APP_KEY,
    DEMO_PASSWORD,
    PERIOD,
    app_code,
    seconds_left,
)

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _database(tmp_path: Path, postgres: dict | None):
    """A fresh PostgreSQL database (dropped afterwards), or an SQLite file."""
    if postgres is None:
        yield f"sqlite:///{tmp_path / 'server.sqlite3'}"
        return
    import psycopg

    name = f"footsteps_server_{uuid.uuid4().hex[:12]}"
    host, port, user = (
        postgres.get("HOST") or "127.0.0.1",
        postgres.get("PORT") or 5432,
        postgres["USER"],
    )
    admin = f"host={host} port={port} user={user} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{user}@{host}:{port}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def demo_server(tmp_path: Path, *, postgres: dict | None = None, workers: int = 2):
    """Yields the server's base URL while it runs."""
    port = _free_port()
    with _database(tmp_path, postgres) as database_url:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url,
            "FOOTSTEPS_VAR_DIR": str(tmp_path),
            "SECRET_KEY": "server-test-" + uuid.uuid4().hex,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "TASKS_BACKEND": "immediate",
            "SITE_URL": f"http://127.0.0.1:{port}",
        }
        # One process for the three set-up commands: each Django start costs a second.
        setup = (
            "from django.core.management import call_command as run; "
            "run('migrate', interactive=False, verbosity=0); "
            "run('collectstatic', interactive=False, verbosity=0); run('seed_demo')"
        )
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", setup],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(workers),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    httpx.get(f"{base}/health/", timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)


def _token(page) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


_last_window: dict[str, int] = {}


def _app_code(email: str) -> str:
    """The demo staff's authenticator-app code of the moment. Each code works
    once, so signing the same person in again waits for the next 30 seconds,
    as they would (and one about to expire is not sent)."""
    while True:
        now = time.time()
        window = int(now // PERIOD)
        if _last_window.get(email) != window and seconds_left(now) > 2:
            _last_window[email] = window
            return app_code(DEMO_APP_KEY, now)
        time.sleep(0.5)


def signed_in_browser(base: str, email: str) -> httpx.Client:
    """A browser session signed in through the sign-in pages: the password,
    then, for staff (their setting asks for a second step), the app's code."""
    browser = httpx.Client(base_url=base, follow_redirects=True, timeout=30)
    login = browser.get("/accounts/login/")
    answer = browser.post(
        "/accounts/login/",
        data={"login": email, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": _token(login)},
    )
    answer.raise_for_status()
    second_step = "/accounts/2fa/authenticate/"
    if answer.url.path == second_step:
        done = browser.post(
            second_step, data={"code": _app_code(email), "csrfmiddlewaretoken": _token(answer)}
        )
        done.raise_for_status()
        if done.url.path == second_step:
            raise RuntimeError(f"The second step refused {email}'s code.")
    return browser


def make_key(base: str, email: str) -> str:
    """Sign in on the website and create a key under My account, as a person would."""
    browser = signed_in_browser(base, email)
    try:
        page = browser.get("/account/api-keys/")
        made = browser.post(
            "/account/api-keys/",
            data={
                "name": "Client",
                "days": "30",
                "password": DEMO_PASSWORD,
                "csrfmiddlewaretoken": _token(page),
            },
        )
        return re.search(r"fs_[A-Za-z0-9_-]+", made.text).group(0)
    finally:
        browser.close()
