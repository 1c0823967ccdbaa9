"""Keys of the personal-data encryption: `pii keygen` prints a new Fernet key; `pii rotate`
re-encrypts every encrypted column with the first key of XIEZUO_PII_KEYS (and, with
--reindex, recomputes the search indexes after XIEZUO_PII_HASH_KEY changed)."""
from django.core.management.base import BaseCommand
from django.db import transaction

from xiezuo.core.personal import crypto


class Command(BaseCommand):
    help = "Personal-data keys: keygen, rotate [--reindex]"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["keygen", "rotate"])
        parser.add_argument("--reindex", action="store_true", help="recompute blind indexes (models define reindex_personal())")
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, action, reindex, batch, **options):
        if action == "keygen":
            self.stdout.write(crypto.new_key())
            return
        crypto.reset_keys()
        for model, field in crypto.encrypted_fields():
            done = 0
            ids = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(ids), batch):
                chunk = ids[start:start + batch]
                with transaction.atomic():
                    # Read the raw tokens (no from_db_value) and write MultiFernet.rotate's.
                    table, column, pk = model._meta.db_table, field.column, model._meta.pk.column
                    from django.db import connection

                    with connection.cursor() as cur:
                        placeholders = ",".join(["%s"] * len(chunk))
                        cur.execute(f'SELECT "{pk}", "{column}" FROM "{table}" WHERE "{pk}" IN ({placeholders})', chunk)
                        rows = [(crypto.rotate_token(token), key) for key, token in cur.fetchall() if token]
                        cur.executemany(f'UPDATE "{table}" SET "{column}" = %s WHERE "{pk}" = %s', rows)
                done += len(chunk)
            self.stdout.write(f"{model._meta.label}.{field.name}: {done} rows re-encrypted")
            if reindex and hasattr(model, "reindex_personal"):
                model.reindex_personal()
                self.stdout.write(f"{model._meta.label}: search index recomputed")
