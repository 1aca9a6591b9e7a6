"""Commerce platform: customer accounts, orders, order lines and payments (card hashes only)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from cdp.generator import content, locales
from cdp.generator.behaviour import behaviour, bend_times
from cdp.generator.common import (
    event_loaded_at,
    loaded_at,
    log_duplicates,
    pick,
    recent_created,
    uniform_ts,
    updated_after,
    with_duplicates,
)
from cdp.generator.context import US_PER_DAY, Context
from cdp.generator.formats import numbered_ids, to_objects, uuid_ids
from cdp.generator.population import DISCIPLINES, Population, own_cards
from cdp.generator.records import Profile, id_whitespace, person_fields

PROFILE = Profile(
    "commerce",
    ("first", "last", "email", "phone", "dob", "street", "city", "postal", "country"),
    phone_variant=2,
    dob_share=0.55,
)


def generate_commerce(ctx: Context, pop: Population) -> None:
    """Write customers, orders, order lines and payments."""
    rng = ctx.rng("commerce")
    person, dup = with_duplicates(rng, pop.in_system("commerce"), ctx.rate("duplicate_record"))
    n = len(person)
    ids = to_objects(numbered_ids("", rng.choice(900_000_000, n, replace=False) + 7_000_000_000, 10))
    log_duplicates(ctx, "commerce", ids, person, dup)
    created = recent_created(ctx, rng, n)
    updated = updated_after(ctx, rng, created)
    fields = person_fields(ctx, pop, PROFILE, ids, person, updated, rng)
    ctx.write(
        "commerce.customer",
        {
            "customer_id": id_whitespace(ctx, "commerce", ids, rng),
            "email": fields["email"],
            "first_name": fields["first"],
            "last_name": fields["last"],
            "phone": fields["phone"],
            "birth_date": fields["dob"],
            "address1": fields["street"],
            "city": fields["city"],
            "zip": fields["postal"],
            "country_code": fields["country"],
            "accepts_marketing": rng.random(n) < 0.55,
            "created_at": created,
            "updated_at": updated,
            "_loaded_at": loaded_at(ctx, rng, "commerce", updated),
        },
    )
    ctx.add_records("commerce", ids, person, fields["email_clean"], fields["email"])

    per = 1 + rng.poisson(1.4, n)
    cust = np.repeat(np.arange(n), per)
    m = len(cust)
    placed = uniform_ts(rng, created[cust], ctx.as_of_us - 3_600_000_000, m)
    # When the orders happen follows the person's commitment and lapse (cdp/generator/behaviour.py).
    placed = bend_times(
        behaviour(ctx, pop.n), person[cust], placed, created[cust], ctx.as_of_us - 3_600_000_000, ctx.upgraded_at
    )
    order_updated = np.minimum(
        placed + (rng.exponential(3.0, m) * US_PER_DAY).astype(np.int64), ctx.as_of_us - 1_800_000_000
    )
    order_ids = to_objects(numbered_ids("", rng.choice(900_000_000, m, replace=False) + 5_000_000_000, 10))
    checkout_email = fields["email_clean"][cust].copy()
    other = (rng.random(m) < 0.08) & (pop.email_alt[person[cust]] != None)  # noqa: E711
    checkout_email[other] = pop.email_alt[person[cust[other]]]
    status = pick(rng, ("paid", "refunded", "partially_refunded", "pending"), m, p=(0.86, 0.06, 0.04, 0.04))
    currency = np.array([locales.CURRENCY[c] for c in pop.country[person[cust]]], dtype=object)

    lines_per = 1 + rng.poisson(0.8, m)
    line_order = np.repeat(np.arange(m), lines_per)
    k = len(line_order)
    catalog = content.product_catalog()
    fav = np.array([DISCIPLINES.index(d) for d in pop.discipline[person[cust[line_order]]]], dtype=np.int64)
    disc = np.where(rng.random(k) < 0.7, fav, rng.integers(0, len(DISCIPLINES), k))
    product = disc * 4 + rng.integers(0, 4, k)
    qty = 1 + rng.poisson(0.25, k)
    price = np.array([p[3] for p in catalog])[product]
    totals = np.bincount(line_order, weights=qty * price, minlength=m) + np.where(
        rng.random(m) < 0.6, 0.0, 9.95
    )
    ctx.write(
        "commerce.orders",
        {
            "order_id": order_ids,
            "order_number": to_objects(
                numbered_ids("#", np.argsort(np.argsort(placed, kind="stable")) + 1001, 7)
            ),
            "customer_id": ids[cust],
            "email": checkout_email,
            "currency": currency,
            "total_price": np.round(totals, 2),
            "financial_status": status,
            "created_at": placed,
            "updated_at": order_updated,
            "_loaded_at": loaded_at(ctx, rng, "commerce", order_updated),
        },
    )
    ctx.write(
        "commerce.order_line",
        {
            "order_line_id": to_objects(numbered_ids("", np.arange(k) + 3_000_000_000, 10)),
            "order_id": order_ids[line_order],
            "sku": np.array([p[0] for p in catalog], dtype=object)[product],
            "product_name": np.array([p[1] for p in catalog], dtype=object)[product],
            "category": np.array([p[2] for p in catalog], dtype=object)[product],
            "quantity": qty.astype(np.int64),
            "price": price,
            "_loaded_at": loaded_at(ctx, rng, "commerce", order_updated[line_order]),
        },
    )

    failed_first = rng.random(m) < 0.04
    refund = np.isin(status, ["refunded", "partially_refunded"])
    pay_order = np.concatenate([np.flatnonzero(failed_first), np.arange(m), np.flatnonzero(refund)])
    pay_kind = np.concatenate(
        [
            np.full(int(failed_first.sum()), "failure"),
            np.full(m, "success"),
            np.full(int(refund.sum()), "refund"),
        ]
    ).astype(object)
    p = len(pay_order)
    owner = person[cust[pay_order]]
    second = (pop.card_hash2[owner] != None) & (rng.random(p) < 0.25)  # noqa: E711
    card = np.where(second, pop.card_hash2[owner], pop.card_hash[owner])
    # A customer whose records share no identifier pays with a card used for this account only.
    isolated = np.flatnonzero(pop.isolated[person])
    account_card = np.full(n, None, dtype=object)
    account_card[isolated] = own_cards(rng, len(isolated))
    card = np.where(pop.isolated[owner], account_card[cust[pay_order]], card)
    amount = np.round(totals[pay_order] * np.where(status[pay_order] == "partially_refunded", 0.4, 1.0), 2)
    amount = np.where(pay_kind == "refund", -amount, amount)
    processed = (
        placed[pay_order]
        + np.where(pay_kind == "refund", 5 * US_PER_DAY, 0)
        + np.where(pay_kind == "failure", -60_000_000, 30_000_000)
    )
    processed = np.minimum(processed, ctx.as_of_us - 60_000_000)
    order = np.argsort(processed, kind="stable")
    ctx.write(
        "commerce.payment",
        {
            "payment_id": uuid_ids(np.arange(p), rng, 0xCA4D).take(pa.array(order)),
            "order_id": order_ids[pay_order][order],
            "card_hash": card[order],
            "card_brand": np.where(second, "visa", pop.card_brand[owner])[order].astype(object),
            "amount": amount[order],
            "status": pay_kind[order],
            "processed_at": processed[order],
            "_loaded_at": event_loaded_at(ctx, rng, "commerce", processed[order]),
        },
    )
    ctx.say(f"commerce: {n:,} customers, {m:,} orders, {k:,} lines, {p:,} payments")
