"""Chain the audit log (Art. 15(3), Art. 22): every line signed with the history key.

The existing lines had no chain to verify; they are chained as found, oldest first, and
the head row is written. Reversible: backwards the chain columns are emptied. The
canonical form is copied here, frozen (webapp/security/audit_chain.py is the live one).
"""

import json
from datetime import UTC
from typing import Any

import django.utils.timezone
from django.db import migrations, models

GENESIS = "0" * 64


def _canonical(entry: Any) -> bytes:
    payload = {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "target": entry.target,
        "detail": entry.detail,
        "ip": entry.ip,
        "login_key": entry.login_key,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def chain_lines(apps: Any, schema_editor: Any) -> None:
    # Imported here: the keyring reads settings, and only this step needs it.
    from webapp.cases.keyring import keyring

    ring = keyring()
    entry_model = apps.get_model("security", "AuditEntry")
    prev, seq, batch = GENESIS, 0, []
    for entry in entry_model.objects.order_by("at", "pk").iterator(chunk_size=2000):
        seq += 1
        entry.seq, entry.prev_hash, entry.key_id = seq, prev, ring.current_id
        entry.hash = ring.sign(_canonical(entry), ring.current_id)
        prev = entry.hash
        batch.append(entry)
        if len(batch) >= 500:
            entry_model.objects.bulk_update(batch, ["seq", "prev_hash", "key_id", "hash"])
            batch = []
    entry_model.objects.bulk_update(batch, ["seq", "prev_hash", "key_id", "hash"])
    apps.get_model("security", "AuditHead").objects.create(
        pk=1, count=seq, head_hash=prev if seq else ""
    )


def unchain_lines(apps: Any, schema_editor: Any) -> None:
    apps.get_model("security", "AuditHead").objects.all().delete()
    apps.get_model("security", "AuditEntry").objects.update(
        seq=None, prev_hash="", key_id="", hash=""
    )


class Migration(migrations.Migration):

    dependencies = [
        ('security', '0001_audit_log'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('count', models.PositiveBigIntegerField(default=0)),
                ('head_hash', models.CharField(blank=True, max_length=64)),
            ],
        ),
        migrations.AddField(
            model_name='auditentry',
            name='hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='key_id',
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='prev_hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='seq',
            field=models.PositiveBigIntegerField(null=True, unique=True),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='when'),
        ),
        migrations.RunPython(chain_lines, unchain_lines, elidable=False),
    ]
