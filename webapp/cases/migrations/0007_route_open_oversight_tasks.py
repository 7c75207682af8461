"""Open tasks of the oversight roles waited at the case's agency, where nobody holds those
roles (the usage plan stopped at the staffing office). Move each to the body its routing
rule names now (webapp/accounts/routing.py, written out here so the migration never
changes with the code)."""

from django.db import migrations


def _government_of(agency_id, tree):
    seen = set()
    node = agency_id
    while node is not None and node not in seen and node in tree:
        seen.add(node)
        parent_id, kind = tree[node]
        if kind == "government":
            return node
        node = parent_id
    return None


def _body(case_agency_id, role, tree, bodies):
    served = {}
    for body_id, parent_id in bodies.get(role, []):
        level = _government_of(parent_id, tree)
        if level is not None:
            served.setdefault(level, body_id)
    level = _government_of(case_agency_id, tree)
    while level is not None:
        if level in served:
            return served[level]
        level = _government_of(tree[level][0], tree)
    return None


def route_open_oversight_tasks(apps, schema_editor):
    HumanTask = apps.get_model("cases", "HumanTask")
    Agency = apps.get_model("accounts", "Agency")
    RoutingRule = apps.get_model("accounts", "RoutingRule")
    oversight = set(
        RoutingRule.objects.filter(target="government_body").values_list("role", flat=True)
    )
    tree = {pk: (parent, kind) for pk, parent, kind in Agency.objects.values_list("id", "parent_id", "kind")}
    bodies = {}
    for pk, parent_id, role in (
        Agency.objects.exclude(oversight_role="").order_by("code").values_list("id", "parent_id", "oversight_role")
    ):
        bodies.setdefault(role, []).append((pk, parent_id))
    tasks = HumanTask.objects.filter(
        state__in=["open", "claimed"], role__in=oversight, assignee__isnull=True
    ).values_list("pk", "role", "agency_id", "case__agency_id")
    for pk, role, agency_id, case_agency_id in tasks:
        body = _body(case_agency_id, role, tree, bodies)
        if body is not None and body != agency_id:
            HumanTask.objects.filter(pk=pk).update(agency_id=body)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_routing_rules"),
        ("cases", "0006_task_queue_unclaimed"),
    ]

    operations = [
        migrations.RunPython(route_open_oversight_tasks, migrations.RunPython.noop),
    ]
