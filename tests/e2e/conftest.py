"""Real-browser tests: Playwright's sync API driving Debian's chromium against ``live_server``.

Without /usr/bin/chromium they are skipped with the reason printed, except under CI=true, where
a missing browser is a failure (CI must run them). Never ``playwright install``: the browser is
Debian's (``apt-get install chromium``).
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "e2e-password-1"


@pytest.fixture(scope="module")
def browser():
    """One chromium per test module.

    Playwright's sync API keeps an asyncio event loop running in the test thread while it is
    started, and Django then refuses the tests' own ORM calls (SynchronousOnlyOperation), though
    they are plain synchronous code. DJANGO_ALLOW_ASYNC_UNSAFE allows them, only while this
    module's browser runs: Playwright is stopped (and the variable removed) at the module's end,
    so the rest of the suite keeps Django's protection.
    """
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run the browser tests.", pytrace=False)
        print(f"\nSkipping the browser tests: {reason}.")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def log_in(page, user_factory):
    """``log_in(username, perms)``: a user in a role with these rights, logged in by the form."""

    def log_in(username: str, perms: list[str]):
        user = user_factory(username, perms)
        user.set_password(PASSWORD)
        user.save()
        page.goto("/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        return user

    return log_in
