"""The auxiliary staff member and the lifecycle the regulation gives them.

States change only through the transitions below, called by operators inside a case
step (webapp.cases.operators); the field is protected so nothing can assign it.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from webapp.accounts.models import Agency

from .idcard import mask_address, mask_id_number, mask_phone, parse_resident_id


class StaffState(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    REJECTED = "rejected", _("Not hired")
    HIRED = "hired", _("Hired (awaiting training)")
    ON_DUTY = "on_duty", _("On duty")
    SUSPENDED = "suspended", _("Suspended")
    SEPARATED = "separated", _("Separated")
    DISMISSED = "dismissed", _("Dismissed")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Education(models.TextChoices):
    BELOW_COLLEGE = "below_college", _("Below junior college")
    COLLEGE = "college", _("Junior college (大专)")
    BACHELOR = "bachelor", _("Bachelor")
    MASTER = "master", _("Master")
    DOCTOR = "doctor", _("Doctor")


class EmploymentMode(models.TextChoices):
    # Art. 9: unit employment or labour dispatch.
    UNIT = "unit", _("Unit employment")
    DISPATCH = "dispatch", _("Labour dispatch")


class Staff(ConcurrentTransitionMixin, models.Model):
    name = models.CharField(_("full name"), max_length=50)
    id_number = models.CharField(_("resident ID number"), max_length=18, unique=True)
    gender = models.CharField(_("gender"), max_length=6, blank=True, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    education = models.CharField(_("education"), max_length=16, choices=Education.choices)
    veteran = models.BooleanField(_("veteran (Art. 10 preference)"), default=False)
    bravery = models.BooleanField(_("recognised for bravery (Art. 10 preference)"), default=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="staff")
    post = models.CharField(_("post"), max_length=60)
    employment_mode = models.CharField(
        _("employment mode (Art. 9)"), max_length=10, choices=EmploymentMode.choices, blank=True
    )
    dispatch_company = models.CharField(_("dispatch company"), max_length=100, blank=True)
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    social_insurance = models.BooleanField(_("social insurance (Art. 16)"), default=False)
    housing_fund = models.BooleanField(_("housing fund (Art. 16)"), default=False)
    grade = models.CharField(_("grade (Art. 18)"), max_length=20, blank=True)
    state = FSMField(
        _("state"), default=StaffState.APPLICANT, choices=StaffState.choices, protected=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("auxiliary staff member")
        verbose_name_plural = _("auxiliary staff")
        indexes = [models.Index(fields=["agency", "state"], name="staff_agency_state")]

    def __str__(self) -> str:
        return self.name

    @property
    def id_masked(self) -> str:
        # Art. 15(4): personal data is shown masked to roles that do not need it.
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone) if self.phone else ""

    @property
    def address_masked(self) -> str:
        return mask_address(self.address) if self.address else ""

    def age_on(self, day: date) -> int:
        return parse_resident_id(self.id_number).age_on(day)

    # Transitions: each called only by an operator inside a case step.

    @transition(field=state, source=StaffState.APPLICANT, target=StaffState.HIRED)
    def hire(self) -> None:
        """Art. 10, 11: passed recruitment."""

    @transition(field=state, source=StaffState.APPLICANT, target=StaffState.REJECTED)
    def reject(self) -> None:
        """Art. 10, 11: not eligible, disqualified or not selected."""

    @transition(field=state, source=StaffState.HIRED, target=StaffState.ON_DUTY)
    def certify(self) -> None:
        """Art. 19: passed pre-job training, certificate issued."""

    @transition(field=state, source=StaffState.ON_DUTY, target=StaffState.SUSPENDED)
    def suspend(self) -> None:
        """Art. 23: suspended pending a decision."""

    @transition(field=state, source=StaffState.SUSPENDED, target=StaffState.ON_DUTY)
    def reinstate(self) -> None:
        """Reinstated after suspension."""

    @transition(
        field=state,
        source=[StaffState.HIRED, StaffState.ON_DUTY, StaffState.SUSPENDED],
        target=StaffState.SEPARATED,
    )
    def separate(self) -> None:
        """Art. 20, 21: resignation, contract end, non-renewal, failed training."""

    @transition(
        field=state, source=[StaffState.ON_DUTY, StaffState.SUSPENDED], target=StaffState.DISMISSED
    )
    def dismiss(self) -> None:
        """Art. 20, 23: failed assessment or serious violation."""


class CertificateState(models.TextChoices):
    ISSUED = "issued", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    RECOVERED = "recovered", _("Recovered")


class Certificate(models.Model):
    """辅助行政执法证件 (Art. 19): one unified number, unique city-wide."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="certificates")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    year = models.PositiveIntegerField()
    serial = models.PositiveIntegerField()
    state = FSMField(_("state"), default=CertificateState.ISSUED, choices=CertificateState.choices)
    issued_at = models.DateTimeField(_("issued at"))
    # Art. 21: the physical card was handed back (recorded before separation or dismissal).
    returned_at = models.DateTimeField(_("handed back at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("revoked or recovered at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "serial"], name="certificate_serial"),
            # At most one certificate in force per person.
            models.UniqueConstraint(
                fields=["staff"],
                condition=models.Q(state__in=["issued", "suspended"]),
                name="certificate_one_in_force",
            ),
        ]
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.number

    @property
    def is_valid(self) -> bool:
        return bool(self.state == CertificateState.ISSUED)

    @transition(field=state, source=CertificateState.ISSUED, target=CertificateState.SUSPENDED)
    def suspend(self) -> None:
        """Suspended with the member (Art. 23)."""

    @transition(field=state, source=CertificateState.SUSPENDED, target=CertificateState.ISSUED)
    def restore(self) -> None:
        """Valid again when the member is reinstated."""

    @transition(
        field=state,
        source=[CertificateState.ISSUED, CertificateState.SUSPENDED],
        target=CertificateState.REVOKED,
    )
    def revoke(self) -> None:
        """Art. 23: revoked on termination for a serious breach."""

    @transition(
        field=state,
        source=[CertificateState.ISSUED, CertificateState.SUSPENDED],
        target=CertificateState.RECOVERED,
    )
    def recover(self) -> None:
        """Art. 21: handed back on departure."""


class CertificateSequence(models.Model):
    """The last serial issued per agency and year; locked while a number is drawn."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="certificate_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.last}"


class MarkKind(models.TextChoices):
    BADGE = "badge", _("Badge")
    ARMBAND = "armband", _("Armband")


class Mark(models.Model):
    """标识 (Art. 21): issued on taking up duty, recovered on departure."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="marks")
    kind = models.CharField(_("kind"), max_length=10, choices=MarkKind.choices)
    issued_at = models.DateTimeField(_("issued at"))
    recovered_at = models.DateTimeField(_("recovered at"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "-issued_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.staff}"


class Duty(models.TextChoices):
    # Art. 14(1): may be done alone.
    CLERICAL = "clerical", _("Clerical work")
    TECHNICAL = "technical", _("Technical work")
    SUPPORT = "support", _("Support work")
    PUBLICITY = "publicity", _("Publicising laws and policies")
    # Art. 14(2): only assisting a named enforcement officer.
    INSPECTION_PATROL = "inspection_patrol", _("Inspection and patrol")
    DISSUASION = "dissuasion", _("Dissuading and stopping violations")
    SITE_ORDER = "site_order", _("Keeping order on site")
    INVESTIGATION_EVIDENCE = "investigation_evidence", _("Assisting investigation and evidence")
    SERVING_DOCUMENTS = "serving_documents", _("Serving legal documents")
    URGING_CORRECTION = "urging_correction", _("Urging correction of violations")
    OTHER_ASSIGNED = "other_assigned", _("Other assigned auxiliary work")
    # Art. 14: never.
    CASE_FILING = "case_filing", _("Filing cases")
    CASE_ACCEPTANCE = "case_acceptance", _("Accepting cases")
    INVESTIGATION_ALONE = "investigation_alone", _("Investigating alone")
    LEGAL_REVIEW = "legal_review", _("Legal review")
    COERCIVE_MEASURES = "coercive_measures", _("Administrative coercive measures")
    ENFORCEMENT_DECISION = "enforcement_decision", _("Enforcement decisions")


class DutyAssignment(models.Model):
    """A duty assigned to an on-duty member, checked against Art. 13, 14 and 19."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="duties")
    duty = models.CharField(_("duty"), max_length=30, choices=Duty.choices)
    scope = models.CharField(_("scope"), max_length=15)
    officer_name = models.CharField(_("enforcement officer"), max_length=50, blank=True)
    officer_certificate = models.CharField(
        _("officer's enforcement certificate"), max_length=40, blank=True
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-assigned_at"]

    def __str__(self) -> str:
        return f"{self.staff} · {self.get_duty_display()}"


class GradeChange(models.Model):
    """A change of a member's category and level (分类分级, Art. 18), kept in the archive."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="grade_changes")
    grade_before = models.CharField(_("grade before"), max_length=20, blank=True)
    grade_after = models.CharField(_("grade after"), max_length=20)
    reason = models.CharField(_("reason"), max_length=200)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.staff} · {self.grade_before} → {self.grade_after}"


class MemberAccount(models.Model):
    """A member's own sign-in (Art. 12): made at hiring, with no password until the agency's
    HR officer issues a one-time one; the first sign-in must replace it."""

    staff = models.OneToOneField(Staff, on_delete=models.PROTECT, related_name="account")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="member_account"
    )
    must_change_password = models.BooleanField(_("must change the password"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("member's account")

    def __str__(self) -> str:
        return f"{self.user} → {self.staff}"
