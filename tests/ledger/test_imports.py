"""Excel imports of ledger postings: each stage posted once, a re-import posts nothing, each
side posts only its own steps, every problem named by row and column, on the import page too.

Workbooks are built in memory with openpyxl, the way an official fills in the template.
"""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from tests.support import counts, problems, reason, run, xlsx
from tests.support import agreement, pair, project  # noqa: F401 (fixtures, defined once)
from xiezuo.ledger import actions as ledger
from xiezuo.ledger.chain import verify
from xiezuo.ledger.importers import PostingImporter
from xiezuo.ledger.models import Entry, Posting
from xiezuo.pairings.models import Pairing
from xiezuo.projects.actions import transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def upload_of(content: bytes):
    return SimpleUploadedFile("import.xlsx", content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


TODAY = timezone.localdate()


# --- ledger postings ---------------------------------------------------------------------------

POSTING_HEADERS = ["幂等键", "业务类型", "结对编号", "协议年度", "项目编号", "拨付单位", "关联幂等键", "金额（元）", "日期", "摘要"]


def stages(pair, year, day=None):
    day = day or TODAY
    return [
        ["XD-1", "下达", pair.pk, year, None, None, None, "1000000.00", day, "第一批"],
        ["DW-1", "到位", None, None, None, None, "XD-1", None, day, None],
        ["BF-1", "拨付", None, None, "MG-001", None, None, 600000, day, None],
        ["ZC-1", "支出", None, None, "MG-001", None, None, "250000.5", None, "采购种薯"],
    ]


def test_all_four_stages_post_once_and_reimport_posts_nothing(users, pair, agreement, project):
    transition(users["county_office"], project, "in_progress")
    rows = stages(pair, agreement.year)
    result = run(PostingImporter(), users["national"], POSTING_HEADERS, rows)
    assert result.ok, result.errors
    assert counts(result) == (4, 0, 0)
    kinds = dict(Posting.objects.filter(idempotency_key__in=["XD-1", "DW-1", "BF-1", "ZC-1"]).values_list("idempotency_key", "amount_fen"))
    assert kinds == {"XD-1": 100_000_000, "DW-1": 100_000_000, "BF-1": 60_000_000, "ZC-1": 25_000_050}
    assert set(Posting.objects.filter(idempotency_key__in=kinds).values_list("via", flat=True)) == {"import"}
    entries, postings = Entry.objects.count(), Posting.objects.count()

    again = run(PostingImporter(), users["national"], POSTING_HEADERS, rows)
    assert again.ok and counts(again) == (0, 0, 4)
    assert (Entry.objects.count(), Posting.objects.count()) == (entries, postings)
    assert verify().ok

    importer = PostingImporter()
    exported = [importer.export_row(p) for p in Posting.objects.filter(idempotency_key__in=kinds).order_by("pk")]
    assert counts(run(importer, users["national"], importer.export_headers(), exported)) == (0, 0, 4)


def test_same_key_with_a_different_body_is_refused_for_that_row(users, pair, agreement):
    first = [["XD-2", "下达", pair.pk, agreement.year, None, None, None, 1000, TODAY, None]]
    assert run(PostingImporter(), users["east_office"], POSTING_HEADERS, first).ok
    rows = [["XD-3", "下达", pair.pk, agreement.year, None, None, None, 500, TODAY, None],
            ["XD-2", "下达", pair.pk, agreement.year, None, None, None, 2000, TODAY, None]]
    result = run(PostingImporter(), users["east_office"], POSTING_HEADERS, rows)
    assert problems(result) == {(3, "幂等键")}
    assert "different body" in reason(result, 3, "幂等键")
    assert not Posting.objects.filter(idempotency_key="XD-3").exists()


def test_repeated_key_in_one_file_is_refused(users, pair, agreement):
    rows = [["XD-4", "下达", pair.pk, agreement.year, None, None, None, 1000, TODAY, None]] * 2
    result = run(PostingImporter(), users["east_office"], POSTING_HEADERS, rows)
    assert problems(result) == {(3, "幂等键")} and "repeats row 2" in reason(result, 3, "幂等键")


def test_each_side_posts_only_its_own_steps(users, pair, agreement, project):
    transition(users["county_office"], project, "in_progress")
    alloc = ledger.allocate(users["east_office"], agreement=agreement, amount_fen=100_000_00, idempotency_key="XD-E")
    ledger.confirm_arrival(users["county_office"], allocation=alloc, arrived_on=TODAY, idempotency_key="DW-E")
    west_steps = [["DW-X", "到位", None, None, None, None, "XD-E", None, TODAY, None],
                  ["BF-X", "拨付", None, None, "MG-001", None, None, 100, TODAY, None],
                  ["ZC-X", "支出", None, None, "MG-001", None, None, 100, TODAY, None]]
    east = run(PostingImporter(), users["east_office"], POSTING_HEADERS, west_steps)
    assert problems(east) == {(2, "业务类型"), (3, "业务类型"), (4, "业务类型")}
    assert "only the western side" in reason(east, 2, "业务类型")
    assert "only the western side" in reason(east, 3, "业务类型")
    west = run(PostingImporter(), users["west_office"], POSTING_HEADERS,
               [["XD-W", "下达", pair.pk, agreement.year, None, None, None, 100, TODAY, None]])
    assert problems(west) == {(2, "业务类型")} and "only the eastern side" in reason(west, 2, "业务类型")
    county = run(PostingImporter(), users["county_office"], POSTING_HEADERS,
                 [["BF-C", "拨付", None, None, "MG-001", None, None, 100, TODAY, None]])
    assert county.ok and counts(county) == (1, 0, 0)
    assert not Posting.objects.filter(idempotency_key__in=["DW-X", "BF-X", "ZC-X", "XD-W"]).exists()


def test_bad_posting_rows_name_row_and_column_and_nothing_is_posted(users, pair, agreement, project):
    other_pair = Pairing.objects.get(kind="prefecture", east_region__code="440100", west_region__code="520100")
    rows = [
        ["XD-5", "下达", pair.pk, agreement.year, None, None, None, "100.00", TODAY, None],  # good
        ["XD-6", "下达", pair.pk, agreement.year, None, None, None, "100.005", TODAY, None],  # fraction of a fen
        ["XD-7", "下达", pair.pk, agreement.year, None, None, None, "-100", TODAY, None],  # negative
        ["XD-8", "下达", pair.pk, agreement.year, None, None, None, "一百元", TODAY, None],  # not a number
        ["XD-9", "下达", pair.pk, 1999, None, None, None, 100, TODAY, None],  # no agreement that year
        ["XD-10", "下达", pair.pk, agreement.year, "MG-001", None, None, 100, TODAY, None],  # project on an allocation
        ["XD-11", "下达", other_pair.pk, agreement.year, None, None, None, 100, TODAY, None],  # outside the area
        ["DW-12", "到位", None, None, None, None, "NO-SUCH-KEY", None, TODAY, None],  # unknown allocation
        ["DW-13", "到位", None, None, None, None, "XD-5", None, None, None],  # arrival without its date
        ["XD-14", "下达", pair.pk, agreement.year, None, None, None, 0, TODAY + datetime.timedelta(days=3), None],  # zero, future
        ["CX-15", "冲销", None, None, None, None, "XD-5", None, None, None],  # reversal without reason
    ]
    postings = Posting.objects.count()
    result = run(PostingImporter(), users["east_office"], POSTING_HEADERS, rows)
    assert problems(result) == {
        (3, "金额（元）"), (4, "金额（元）"), (5, "金额（元）"), (6, "协议年度"), (7, "项目编号"), (8, "结对编号"),
        (9, "关联幂等键"), (10, "日期"), (11, "日期"), (12, "摘要"),
    }
    assert "fen" in reason(result, 3, "金额（元）")
    assert "negative" in reason(result, 4, "金额（元）")
    assert "not an amount" in reason(result, 5, "金额（元）")
    assert "no agreement for 1999" in reason(result, 6, "协议年度")
    assert "not used by 下达 rows" in reason(result, 7, "项目编号")
    assert "no pairing has the number" in reason(result, 8, "结对编号")  # outside the area: like one that does not exist
    assert "NO-SUCH-KEY" in reason(result, 9, "关联幂等键")
    assert "future" in reason(result, 11, "日期")
    assert Posting.objects.count() == postings


def test_reversal_by_import_and_a_whole_amount_check_on_arrival(users, pair, agreement):
    rows = [["XD-20", "下达", pair.pk, agreement.year, None, None, None, 300, TODAY, None],
            ["CX-20", "冲销", None, None, None, None, "XD-20", "300.00", TODAY, "金额录错"]]
    result = run(PostingImporter(), users["east_office"], POSTING_HEADERS, rows)
    assert result.ok and counts(result) == (2, 0, 0)
    assert Posting.objects.get(idempotency_key="CX-20").reversal_of == Posting.objects.get(idempotency_key="XD-20")
    wrong = run(PostingImporter(), users["county_office"], POSTING_HEADERS,
                [["DW-21", "到位", None, None, None, None, "XD-20", "200", TODAY, None]])
    assert problems(wrong) == {(2, "金额（元）")}


def test_an_arrival_of_an_allocation_refused_in_the_same_file_names_both_rows(users, pair, agreement):
    rows = [["XD-30", "下达", pair.pk, agreement.year, None, None, None, 100, TODAY, None],
            ["DW-30", "到位", None, None, None, None, "XD-30", None, TODAY, None]]
    result = run(PostingImporter(), users["west_office"], POSTING_HEADERS, rows)
    assert problems(result) == {(2, "业务类型"), (3, "关联幂等键")}
    assert "XD-30" in reason(result, 3, "关联幂等键")


# --- the page ---------------------------------------------------------------------------------


def test_the_import_page_lists_every_problem_of_a_postings_file(client_as, pair, agreement):
    client = client_as("west_office")
    rows = [["XD-P", "下达", pair.pk, agreement.year, None, None, None, "100.001", TODAY, None]]
    response = client.post("/imports/postings/", {"file": upload_of(xlsx(POSTING_HEADERS, rows))})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="import-errors"' in body and "金额（元）" in body
    report = client.get("/imports/postings/errors.xlsx")
    assert report.status_code == 200
