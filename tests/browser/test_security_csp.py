"""The Content-Security-Policy (scripts from our origin only, never inline) leaves every
interactive page working: the language switch (fuzhi.js), the case diagram (bpmn-js
viewer), the designer (bpmn-js/dmn-js modeler), the report charts (ECharts). The browser
reports each blocked resource as a ``securitypolicyviolation`` event; there must be none.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from tests.fixtures import PASSWORD
from tests.webapp.flows import case_at_approval
from webapp.accounts.models import Membership
from webapp.accounts.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")


def violations(page: Any) -> list[str]:
    return list(page.evaluate("window.__csp || []"))


def test_no_page_is_blocked_by_the_content_security_policy(
    page, live_server, hr, approver, auditor, agency, city, models_deployed
):
    designer = get_user_model().objects.create_user("csp_designer", password=PASSWORD)
    Membership.objects.create(user=designer, agency=city, role=Role.DESIGNER)
    case = case_at_approval(hr, approver, agency)
    page.add_init_script(LISTEN)
    seen: list[str] = []
    page.on(
        "console",
        lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None,
    )
    base = live_server.url

    sign_in(page, base, "hr")
    # The language switch used to be an inline onchange; now fuzhi.js submits it.
    page.select_option("select[name=language]", "en")
    page.wait_for_selector("html[lang=en]")
    page.select_option("select[name=language]", "zh-hans")
    page.wait_for_selector("html[lang=zh-hans]")
    assert violations(page) == []

    page.goto(f"{base}/cases/{case.pk}/")
    page.wait_for_selector("[data-testid=diagram][data-ready=true]")
    assert page.locator("[data-testid=diagram] .djs-container svg").count() >= 1
    assert violations(page) == []

    page.context.clear_cookies()
    sign_in(page, base, "csp_designer")
    from webapp.designer.services import draft_open

    draft = draft_open(process_id="recruitment", user=designer)
    page.goto(f"{base}/designer/")
    page.goto(f"{base}/designer/drafts/{draft.pk}/")
    page.wait_for_selector("[data-designer-editor][data-ready=true]")
    assert page.locator(".djs-container").count() >= 1
    assert violations(page) == []

    page.context.clear_cookies()
    sign_in(page, base, "auditor")
    page.goto(f"{base}/reports/")
    page.wait_for_selector("[data-chart][data-chart-ready=true] canvas")
    assert violations(page) == []
    assert seen == []

    # The control: an injected inline script is blocked, and the listener sees it.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_function("window.__csp.length > 0")
    assert page.evaluate("window.__ran") is None
    assert violations(page)[0].startswith("script-src")
