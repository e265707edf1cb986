"""Screenshot every main page, as a manager, a practitioner and a parent, at phone
and tablet sizes, for a visual review. Also reports pages wider than the screen
and console errors (anything the Content Security Policy blocked, files
that failed to load).

Start a server with the demo data first (a separate FOOTSTEPS_VAR_DIR keeps var/
untouched):

    export FOOTSTEPS_VAR_DIR=/tmp/shots DEBUG=true TASKS_BACKEND=immediate
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo
    .venv/bin/python manage.py runserver 127.0.0.1:8011 &
    .venv/bin/python bench/screenshots.py http://127.0.0.1:8011

Usage: .venv/bin/python bench/screenshots.py [URL] [--out DIR]
The PNGs go to test-artifacts/screens/ (gitignored), named role-page-size.png.
"""

import argparse
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from footsteps.core.demo_accounts import DEMO_APP_KEY, DEMO_PASSWORD, app_code  # noqa: E402
from footsteps.core.tests.browser import launch, sign_in  # noqa: E402

SIZES = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 820, "height": 1180}}


def first_href(page: Page, selector: str) -> str:
    return page.locator(selector).first.get_attribute("href")


def manager_pages(page: Page, base: str):
    yield "children", "/children/"
    page.goto(base + "/children/")
    child = first_href(page, "main table a")
    yield "child-journal", child
    yield "child-edit", child + "edit/"
    yield "child-transfer", child + "transfer/"
    yield "child-subject-access", child + "subject-access/"
    yield "transfer-import", "/transfers/import/"
    yield "child-new", "/children/new/"
    page.goto(base + child)
    observation = first_href(page, "article.entry h2 a")
    yield "observation", observation
    yield "observation-history", observation + "history/"
    yield "review", "/review/"
    yield "monitoring", "/monitoring/"
    yield "observation-list", "/observations/"
    yield "staff", "/manage/staff/"
    page.goto(base + "/manage/staff/")
    yield "staff-person", first_href(page, "main table tbody tr:nth-child(2) a")
    yield "staff-invite", "/manage/staff/invite/"
    yield "parents", "/manage/parents/"
    page.goto(base + "/manage/parents/")
    parent = first_href(page, "main table a")
    yield "parent-person", parent
    yield "parent-details", parent + "details/"
    yield "parent-invite", "/manage/parents/invite/"
    yield "setting", "/manage/setting/"
    yield "agreements", "/manage/agreements/"
    yield "audit", "/manage/audit/"
    yield "sign-in-rules", "/manage/access/"
    yield "support", "/manage/support/"
    yield "tablets", "/manage/tablets/"
    yield "deleted", "/manage/deleted/"
    yield "account", "/account/preferences/"
    yield "api-keys", "/account/api-keys/"
    yield "sessions", "/account/sessions/"
    yield "password", "/accounts/password/change/"
    yield "email-change", "/account/email/"
    yield "second-step", "/accounts/2fa/"
    yield "recovery-codes", "/accounts/2fa/recovery-codes/new/"
    yield "remove-app", "/accounts/2fa/totp/deactivate/"
    yield "check-again", "/accounts/reauthenticate/"


def practitioner_pages(page: Page, base: str):
    yield "key-children", "/key-children/"
    yield "children", "/children/"
    yield "new-observation", "/observations/new/"
    page.goto(base + "/key-children/")
    child = first_href(page, "main table a")
    yield "child-journal", child
    page.goto(base + child)
    observation = first_href(page, "article.entry:has-text('by Priya Shah') h2 a")
    yield "observation", observation
    yield "observation-edit", observation + "edit/"
    yield "tablet-pin", "/account/tablet-pin/"
    yield "account", "/account/preferences/"


def parent_pages(page: Page, base: str):
    yield "journal", "/journal/"
    page.goto(base + "/journal/")
    yield "observation", first_href(page, "article.entry h2 a")
    yield "add-from-home", "/journal/add/"
    yield "account", "/account/preferences/"
    yield "email-change", "/account/email/"
    yield "second-step", "/accounts/2fa/"
    yield "set-up-app", "/accounts/2fa/totp/activate/"
    yield "add-passkey", "/accounts/2fa/webauthn/add/"


def anonymous_pages(page: Page, base: str):
    yield "sign-in", "/accounts/login/"
    yield "password-reset", "/accounts/password/reset/"
    yield "bad-invitation", "/invite/not-a-real-token/", 404


PEOPLE = [
    ("anonymous", None, anonymous_pages),
    ("manager", "manager@demo.test", manager_pages),
    ("practitioner", "practitioner@demo.test", practitioner_pages),
    ("parent", "parent.amy@demo.test", parent_pages),
]


def watch_console(message, page: Page, problems: list[str]) -> None:
    """Console errors, such as CSP violations (failed loads are watched below)."""
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        problems.append(f"{page.url}: {message.text}")


def watch_response(response, problems: list[str]) -> None:
    """Stylesheets, scripts and images that fail (pages are checked one by one)."""
    if response.status >= 400 and response.request.resource_type != "document":
        problems.append(f"{response.url} answered {response.status}")


def shoot(page: Page, out: Path, name: str, problems: list[str]) -> None:
    for size_name, size in SIZES.items():
        page.set_viewport_size(size)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            problems.append(f"{name} ({size_name}): {overflow}px wider than the screen")
        page.screenshot(path=out / f"{name}-{size_name}.png", full_page=True)


def shot_then_code(page: Page, role: str, out: Path):
    """For sign-in's second step (staff): its page, then the demo app's code."""

    def code() -> str:
        shoot(page, out, f"{role}-sign-in-second-step", [])
        return app_code(DEMO_APP_KEY)

    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=ROOT / "test-artifacts" / "screens")
    args = parser.parse_args()
    base = args.url.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    count = 0
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for role, email, pages in PEOPLE:
            context = browser.new_context(viewport=SIZES["phone"])
            page = context.new_page()
            page.on("console", lambda message, page=page: watch_console(message, page, problems))
            page.on("response", lambda response: watch_response(response, problems))
            if email:
                sign_in(page, base, email, DEMO_PASSWORD, code=shot_then_code(page, role, args.out))
            for name, path, *expected in list(pages(page, base)):
                response = page.goto(base + path)
                status = response.status if response else None
                if status != (expected[0] if expected else 200):
                    problems.append(f"{role}-{name}: {path} answered {status}")
                shoot(page, args.out, f"{role}-{name}", problems)
                count += 1
            context.close()
        browser.close()
    print(f"{count} pages, {count * len(SIZES)} screenshots in {args.out}")
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
