"""Content catalog (courses with level chains, destinations) and the store's product catalog."""

from __future__ import annotations

import numpy as np

from cdp.generator.common import loaded_at
from cdp.generator.context import Context
from cdp.generator.population import DISCIPLINES

DISCIPLINE_CODE: dict[str, str] = {
    "diving": "DIV",
    "climbing": "CLM",
    "sailing": "SAL",
    "surfing": "SRF",
    "skiing": "SKI",
    "trail_running": "TRL",
}
COURSE_NAMES: dict[str, tuple[str, str, str, str]] = {
    "diving": ("Open Water Diver", "Advanced Open Water Diver", "Rescue Diver", "Divemaster"),
    "climbing": ("Introduction to Climbing", "Lead Climbing", "Multi-pitch Climbing", "Alpine Climbing"),
    "sailing": ("Competent Crew", "Day Skipper", "Coastal Skipper", "Yachtmaster Offshore"),
    "surfing": ("Learn to Surf", "Green Wave Surfer", "Reef and Point Breaks", "Big Wave Safety"),
    "skiing": ("First Turns", "Parallel Skiing", "Off-piste Essentials", "Ski Touring Leader"),
    "trail_running": ("Trail Basics", "Trail 25K", "Ultra Trail Preparation", "Mountain Ultra Leader"),
}
COURSE_HOURS = (16.0, 24.0, 32.0, 60.0)
CERT_VALID_YEARS: dict[str, int | None] = {
    "diving": None,
    "climbing": 3,
    "sailing": 5,
    "surfing": None,
    "skiing": 3,
    "trail_running": 2,
}
DESTINATIONS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "diving": (
        ("RSE", "Red Sea Liveaboard", "EG"),
        ("GBR", "Great Barrier Reef", "AU"),
        ("RAJ", "Raja Ampat", "ID"),
        ("CZM", "Cozumel", "MX"),
        ("SIM", "Similan Islands", "TH"),
    ),
    "climbing": (
        ("YOS", "Yosemite Valley", "US"),
        ("KAL", "Kalymnos", "GR"),
        ("FON", "Fontainebleau", "FR"),
        ("DOL", "Dolomites Via Ferrata", "IT"),
        ("RAI", "Railay Beach", "TH"),
    ),
    "sailing": (
        ("BVI", "British Virgin Islands", "VG"),
        ("CYC", "Cyclades", "GR"),
        ("WSU", "Whitsundays", "AU"),
        ("SOL", "The Solent", "GB"),
        ("DAL", "Dalmatian Coast", "HR"),
    ),
    "surfing": (
        ("BAL", "Bali Surf Camp", "ID"),
        ("HOS", "Hossegor", "FR"),
        ("ERI", "Ericeira", "PT"),
        ("BYR", "Byron Bay", "AU"),
        ("JBY", "Jeffreys Bay", "ZA"),
    ),
    "skiing": (
        ("CHX", "Chamonix Mont-Blanc", "FR"),
        ("ZRM", "Zermatt", "CH"),
        ("WHI", "Whistler", "CA"),
        ("NIS", "Niseko", "JP"),
        ("STA", "St. Anton", "AT"),
    ),
    "trail_running": (
        ("UTM", "Mont Blanc Trail Week", "FR"),
        ("MDR", "Madeira Trails", "PT"),
        ("PAT", "Patagonia Trails", "AR"),
        ("LAK", "Lake District", "GB"),
        ("KIL", "Kilimanjaro Run", "TZ"),
    ),
}
PRODUCTS: dict[str, tuple[tuple[str, str, float], ...]] = {
    "diving": (
        ("Mask and snorkel set", "accessories", 59.0),
        ("5mm wetsuit", "apparel", 289.0),
        ("Dive computer", "electronics", 449.0),
        ("Fins", "equipment", 129.0),
    ),
    "climbing": (
        ("Climbing shoes", "footwear", 139.0),
        ("Harness", "equipment", 79.0),
        ("Chalk bag", "accessories", 24.0),
        ("Dynamic rope 60m", "equipment", 219.0),
    ),
    "sailing": (
        ("Sailing jacket", "apparel", 329.0),
        ("Deck shoes", "footwear", 119.0),
        ("Life jacket", "equipment", 149.0),
        ("Sailing gloves", "accessories", 39.0),
    ),
    "surfing": (
        ("Surfboard 7'2", "equipment", 549.0),
        ("3/2 wetsuit", "apparel", 239.0),
        ("Surf wax", "accessories", 6.0),
        ("Leash", "accessories", 35.0),
    ),
    "skiing": (
        ("Ski goggles", "accessories", 129.0),
        ("Ski jacket", "apparel", 399.0),
        ("Ski helmet", "equipment", 149.0),
        ("Touring skins", "equipment", 189.0),
    ),
    "trail_running": (
        ("Trail running shoes", "footwear", 159.0),
        ("Running vest", "equipment", 119.0),
        ("Headlamp", "electronics", 69.0),
        ("Merino base layer", "apparel", 89.0),
    ),
}


def course_codes() -> list[tuple[str, str, int]]:
    """``(course_code, discipline, level)`` of every course."""
    return [(f"{DISCIPLINE_CODE[d]}-{level}01", d, level) for d in DISCIPLINES for level in range(1, 5)]


def product_catalog() -> list[tuple[str, str, str, float, str]]:
    """``(sku, product_name, category, price, discipline)`` of every product."""
    return [
        (f"{DISCIPLINE_CODE[d]}-{k + 1:03d}", name, category, price, d)
        for d in DISCIPLINES
        for k, (name, category, price) in enumerate(PRODUCTS[d])
    ]


def destination_codes() -> list[tuple[str, str]]:
    """``(destination_code, discipline)`` of every destination."""
    return [(f"{DISCIPLINE_CODE[d]}-{code}", d) for d in DISCIPLINES for code, _, _ in DESTINATIONS[d]]


def generate_content(ctx: Context) -> None:
    """Write ``content.course`` and ``content.destination``."""
    rng = ctx.rng("content")
    courses = course_codes()
    n = len(courses)
    ctx.write(
        "content.course",
        {
            "course_code": np.array([c for c, _, _ in courses], dtype=object),
            "course_name": np.array([COURSE_NAMES[d][lv - 1] for _, d, lv in courses], dtype=object),
            "discipline": np.array([d for _, d, _ in courses], dtype=object),
            "level": np.array([lv for _, _, lv in courses], dtype=np.int64),
            "next_course_code": np.array(
                [f"{DISCIPLINE_CODE[d]}-{lv + 1}01" if lv < 4 else None for _, d, lv in courses], dtype=object
            ),
            "duration_hours": np.array([COURSE_HOURS[lv - 1] for _, _, lv in courses]),
            "_loaded_at": loaded_at(ctx, rng, "content", np.full(n, ctx.as_of_us - 30 * 86_400_000_000)),
        },
    )
    dests = [
        (f"{DISCIPLINE_CODE[d]}-{code}", name, country, d)
        for d in DISCIPLINES
        for code, name, country in DESTINATIONS[d]
    ]
    ctx.write(
        "content.destination",
        {
            "destination_code": np.array([x[0] for x in dests], dtype=object),
            "destination_name": np.array([x[1] for x in dests], dtype=object),
            "country": np.array([x[2] for x in dests], dtype=object),
            "discipline": np.array([x[3] for x in dests], dtype=object),
            "_loaded_at": loaded_at(
                ctx, rng, "content", np.full(len(dests), ctx.as_of_us - 30 * 86_400_000_000)
            ),
        },
    )
    ctx.say(f"content: {n} courses, {len(dests)} destinations")
