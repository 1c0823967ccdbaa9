"""Excel import of weekly progress reports: how long a workbook of N rows takes, all-or-nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xiezuo_ingest \\
        .venv/bin/python bench/imports.py --rows 1000,5000,20000 [--http]

Each workbook is the import's own template (`build_template`) with N rows filled in: N
different running projects, this week, a percent and a line of text — what a prefecture
office's weekly sheet looks like. It is imported by `run_import` as the national
coordinator (parse, check, one transaction, each row through `submit_report` as the page
and the API do, audited), directly in this process and, with --http, uploaded to
/imports/progress-reports/ on gunicorn through the real login, as a browser would. Prints
the seconds, rows per second and the load average. XIEZUO_MAX_IMPORT_ROWS (20,000) caps a
workbook. Each run adds or amends reports for the current week (the data stays).
"""
import argparse
import io
import os
import re
import time
import urllib.request
import uuid

from _common import Browser, load_average, setup_django, start_server


def workbook(codes, week, tag) -> bytes:
    from openpyxl import load_workbook

    from xiezuo.core.importing import DATA_SHEET, build_template
    from xiezuo.projects.importers import ProgressReportImporter

    wb = load_workbook(io.BytesIO(build_template(ProgressReportImporter())))
    ws = wb[DATA_SHEET]
    for i, code in enumerate(codes, start=2):
        ws.cell(row=i, column=1, value=code)
        ws.cell(row=i, column=2, value=week)
        ws.cell(row=i, column=3, value=(i * 7) % 100)
        ws.cell(row=i, column=4, value=f"第{tag}批：完成大棚钢架与滴灌管网 {i} 米")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(browser, path, data: bytes) -> tuple[float, str]:
    page = browser.opener.open(browser.base + path).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'.encode(),
        (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="reports.xlsx"\r\n'
         "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n").encode() + data + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    req = urllib.request.Request(browser.base + path, data=b"".join(parts), headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Referer": browser.base + path})
    t0 = time.perf_counter()
    with browser.opener.open(req, timeout=600) as resp:
        body = resp.read().decode()
    return time.perf_counter() - t0, body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="1000,5000,20000")
    ap.add_argument("--http", action="store_true")
    ap.add_argument("--port", type=int, default=8105)
    args = ap.parse_args()
    os.environ.setdefault("XIEZUO_DEBUG", "0")
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from xiezuo.core.importing import run_import
    from xiezuo.projects.importers import ProgressReportImporter
    from xiezuo.projects.models import Project

    user = get_user_model().objects.get(username="national")
    sizes = [int(n) for n in args.rows.split(",")]
    codes = list(Project.objects.filter(status="in_progress").order_by("id").values_list("code", flat=True)[:max(sizes)])
    week = timezone.localdate().isoformat()
    print(f"database {connection.vendor} {connection.settings_dict['NAME']}: {len(codes):,} projects in progress")
    print(f"load average before: {load_average()}")
    for n in sizes:
        if n > len(codes):
            print(f"  {n:,} rows: only {len(codes):,} projects in progress, skipped")
            continue
        data = workbook(codes[:n], week, uuid.uuid4().hex[:6])
        t0 = time.perf_counter()
        result = run_import(ProgressReportImporter(), user, io.BytesIO(data))
        dt = time.perf_counter() - t0
        assert not result.errors, result.errors[:3]
        print(f"  direct {n:>6,} rows ({len(data) / 1024:,.0f} KB): {dt:6.2f} s = {n / dt:,.0f} rows/s  [load {load_average()}]")
    if not args.http:
        return
    connection.close()
    server = start_server(args.port)
    try:
        b = Browser(f"http://127.0.0.1:{args.port}")
        b.login("national")
        for n in sizes:
            if n > len(codes):
                continue
            data = workbook(codes[:n], week, uuid.uuid4().hex[:6])
            dt, body = upload(b, "/imports/progress-reports/", data)
            assert "alert-success" in body and 'id="import-result"' in body, body[-3000:]
            print(f"  HTTP   {n:>6,} rows ({len(data) / 1024:,.0f} KB): {dt:6.2f} s = {n / dt:,.0f} rows/s  [load {load_average()}]")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
