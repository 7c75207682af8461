"""What the processes leave in an agency's archive (一人一档, Art. 18).

Each row is written by an operator inside the case step that decided it and points
back to that case, so the archive and the case history always agree. The case is named
by its label ("cases.Case"): ``records`` sits below ``cases`` and imports nothing of it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from webapp.accounts.models import Agency
from webapp.staff.models import Staff


class Grade(models.TextChoices):
    # Art. 20: the annual assessment result.
    EXCELLENT = "excellent", _("Excellent")
    COMPETENT = "competent", _("Competent")
    BASICALLY_COMPETENT = "basically_competent", _("Basically competent")
    INCOMPETENT = "incompetent", _("Incompetent")


class Assessment(models.Model):
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="assessments")
    year = models.PositiveIntegerField(_("year"))
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices)
    remarks = models.TextField(_("remarks"), blank=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["staff", "year"], name="assessment_once_a_year")
        ]
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.staff} {self.year} {self.get_grade_display()}"


class Commendation(models.Model):
    """Art. 17: outstanding staff are commended and rewarded."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="commendations")
    title = models.CharField(_("title"), max_length=60)
    level = models.CharField(_("level"), max_length=30, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.staff} {self.title}"


class DisciplineDecision(models.TextChoices):
    # Art. 23: criticism and correction; termination with the certificate revoked; a crime
    # to the judicial authorities. Art. 15: or no prohibited act was found.
    CRITICISM = "criticism", _("Criticised and educated, ordered to correct (Art. 23)")
    TERMINATION = "termination", _("Contract terminated, certificate revoked (Art. 23)")
    JUDICIAL = "judicial", _("Referred to the judicial authorities (Art. 23)")
    NO_BREACH = "no_breach", _("No prohibited act found (Art. 15)")


class DisciplineRecord(models.Model):
    """Art. 15, 23: the breaches found and the decision taken."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="discipline")
    breaches = models.JSONField(_("Art. 15 items breached"), default=list)
    decision = models.CharField(_("decision"), max_length=20, choices=DisciplineDecision.choices)
    reason = models.TextField(_("reason"), blank=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.staff} {self.get_decision_display()}"


class ComplaintRecord(models.Model):
    """Art. 18: a complaint's finding and the reply sent to the complainant."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="complaint")
    receipt_number = models.CharField(_("receipt number"), max_length=40, blank=True)
    substantiated = models.BooleanField(_("substantiated"), default=False)
    reply = models.TextField(_("reply"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.receipt_number or str(self.case_id)


class LiabilityRecord(models.Model):
    """Art. 24: compensation paid, the dispatch company's share and any recourse."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="liabilities")
    compensation = models.DecimalField(_("compensation"), max_digits=12, decimal_places=2)
    dispatch_share = models.DecimalField(
        _("dispatch company's share"), max_digits=12, decimal_places=2, default=0
    )
    recourse = models.BooleanField(_("recourse sought"), default=False)
    recourse_amount = models.DecimalField(
        _("recourse amount"), max_digits=12, decimal_places=2, default=0
    )
    reason = models.TextField(_("reason"), blank=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.staff} {self.compensation}"


class UsagePlan(models.Model):
    """Art. 8, 9: a usage plan for one post; approved plans bound how many may be hired."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="usage_plans")
    post = models.CharField(_("post"), max_length=60)
    headcount = models.PositiveIntegerField(_("headcount"))
    employment_mode = models.CharField(_("employment mode"), max_length=10)
    education_requirement = models.CharField(
        _("education requirement"), max_length=16, default="college"
    )
    education_requirement_reason = models.CharField(
        _("reason for a changed requirement"), max_length=300, blank=True
    )
    approved = models.BooleanField(_("approved"), default=False)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.agency} {self.post} ×{self.headcount}"


class AppealRecord(models.Model):
    """Art. 12: a member's appeal against a yearly grade or a disciplinary decision, and
    what came of it; an upheld appeal's reversals are in both cases' histories."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="appeals")
    decision_case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    upheld = models.BooleanField(_("upheld"))
    reason = models.TextField(_("reason"), blank=True)
    grade_before = models.CharField(_("grade before"), max_length=20, blank=True)
    grade_after = models.CharField(_("grade after"), max_length=20, blank=True)
    reversals = models.JSONField(_("consequences reversed"), default=list)
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="appeal")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.staff} {self.decision_case_id} {self.upheld}"


class OrderState(models.TextChoices):
    OPEN = "open", _("Awaiting correction")
    CORRECTED = "corrected", _("Corrected")


class CorrectionOrder(models.Model):
    """Art. 22: an order to an agency that broke the Measures to correct, by the justice
    bureau or its superior organ, with findings, a deadline and the agency's report."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="correction_orders")
    ordered_by = models.CharField(_("ordered by"), max_length=100)
    findings = models.TextField(_("findings"))
    deadline = models.DateField(_("deadline"))
    state = models.CharField(
        _("state"), max_length=10, choices=OrderState.choices, default=OrderState.OPEN
    )
    overdue = models.BooleanField(_("deadline passed without a report"), default=False)
    report = models.TextField(_("agency's report"), blank=True)
    rounds = models.PositiveIntegerField(_("reports returned"), default=0)
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="order")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"{self.agency} {self.deadline}"


class FilingState(models.TextChoices):
    PENDING = "pending", _("With the departments")
    FILED = "filed", _("Filed")


class MeasuresFiling(models.Model):
    """Art. 26: an agency's detailed measures filed with the staffing office, HR & social
    security and justice departments, each acknowledging or returning them."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="measures_filings")
    title = models.CharField(_("title"), max_length=100)
    state = models.CharField(
        _("state"), max_length=10, choices=FilingState.choices, default=FilingState.PENDING
    )
    returned = models.PositiveIntegerField(_("times returned"), default=0)
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="filing")
    submitted_at = models.DateTimeField(auto_now_add=True)
    filed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.agency} {self.title}"
