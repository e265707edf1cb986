"""Playwright on Debian's Chromium, for the browser journeys and bench/screenshots.py.

The machine has no outside network, so Chromium is the system one (never
`playwright install`) and every background service that would phone home is off.
"""

from collections.abc import Callable

from playwright.sync_api import Browser, Page, Playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def sign_in(
    page: Page, base_url: str, email: str, password: str, code: Callable[[], str] | None = None
) -> None:
    """Sign in through the real allauth forms, as a person would: the password,
    then, when asked (staff: their setting asks for a second step), the code
    their authenticator app shows, from `code()`."""
    page.goto(f"{base_url}/accounts/login/")
    form = page.locator("main form")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    if "/accounts/2fa/authenticate/" not in page.url:
        return
    if code is None:
        raise AssertionError(f"{email} is asked for a second step: pass sign_in a code")
    page.get_by_label("Code from your authenticator app").fill(code())
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
