"""Checkpoint search (name or reference, any part) served by trigram indexes on PostgreSQL."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from checkpoint_maker.migration_operations import TrigramIndex


class Migration(migrations.Migration):
    dependencies = [("checkpoints", "0002_input_rules")]

    operations = [
        TrigramExtension(),
        TrigramIndex("checkpoint", "name", "checkpoint_name_trgm"),
        TrigramIndex("checkpoint", "reference", "checkpoint_reference_trgm"),
    ]
