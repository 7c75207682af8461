"""A shared saved search is shared within one agency (Art. 4; issue 19: a search shared
with a role reached that role's holders in every agency). Searches shared before are
scoped to their owner's first agency; an owner with none keeps the search, unshared.
Reversible: backwards the field goes and the scope with it."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def scope_shared_searches(apps: Any, schema_editor: Any) -> None:
    searches = apps.get_model("audit", "SavedSearch")
    memberships = apps.get_model("accounts", "Membership")
    for search in searches.objects.exclude(shared_role=""):
        own = memberships.objects.filter(user_id=search.owner_id).order_by("pk").first()
        if own is None:
            search.shared_role = ""
        else:
            search.shared_agency_id = own.agency_id
        search.save(update_fields=["shared_role", "shared_agency"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_notifications_delegations'),
        ('audit', '0001_saved_searches_integrity_runs'),
    ]

    operations = [
        migrations.AddField(
            model_name='savedsearch',
            name='shared_agency',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.agency', verbose_name='shared within agency'),
        ),
        migrations.RunPython(scope_shared_searches, migrations.RunPython.noop, elidable=False),
    ]
