"""Migration operations for what only PostgreSQL has.

``TrigramIndex`` makes ``icontains`` searches (``UPPER(column::text) LIKE UPPER('%text%')``, as
Django writes them on PostgreSQL) use a ``pg_trgm`` GIN index. It lives in the database only:
SQLite has no such index and searches its small embedded tables by scan, so the model state
(and every SQLite table rebuild) never sees it.
"""

from django.db.migrations.operations.base import Operation


class TrigramIndex(Operation):
    """A GIN trigram index on ``UPPER(column::text)`` of a model's field, on PostgreSQL only
    (needs the pg_trgm extension: ``django.contrib.postgres.operations.TrigramExtension``)."""

    reversible = True

    def __init__(self, model_name: str, field_name: str, name: str):
        self.model_name = model_name
        self.field_name = field_name
        self.name = name

    def state_forwards(self, app_label, state):
        pass

    def _applies(self, schema_editor) -> bool:
        return schema_editor.connection.vendor == "postgresql"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not self._applies(schema_editor):
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        quote = schema_editor.quote_name
        column = quote(model._meta.get_field(self.field_name).column)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(self.name)} ON {quote(model._meta.db_table)} "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if self._applies(schema_editor):
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(self.name)}")

    def describe(self) -> str:
        return f"Trigram index {self.name} on {self.model_name}.{self.field_name} (PostgreSQL)"
