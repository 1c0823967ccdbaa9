"""Model fields the platform needs beyond Django's own."""
from django.db import models
from django.db.backends.postgresql.operations import get_json_dumps
from psycopg.types.json import Json


class JSONTextField(models.JSONField):
    """JSON kept as written: PostgreSQL's `json` type instead of Django's `jsonb`.

    For columns that are only ever written and read back whole, never searched inside (the
    audit log's before and after snapshots): the server checks that the text is JSON and
    stores it, where `jsonb` also converts it into its binary form, which for the tens of
    thousands of snapshots a batch writes costs more than the rest of the row and its
    indexes together (docs/BENCHMARKS.md). `json` has no equality operator, so such a column
    is never compared, grouped or made DISTINCT in SQL. Elsewhere (SQLite) it is Django's
    JSONField as it is.
    """

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor != "postgresql":
            return super().get_db_prep_value(value, connection, prepared)
        if not prepared:
            value = self.get_prep_value(value)
        return Json(value, dumps=get_json_dumps(self.encoder))  # sent as `json`, not cast to `jsonb`

    def from_db_value(self, value, expression, connection):
        if value is not None and not isinstance(value, str):
            return value  # psycopg reads `json` into Python values itself
        return super().from_db_value(value, expression, connection)
