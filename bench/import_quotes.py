"""Write a quote file of N rows for the demo accounts, for timing ``import_quotes``.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench   # a throw-away database
    .venv/bin/python manage.py migrate -v0
    .venv/bin/python manage.py seed_demo
    .venv/bin/python bench/import_quotes.py 100000 /tmp/quotes-100k.csv      # or .xlsx
    /usr/bin/time -v .venv/bin/python manage.py import_quotes /tmp/quotes-100k.csv

Prints nothing but the file's name; /usr/bin/time reports the wall time and the
peak memory (maximum resident set size) of the import.
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import date, timedelta

ACCOUNTS = [
    ("douyin", "dy_60000001"),
    ("douyin", "dy_60000002"),
    ("douyin", "dy_60000003"),
    ("douyin", "dy_60000005"),
    ("kuaishou", "ks_3000217"),
    ("kuaishou", "ks_3000999"),
    ("bilibili", "bl_998122"),
    ("toutiao", "tt_77120"),
]
HEADER = ["platform", "platform_uid", "deliverable", "tier", "price", "currency", "price_kind", "observed_on", "notes"]


def rows(n: int):
    rng = random.Random(4)
    for i in range(n):
        platform, uid = ACCOUNTS[i % len(ACCOUNTS)]
        video = rng.random() < 0.8
        yield [
            platform,
            uid,
            "short_video" if video else "live_stream",
            rng.choice(["s1_20", "s21_60", "s61_plus"]) if video else "",
            f"{rng.randrange(1000, 400000)}.{rng.randrange(100):02d}",
            "CNY",
            rng.choice(["marketplace_listing", "broker_quote", "undercover_inquiry"]),
            (date(2025, 9, 12) + timedelta(days=rng.randrange(60))).isoformat(),
            f"bench row {i + 2}",
        ]


def main() -> None:
    n, path = int(sys.argv[1]), sys.argv[2]
    if path.endswith(".xlsx"):
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(HEADER)
        for row in rows(n):
            sheet.append(row)
        book.save(path)
    else:
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(HEADER)
            writer.writerows(rows(n))
    print(path)


if __name__ == "__main__":
    main()
