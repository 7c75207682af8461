"""An integrator reads the API's documentation page, makes a token in the browser and
uses it; the page's own session works too, with its CSRF token, and nothing is blocked
by the content policy (no script from a CDN)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.browser.test_recruitment_e2e import sign_in
from tests.webapp.flows import case_at_approval

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def test_it_documents_the_api_and_a_token_made_in_the_browser_works(
    page, browser, live_server, models_deployed, hr, approver, agency
):
    base = live_server.url
    case = case_at_approval(hr, approver, agency)
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)

    sign_in(page, base, "approver")
    page.goto(f"{base}/api/docs/")
    assert page.locator("[data-testid=operation]").count() >= 19
    assert "POST /api/tasks/{task_id}/complete/" in page.inner_text("main")
    assert "409" in page.inner_text("#tasks_complete_create")

    page.goto(f"{base}/api/token/")
    page.click("main form button[type=submit]")
    key = page.inner_text("[data-testid=token]").strip()
    assert len(key) == 40

    # A system with the token and no session (a fresh context): the approver's inbox.
    system = browser.new_context()
    assert system.request.get(f"{base}/api/inbox/").status == 401
    answer = system.request.get(f"{base}/api/inbox/", headers={"Authorization": f"Token {key}"})
    assert answer.ok
    assert answer.json()["results"][0]["case"]["business_key"] == case.business_key
    system.close()

    # The page's own script with the session: a write without the CSRF token is refused.
    status = page.evaluate(
        """async () => (await fetch('/api/cases/', {method: 'POST',
            headers: {'Content-Type': 'application/json'}, body: '{}'})).status"""
    )
    assert status == 403
    assert not blocked
