"""One sign-in policy on every path (issue 19): a name locked on /login/ stays locked on
/admin/login/ and anywhere else a password is checked, and the other way round."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory, override_settings
from django.urls import clear_url_caches, reverse

from webapp.config import urls
from webapp.security.models import AuditEntry

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

IP = "10.0.0.7"


@pytest.fixture
def staff_hr(hr: Any) -> Any:
    hr.is_staff = True
    hr.is_superuser = True
    hr.save()
    return hr


def page_login(client: Client, password: str) -> Any:
    return client.post(reverse("login"), {"username": "hr", "password": password}, REMOTE_ADDR=IP)


def admin_login(client: Client, password: str) -> Any:
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "hr", "password": password, "next": "/admin/"},
        REMOTE_ADDR=IP,
    )


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_a_name_locked_on_the_sign_in_page_stays_locked_on_the_admin(staff_hr: Any) -> None:
    client = Client()
    for _ in range(5):
        page_login(client, "wrong")
    for _ in range(25):
        assert admin_login(client, "wrong").status_code == 200
    response = admin_login(client, PASSWORD)  # the right password

    assert response.status_code == 200 and not signed_in(client)
    assert "分钟后再试" in response.content.decode()
    assert AuditEntry.objects.filter(action="login_locked", login_key="hr").exists()


def test_guesses_on_the_admin_lock_the_sign_in_page(staff_hr: Any) -> None:
    client = Client()
    for _ in range(5):
        admin_login(client, "wrong")
    assert AuditEntry.objects.filter(action="login_failed", login_key="hr").count() == 5

    assert page_login(client, PASSWORD).status_code == 200
    assert not signed_in(client)


def test_an_unlocked_staff_member_signs_in_to_the_admin(staff_hr: Any) -> None:
    client = Client()
    assert admin_login(client, PASSWORD).status_code == 302
    assert signed_in(client)


def test_every_password_check_refuses_a_locked_name(staff_hr: Any) -> None:
    request = RequestFactory().post("/anywhere/", REMOTE_ADDR=IP)
    for _ in range(5):
        assert authenticate(request, username="hr", password="wrong") is None
    assert authenticate(request, username="hr", password=PASSWORD) is None
    other = RequestFactory().post("/anywhere/", REMOTE_ADDR="10.0.0.8")
    assert authenticate(other, username="hr", password=PASSWORD) is None, "locked by name"


def test_the_admin_can_be_taken_off() -> None:
    try:
        with override_settings(FUZHI_ADMIN=False):
            clear_url_caches()
            routes = [str(p.pattern) for p in importlib.reload(urls).urlpatterns]
            assert "admin/" not in routes
    finally:
        clear_url_caches()
        importlib.reload(urls)
    assert "admin/" in [str(p.pattern) for p in urls.urlpatterns]
