"""The array literal the batch writers pass to PostgreSQL: one type joined at once, anything
with quotes, backslashes, NULLs or mixed types element by element; on PostgreSQL the literal
reads back as the values written."""
import datetime

import pytest
from django.db import connection

from xiezuo.core.arrays import pg_array


def test_literals():
    assert pg_array([]) == "{}"
    assert pg_array([3, 1, 2]) == "{3,1,2}"
    assert pg_array(iter([1, 2])) == "{1,2}"
    assert pg_array([True, 2]) == "{1,2}"
    assert pg_array(["a", "b c", "{x},y"]) == '{"a","b c","{x},y"}'
    assert pg_array(['say "hi"', "back\\slash"]) == '{"say \\"hi\\"","back\\\\slash"}'
    assert pg_array([datetime.date(2026, 1, 2), datetime.date(2026, 12, 31)]) == "{2026-01-02,2026-12-31}"
    assert pg_array([None, 1, "a"]) == '{NULL,1,"a"}'
    assert pg_array(["", "NULL"]) == '{"","NULL"}'


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's array parser")
def test_postgresql_reads_back_what_was_written():
    texts = ["a", 'q"uote', "back\\slash", "{brace}", "com,ma", "", "NULL", "中文"]
    with connection.cursor() as cur:
        cur.execute("SELECT %s::text[], %s::bigint[], %s::date[]",
                    [pg_array(texts), pg_array([1, -2, 10**12]), pg_array([datetime.date(2026, 2, 28)])])
        assert cur.fetchone() == (texts, [1, -2, 10**12], [datetime.date(2026, 2, 28)])


@pytest.mark.django_db
@pytest.mark.parametrize("n", [3, 150, 2000])
def test_ids_in_finds_the_same_rows_as_a_list(n):
    """`ids_in` (one array parameter past 100 ids on PostgreSQL) selects what `__in` with the
    list selects; a queryset stays a sub-select."""
    from xiezuo.core.arrays import ids_in
    from xiezuo.regions.models import Region

    ids = list(Region.objects.order_by("id").values_list("id", flat=True)[:n]) + [987654321]
    expected = set(Region.objects.filter(pk__in=ids).values_list("code", flat=True))
    assert expected and set(Region.objects.filter(pk__in=ids_in(ids)).values_list("code", flat=True)) == expected
    assert set(Region.objects.exclude(pk__in=ids_in(ids)).values_list("pk", flat=True)).isdisjoint(ids)
    sub = Region.objects.filter(code__startswith="51").values("pk")
    assert ids_in(sub) is sub


@pytest.mark.django_db
def test_ids_in_takes_text_values_too():
    """Region codes (text), as `assessment.compute.mark_stale` passes thousands of prefixes:
    the same rows as the list, quotes and all."""
    from xiezuo.core.arrays import ids_in
    from xiezuo.regions.models import Region

    codes = list(Region.objects.order_by("code").values_list("code", flat=True)[:300]) + ['no"such\\code']
    expected = set(Region.objects.filter(code__in=codes).values_list("pk", flat=True))
    assert len(expected) == 300
    assert set(Region.objects.filter(code__in=ids_in(codes, "text")).values_list("pk", flat=True)) == expected
