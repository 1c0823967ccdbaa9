"""Fast bulk loading: COPY on PostgreSQL, batched executemany elsewhere.

The national dataset is millions of rows; one ORM save per row would take hours. Rows go
in as tuples in the table's column order given by `columns`.
"""
from django.db import connection


def copy_rows(table: str, columns: list[str], rows, batch: int = 20000) -> int:
    count = 0
    if connection.vendor == "postgresql":
        cols = ", ".join(columns)
        with connection.cursor() as cur:
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"
    buf = []
    with connection.cursor() as cur:
        for row in rows:
            buf.append(row)
            if len(buf) >= batch:
                cur.executemany(sql, buf)
                count += len(buf)
                buf = []
        if buf:
            cur.executemany(sql, buf)
            count += len(buf)
    return count
