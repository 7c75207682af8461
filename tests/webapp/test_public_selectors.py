"""The public registry, certificate verification and complaint services on the real database
and the real complaint process (Art. 18)."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import transaction
from django.utils import timezone

from webapp.cases.models import Case
from webapp.errors import StepRefused
from webapp.public.selectors import (
    CertificateStatus,
    ComplaintStage,
    RegistryEntry,
    certificate_check,
    certificate_verify,
    registry_count,
    registry_search,
)
from webapp.public.services import complaint_status, complaint_submit
from webapp.staff.lifecycle import close_certificate
from webapp.staff.models import Certificate, Staff, StaffState

from .flows import drive
from .test_lifecycle_operators import call, case_about, member

pytestmark = pytest.mark.django_db


def serving(agency, hr, seq, name=None) -> Staff:
    staff = member(agency, seq)
    if name:
        Staff.objects.filter(pk=staff.pk).update(name=name)
    # Operators run inside a step's transaction (they lock the member's row); the browser
    # tests call this from autocommit mode, where PostgreSQL would refuse the lock.
    with transaction.atomic():
        call(case_about(staff, hr), "certificate_issue")
    return Staff.objects.get(pk=staff.pk)


def leave(staff: Staff, *, revoke: bool = False) -> None:
    close_certificate(staff, revoke=revoke)
    state = StaffState.DISMISSED if revoke else StaffState.SEPARATED
    Staff.objects.filter(pk=staff.pk).update(state=state)


def number_of(staff: Staff) -> str:
    return Certificate.objects.filter(staff=staff).latest("issued_at").number


def test_it_publishes_exactly_name_unit_number_and_validity():
    assert [f.name for f in dataclasses.fields(RegistryEntry)] == [
        "name",
        "unit",
        "certificate_number",
        "valid",
    ]


def test_it_lists_serving_staff_by_name_unit_and_number(agency, other_agency, hr):
    wang = serving(agency, hr, 1, "王小明")
    serving(other_agency, hr, 2, "李大成")
    assert registry_search("王小") == [
        RegistryEntry(
            name="王小明", unit=agency.name, certificate_number=number_of(wang), valid=True
        )
    ]
    assert {e.name for e in registry_search("金安区")} == {"李大成"}
    assert [e.name for e in registry_search(number_of(wang).lower())] == ["王小明"]
    assert len(registry_search("")) == 2 and registry_count("") == 2
    assert registry_search("nobody-like-this") == []


def test_it_leaves_out_applicants_and_staff_who_left(agency, hr):
    staying = serving(agency, hr, 1, "留任者")
    gone = serving(agency, hr, 2, "离职者")
    fired = serving(agency, hr, 3, "解聘者")
    member(agency, 4)  # hired, not yet certified
    leave(gone)
    leave(fired, revoke=True)
    assert [e.name for e in registry_search("")] == [staying.name]


def test_it_shows_a_suspended_member_as_not_valid(agency, hr):
    staff = serving(agency, hr, 1)
    Certificate.objects.filter(staff=staff).update(state="suspended")
    Staff.objects.filter(pk=staff.pk).update(state=StaffState.SUSPENDED)
    assert registry_search("")[0].valid is False
    assert certificate_check(number_of(staff)).status == CertificateStatus.SUSPENDED


def test_it_pages_the_registry(agency, hr):
    for seq in range(1, 6):
        serving(agency, hr, seq)
    first, second = registry_search("", 3), registry_search("", 3, offset=3)
    assert len(first) == 3 and len(second) == 2
    assert not {e.certificate_number for e in first} & {e.certificate_number for e in second}


def test_it_verifies_valid_revoked_expired_and_unknown_numbers(agency, hr):
    valid, gone, fired = serving(agency, hr, 1), serving(agency, hr, 2), serving(agency, hr, 3)
    leave(gone)
    leave(fired, revoke=True)
    check = certificate_check(f"  {number_of(valid).lower()} ")
    assert check.status == CertificateStatus.VALID and check.entry is not None
    assert check.entry.name == valid.name and check.entry.valid
    assert certificate_check(number_of(gone)) == dataclasses.replace(
        certificate_check(number_of(gone)), status=CertificateStatus.EXPIRED, entry=None
    )
    assert certificate_check(number_of(fired)).status == CertificateStatus.REVOKED
    assert certificate_check("LA-CG-1999-9999").status == CertificateStatus.UNKNOWN
    # Without leaking more: a departed member's number gives no name.
    assert certificate_verify(number_of(gone)) is None
    assert certificate_verify(number_of(fired)) is None
    assert certificate_verify(number_of(valid)) == check.entry


def test_it_opens_a_complaint_case_about_a_unit(models_deployed, agency):
    receipt = complaint_submit(agency=agency, description="执法时态度粗暴，推搡摊主。")
    case = Case.objects.get(definition__process_id="complaint")
    assert case.data["receipt_number"] == receipt and case.subject is None
    assert case.agency == agency and case.started_by is None
    assert case.tasks.get().bpmn_id == "triage"
    status = complaint_status(receipt)
    assert status is not None and status.stage == ComplaintStage.RECEIVED
    assert status.reply == "" and status.unit == agency.name
    assert status.submitted_on == timezone.localdate()


def test_it_opens_a_complaint_about_the_member_holding_a_certificate(
    models_deployed, agency, other_agency, hr
):
    staff = serving(agency, hr, 1)
    complaint_submit(agency=None, certificate_number=number_of(staff), description="态度很差很差。")
    case = Case.objects.get(definition__process_id="complaint")
    assert case.subject == staff and case.agency == agency and case.data["staff_known"]
    with pytest.raises(StepRefused, match=r"Art\. 18"):
        complaint_submit(
            agency=other_agency, certificate_number=number_of(staff), description="态度很差很差。"
        )


def test_it_refuses_bad_complaints_and_opens_nothing(models_deployed, agency, hr, city):
    gone = serving(agency, hr, 1)
    leave(gone)
    text = "足够长的投诉内容。"
    refusals = [
        {"agency": agency, "description": "短"},
        {"agency": agency, "description": "x" * 2001},
        {"agency": agency, "description": text, "contact": "1" * 101},
        {"agency": None, "description": text},
        {"agency": city, "description": text},  # a government employs no one
        {"agency": agency, "description": text, "certificate_number": "LA-X-1"},
        {
            "agency": agency,
            "description": text,
            "certificate_number": number_of(gone),
        },
    ]
    for fields in refusals:
        with pytest.raises(StepRefused):
            complaint_submit(**fields)
    assert not Case.objects.filter(definition__process_id="complaint").exists()


def test_it_follows_a_complaint_to_its_reply(models_deployed, agency, hr, approver):
    receipt = complaint_submit(
        agency=agency, description="占道经营处理不公。", contact="a@example.org", name="张三"
    )
    case = Case.objects.get(definition__process_id="complaint")
    drive(case, [("triage", {"triage_decision": "accept", "triage_reason": ""})], hr, approver)
    assert complaint_status(receipt).stage == ComplaintStage.INVESTIGATING
    drive(
        case,
        [("investigate_complaint", {"complaint_findings": "属实", "substantiated": True})],
        hr,
        approver,
    )
    assert complaint_status(receipt).stage == ComplaintStage.REPLYING
    drive(case, [("reply_complainant", {"complaint_reply": "已批评教育并整改。"})], hr, approver)
    status = complaint_status(receipt.lower())
    assert status.stage == ComplaintStage.REPLIED and status.reply == "已批评教育并整改。"
    assert status.replied_on == timezone.localdate()
    # Nothing personal: no complainant, contact, staff or findings on the status.
    shown = " ".join(str(v) for v in dataclasses.asdict(status).values())
    assert "张三" not in shown and "example.org" not in shown and "属实" not in shown


def test_it_tells_an_out_of_scope_complaint_why(models_deployed, agency, hr, approver):
    receipt = complaint_submit(agency=agency, description="邻居装修噪音太大。")
    drive(
        Case.objects.get(),
        [("triage", {"triage_decision": "reject_out_of_scope", "triage_reason": "不属于辅助人员"})],
        hr,
        approver,
    )
    status = complaint_status(receipt)
    assert status.stage == ComplaintStage.NOT_ACCEPTED
    assert "不属于辅助人员" in status.reply and "Art. 18" in status.reply


def test_it_knows_no_receipt_it_did_not_issue(models_deployed, agency):
    receipt = complaint_submit(agency=agency, description="执法时态度粗暴。")
    assert complaint_status(receipt[:-1] + ("0" if receipt[-1] != "0" else "1")) is None
    assert complaint_status("") is None and complaint_status("' OR 1=1 --") is None
