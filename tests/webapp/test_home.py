"""Where each user lands, and the archive page's way to its exports."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from webapp.accounts.models import Membership
from webapp.accounts.roles import Role
from webapp.staff.models import Staff

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_auditors_land_on_case_search_and_approvers_on_their_inbox(client, auditor, approver):
    client.login(username=auditor.username, password=PASSWORD)
    assert client.get(reverse("home"))["Location"] == reverse("audit:search")
    client.login(username=approver.username, password=PASSWORD)
    assert client.get(reverse("home"))["Location"] == reverse("inbox:index")


def test_a_designer_lands_in_the_designer_and_a_designer_with_tasks_in_the_inbox(client, agency):
    designer = get_user_model().objects.create_user("d1", password=PASSWORD)
    Membership.objects.create(user=designer, agency=agency, role=Role.DESIGNER)
    client.login(username="d1", password=PASSWORD)
    assert client.get(reverse("home"))["Location"] == reverse("designer:index")
    Membership.objects.create(user=designer, agency=agency, role=Role.APPROVER)
    assert client.get(reverse("home"))["Location"] == reverse("inbox:index")


def test_the_archive_page_links_its_pdf_and_excel_exports(client, hr, agency):
    from tests.fixtures import make_id

    staff = Staff.objects.create(
        name="成员1",
        id_number=make_id(date(1990, 1, 1), 1),
        birth_date=date(1990, 1, 1),
        education="college",
        agency=agency,
        post="协管员",
    )
    client.login(username=hr.username, password=PASSWORD)
    page = client.get(reverse("staff:detail", args=[staff.pk])).content.decode()
    pdf_url = reverse("audit:archive_pdf", args=[staff.pk])
    assert pdf_url in page and reverse("audit:archive_xlsx", args=[staff.pk]) in page
    response = client.get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_the_sign_in_page_leads_citizens_to_the_registry_and_complaints(client):
    page = client.get(reverse("login")).content.decode()
    assert reverse("public:registry") in page and reverse("public:complaint_new") in page


def test_signing_in_leads_an_auditor_to_case_search(client, auditor):
    response = client.post(
        reverse("login"), {"username": auditor.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("audit:search")
