"""Agencies (a tree), and the roles users hold within them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Role


class AgencyKind(models.TextChoices):
    # Art. 3: the four kinds of enforcement agency that may use auxiliary staff.
    ADMIN_ORGAN = "admin_organ", _("Administrative enforcement organ")
    AUTHORIZED_ORG = "authorized_org", _("Organisation authorised by law")
    CONSOLIDATED = "consolidated", _("Consolidated enforcement organ")
    ENTRUSTED_ORG = "entrusted_org", _("Entrusted organisation")
    # Art. 2: police auxiliary staff are outside these Measures.
    POLICE = "police", _("Public security organ (out of scope, Art. 2)")
    GOVERNMENT = "government", _("People's government")


# Art. 2: police auxiliary staff are outside the Measures; governments only group agencies.
# Every other kind may employ auxiliary staff (a queryset excludes these kinds).
NON_EMPLOYING_KINDS = (AgencyKind.POLICE, AgencyKind.GOVERNMENT)


class Agency(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    quota = models.PositiveIntegerField(_("approved headcount (Art. 9)"), default=0)
    area_code = models.CharField(_("division code"), max_length=6, blank=True)
    # Art. 5, 26: the staffing office, HR & social security, finance and justice departments
    # act for their level of government; a task of that role about any agency under the
    # same government goes here (``routing``).
    oversight_role = models.CharField(
        _("acts for its government as"), max_length=20, choices=Role.choices, blank=True
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def may_employ_staff(self) -> bool:
        return self.kind not in NON_EMPLOYING_KINDS


class RoutingTarget(models.TextChoices):
    # Art. 4: who uses, manages: the agency's own roles act on its own cases.
    CASE_AGENCY = "case_agency", _("The case's own agency")
    # Art. 5: the departments of the city or county (district) government act on the
    # cases of the agencies under that government.
    GOVERNMENT_BODY = (
        "government_body",
        _("The body acting in this role for the case agency's level of government"),
    )


class RoutingRule(models.Model):
    """Where a lane's role is done for a case: data, so the rules change without code and
    a deploy refuses a lane no rule can route (``routing``)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, unique=True)
    target = models.CharField(_("routed to"), max_length=20, choices=RoutingTarget.choices)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["role"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} → {self.get_target_display()}"


class Membership(models.Model):
    """A user holds a role within an agency; tasks go to the role within the case's agency."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.agency}"


class Grant(models.Model):
    """Read access across an agency and everything under it (auditors, bureaus)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="grants")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="grant_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.agency}"


class Notification(models.Model):
    """An in-app notice (reminders, escalations); also sent by e-mail when there is one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


class Delegation(models.Model):
    """While away, a user's tasks of one role and agency go to a colleague (date range)."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations_given"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations_received"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate} ({self.starts_on}–{self.ends_on})"


class OutboundMail(models.Model):
    """One e-mail, written in the transaction of the step that decided to send it and sent
    by a Celery task after that transaction commits (``webapp/accounts/outbox.py``): a step
    that rolls back sends nothing, and no case row stays locked while SMTP answers."""

    to = models.JSONField(default=list)
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    # What decided it (a case key and step, a reminder...), for whoever reads the outbox.
    source = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, default="pending")  # pending/sending/sent/failed
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbound_mail_due")]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)} ({self.status})"
