"""The `browser` fixture for tests marked `browser` (see browser.py)."""

import os

import pytest
from django.db import connections
from playwright.sync_api import sync_playwright

from footsteps.core.tests.browser import CHROMIUM, launch


@pytest.fixture
def browser(monkeypatch):
    """A fresh headless Chromium per test.

    Playwright's sync API keeps an event loop running in this thread, so Django
    would refuse ORM calls made here (set-up and assertions) as "async unsafe".
    They are not: the live server answers from its own thread. The loop lives
    only as long as this fixture, and the variable is restored after it.
    """
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
        # ORM calls made while Playwright's loop ran opened their own connection;
        # close it, or PostgreSQL refuses to drop the test database at the end.
        connections.close_all()
