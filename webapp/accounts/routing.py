"""Which body does a lane's role for a case (Art. 4, 5, 26).

The rules are rows (``RoutingRule``), the bodies are marked on the agency tree
(``Agency.oversight_role``): an agency's own roles act on its own cases; the staffing
office, HR & social security, finance and justice departments act for every agency
under their government. Nothing here names a role or an agency.
"""

from __future__ import annotations

from .models import Agency, AgencyKind, RoutingRule, RoutingTarget
from .roles import Role

# What a new database starts with (the migration and ``routing_rules_seed`` write these;
# an administrator may change them afterwards).
DEFAULT_RULES: dict[str, str] = {
    Role.HR_OFFICER: RoutingTarget.CASE_AGENCY,
    Role.APPROVER: RoutingTarget.CASE_AGENCY,
    Role.LEGAL_REVIEWER: RoutingTarget.CASE_AGENCY,
    Role.TRAINER: RoutingTarget.CASE_AGENCY,
    Role.STAFFING_OFFICE: RoutingTarget.GOVERNMENT_BODY,
    Role.HRSS: RoutingTarget.GOVERNMENT_BODY,
    Role.JUSTICE_BUREAU: RoutingTarget.GOVERNMENT_BODY,
}

Tree = dict[int, tuple[int | None, str]]


def routable_roles() -> set[str]:
    """The roles a lane may name: those a rule routes (a deploy refuses any other)."""
    return set(RoutingRule.objects.values_list("role", flat=True))


def task_agency(case_agency: Agency, role: str) -> Agency | None:
    """The agency whose holders of ``role`` do a task of a case of ``case_agency``;
    None when no rule or no body routes it."""
    target = RoutingRule.objects.filter(role=role).values_list("target", flat=True).first()
    if target == RoutingTarget.CASE_AGENCY:
        return case_agency
    if target == RoutingTarget.GOVERNMENT_BODY:
        return governing_body(case_agency, role)
    return None


def governing_body(agency: Agency, role: str) -> Agency | None:
    """Art. 5: the body acting in ``role`` for the agency's level of government (city or
    county/district). A level with no such body marked is served by the one above it."""
    bodies = list(Agency.objects.filter(oversight_role=role).order_by("code"))
    if not bodies:
        return None
    tree: Tree = {
        pk: (parent_id, kind)
        for pk, parent_id, kind in Agency.objects.values_list("id", "parent_id", "kind")
    }
    served: dict[int, Agency] = {}
    for body in bodies:
        level = government_of(body.parent_id, tree)
        if level is not None:
            served.setdefault(level, body)
    level = government_of(agency.pk, tree)
    while level is not None:
        if level in served:
            return served[level]
        level = government_of(tree[level][0], tree)
    return None


def government_of(agency_id: int | None, tree: Tree) -> int | None:
    """The nearest people's government at or above ``agency_id``."""
    seen: set[int] = set()
    node = agency_id
    while node is not None and node not in seen and node in tree:
        seen.add(node)
        parent_id, kind = tree[node]
        if kind == AgencyKind.GOVERNMENT:
            return node
        node = parent_id
    return None
