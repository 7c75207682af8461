"""Audit log, sign-in throttle, headers, cookies, CSRF and password hashing."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import ROOT
from webapp.accounts.models import Grant, Membership
from webapp.accounts.roles import Role
from webapp.security import services
from webapp.security.models import AuditAction, AuditEntry
from webapp.security.services import audit_record

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str = PASSWORD, ip: str = "10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


def test_sign_in_failure_and_sign_out_are_logged_with_the_address(client, hr):
    assert login(client, "hr", "wrong").status_code == 200
    assert login(client, "hr").status_code == 302
    client.post(reverse("logout"), REMOTE_ADDR="10.0.0.1")
    failed, ok, out = AuditEntry.objects.filter(
        action__in=["login_failed", "login", "logout"]
    ).order_by("id")
    assert (failed.action, failed.login_key, failed.ip, failed.actor) == (
        "login_failed",
        "hr",
        "10.0.0.1",
        None,
    )
    assert "wrong" not in str(failed.detail)  # the password is never stored
    assert (ok.action, ok.actor, ok.ip) == ("login", hr, "10.0.0.1")
    assert (out.action, out.actor) == ("logout", hr)


def test_permission_changes_are_logged_with_who_made_them(client, agency, hr):
    first = AuditEntry.objects.count()
    admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
    target = get_user_model().objects.create_user("newbie", password=PASSWORD)
    membership = Membership.objects.create(user=target, agency=agency, role=Role.APPROVER)
    membership.role = Role.LEGAL_REVIEWER
    membership.save()
    membership.delete()
    grant = Grant.objects.create(user=target, agency=agency)
    grant.delete()
    target.is_staff = True
    target.save()
    target.last_name = "unchanged flags"
    target.save()  # no flag changed: no line
    group = Group.objects.create(name="clerks")
    target.groups.add(group)
    target.groups.remove(group)
    entries = list(AuditEntry.objects.order_by("id")[first:])
    assert [(e.action, e.target.split(" ")[0]) for e in entries] == [
        ("user_flags", "root"),
        ("membership_added", "newbie"),
        ("membership_changed", "newbie"),
        ("membership_removed", "newbie"),
        ("grant_added", "newbie"),
        ("grant_removed", "newbie"),
        ("user_flags", "newbie"),
        ("user_groups", "newbie"),
        ("user_groups", "newbie"),
    ]
    assert entries[0].detail == {"is_staff": [None, True], "is_superuser": [None, True]}
    assert entries[2].detail["before"]["role"] == Role.APPROVER
    assert entries[2].detail["role"] == Role.LEGAL_REVIEWER
    assert entries[6].detail == {"is_staff": [False, True]}
    assert [e.detail for e in entries[7:]] == [
        {"added": ["clerks"], "field": "groups"},
        {"removed": ["clerks"], "field": "groups"},
    ]
    # Changed through a request (the admin), the line names the signed-in administrator.
    client.force_login(admin)
    response = client.post(
        reverse("admin:auth_user_change", args=[target.pk]),
        {
            "username": "newbie",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-11-27",
            "date_joined_1": "10:00:00",
            "initial-date_joined_0": "2026-11-27",
            "initial-date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    last = AuditEntry.objects.filter(action="user_flags").latest("id")
    assert (last.actor, last.target, last.detail) == (
        admin,
        "newbie",
        {"is_superuser": [False, True]},
    )


def test_a_membership_saved_with_nothing_changed_writes_no_line(hr):
    membership = Membership.objects.get(user=hr)
    first = AuditEntry.objects.count()
    fields = ("user_id", "agency_id", "role")
    services.audit_remember_old(model=Membership, instance=membership, fields=fields)
    services.audit_membership_saved(membership=membership, created=False)
    assert AuditEntry.objects.count() == first
    membership.role = Role.APPROVER
    services.audit_membership_saved(membership=membership, created=False)
    line = AuditEntry.objects.latest("id")
    assert (line.action, line.detail["before"]["role"]) == ("membership_changed", Role.HR_OFFICER)


def test_a_locked_sign_in_is_logged_once_a_minute_per_name_and_address(hr):
    for _ in range(3):
        services.audit_login_locked(username="HR", ip="10.0.0.9")
    services.audit_login_locked(username="hr", ip="10.0.0.8")
    locked = AuditEntry.objects.filter(action=AuditAction.LOGIN_LOCKED)
    assert sorted(locked.values_list("login_key", "ip")) == [
        ("hr", "10.0.0.8"),
        ("hr", "10.0.0.9"),
    ]


def test_each_deploy_is_logged_once_with_its_version(models_deployed):
    deploys = AuditEntry.objects.filter(action=AuditAction.DEPLOY)
    assert deploys.count() == len(models_deployed)
    first = deploys.order_by("id").first()
    assert first is not None
    assert {"process", "version", "content_hash"} <= set(first.detail)
    # Redeploying the same files is no new version and no new line.
    from tests.conftest import BPMN_DIR
    from webapp.cases.definitions import deploy_directory

    deploy_directory(BPMN_DIR)
    assert AuditEntry.objects.filter(action=AuditAction.DEPLOY).count() == len(models_deployed)


def test_audit_entries_cannot_be_changed_or_deleted(hr):
    entry = audit_record(hr, AuditAction.OTHER, "x")
    entry.target = "y"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_the_throttle_refuses_even_the_right_password_after_five_failures(client, hr, approver):
    for _ in range(5):
        response = login(client, "hr", "wrong")
        assert response.status_code == 200
        assert "用户名或密码错误" in response.content.decode()
    response = login(client, "hr")  # the right password, refused
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    text = response.content.decode()
    assert re.search(r"15\s*分钟|15 minutes", text), text[:2000]
    assert AuditEntry.objects.filter(action="login_locked", login_key="hr").count() == 1
    for _ in range(10):  # hammering a locked account adds no more lines this minute
        assert login(client, "hr").status_code == 200
    assert AuditEntry.objects.filter(action="login_locked", login_key="hr").count() == 1
    # Another account from another address is not affected...
    assert login(Client(), "approver", ip="10.0.0.2").status_code == 302
    # ...and after the window the owner gets in again.
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert login(Client(), "hr").status_code == 302


def test_the_throttle_counts_per_address_across_names(client, hr):
    for n in range(20):
        login(client, f"guess{n}", "wrong", ip="10.9.9.9")
    assert login(Client(), "hr", ip="10.9.9.9").status_code == 200
    assert login(Client(), "hr", ip="10.9.9.8").status_code == 302


def test_a_success_resets_the_count_for_that_name(client, hr):
    for _ in range(4):
        login(client, "hr", "wrong")
    assert login(Client(), "hr").status_code == 302
    for _ in range(4):
        login(client, "hr", "wrong")
    assert login(Client(), "hr").status_code == 302


def test_the_audit_log_page_is_for_auditors_only(client, hr, auditor):
    login(Client(), "hr", "wrong")
    client.force_login(auditor)
    response = client.get(reverse("security:audit_log"), {"action": "login_failed"})
    assert response.status_code == 200
    assert 'data-testid="nav-audit-log"' in response.content.decode()
    assert 'data-action="login_failed"' in response.content.decode()
    assert 'data-action="membership_added"' not in response.content.decode()
    hr_client = Client()
    hr_client.force_login(hr)
    assert hr_client.get(reverse("security:audit_log")).status_code == 403
    assert (
        'data-testid="nav-audit-log"' not in hr_client.get(reverse("inbox:index")).content.decode()
    )
    anonymous = Client().get(reverse("security:audit_log"))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    # Read-only: the page accepts no writes.
    assert client.post(reverse("security:audit_log")).status_code == 405


def test_passwords_are_hashed_with_argon2_and_old_hashes_upgrade_at_sign_in(client, hr):
    assert hr.password.startswith("argon2$argon2id$")
    legacy = get_user_model().objects.create(
        username="legacy", password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )
    assert legacy.password.startswith("pbkdf2_sha256$")
    assert login(client, "legacy").status_code == 302
    legacy.refresh_from_db()
    assert legacy.password.startswith("argon2$")


def test_security_headers_and_cookies(client, hr):
    response = login(client, "hr")
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    page = client.get(reverse("inbox:index"))
    assert page.status_code == 200
    csp = page["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-eval" not in csp
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"
    assert page["Cross-Origin-Opener-Policy"] == "same-origin"
    # No inline script and no inline event handler on the page: the CSP would block them.
    html = page.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert "/static/fuzhi.js" in html


def test_csrf_is_enforced_on_sign_in_and_on_steps(hr):
    strict = Client(enforce_csrf_checks=True)
    assert (
        strict.post(reverse("login"), {"username": "hr", "password": PASSWORD}).status_code == 403
    )
    strict.force_login(hr)
    assert strict.post(reverse("delegations"), {}).status_code == 403


def test_check_deploy_is_clean_with_the_production_environment():
    env = {
        # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their own process only.
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "HTTPS": "1",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "fuzhi.example.cn",
        "DJANGO_SETTINGS_MODULE": "webapp.config.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Without HTTPS the same check names what is missing (so production cannot skip it).
    env["HTTPS"] = "0"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECURE_HSTS_SECONDS" in result.stderr + result.stdout


def test_behind_the_proxy_the_throttle_counts_the_address_the_proxy_saw(client, hr, settings):
    settings.FUZHI_TRUSTED_PROXIES = 1
    for n in range(20):
        client.post(
            reverse("login"),
            {"username": f"guess{n}", "password": "x"},
            REMOTE_ADDR="10.0.0.254",  # the proxy
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.9",  # spoofed first hop, real last
        )
    entry = AuditEntry.objects.filter(action="login_failed").latest("id")
    assert entry.ip == "203.0.113.9"
    blocked = Client().post(
        reverse("login"),
        {"username": "hr", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.254",
        HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.9",
    )
    assert blocked.status_code == 200  # the same client, whatever it claims first
    other = Client().post(
        reverse("login"),
        {"username": "hr", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.254",
        HTTP_X_FORWARDED_FOR="203.0.113.10",
    )
    assert other.status_code == 302  # another client behind the same proxy gets in


def test_a_malformed_forwarded_address_is_ignored(client, hr, settings):
    settings.FUZHI_TRUSTED_PROXIES = 1
    response = client.post(
        reverse("login"),
        {"username": "hr", "password": "wrong"},
        REMOTE_ADDR="10.0.0.254",
        HTTP_X_FORWARDED_FOR="not-an-address",
    )
    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="login_failed").latest("id").ip == "10.0.0.254"


def test_a_nul_in_the_sign_in_name_is_refused_cleanly(client, hr):
    # PostgreSQL cannot store NUL: it must be refused by the form, not crash the audit line.
    response = login(client, "hr\x00", "wrong")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
