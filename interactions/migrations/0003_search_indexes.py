"""The history's customer search served by a trigram index on PostgreSQL."""

from django.db import migrations

from checkpoint_maker.migration_operations import TrigramIndex


class Migration(migrations.Migration):
    dependencies = [
        ("interactions", "0002_input_rules"),
        ("checkpoints", "0003_search_indexes"),  # creates pg_trgm
    ]

    operations = [TrigramIndex("interaction", "customer", "interaction_customer_trgm")]
