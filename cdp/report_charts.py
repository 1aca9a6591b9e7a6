"""Inline SVG charts for the identity-resolution report: drawn here, so the report needs no chart library,
no script and no network. Each function returns one `<svg class="chart">` element with a real size."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

BLUE, RED, GREEN, ORANGE, GREY = "#2563eb", "#dc2626", "#16a34a", "#ea580c", "#9fb3c8"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    color: str


@dataclass(frozen=True)
class Marker:
    """A vertical line at `position` (x units of the chart) with a label."""

    position: float
    label: str
    css_class: str = "marker"
    label_side: str = "right"


@dataclass(frozen=True)
class WeightRow:
    """One bar of a match-weights chart: a comparison level and its match weight (log2 Bayes factor)."""

    group: str
    label: str
    weight: float


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 times a power of ten at or above `value` (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value * (1 - 1e-9))


def axis_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values from `low` to `high`, about `count` steps apart (steps of 1, 2 or 5 times ten to a power)."""
    step = nice_ceiling((high - low) / count) if high > low else 1.0
    ticks, index = [], math.ceil(low / step - 1e-9)
    while index * step <= high + step * 1e-6:
        ticks.append(round(index * step, 10))
        index += 1
    return ticks


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:g}"


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">' + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, anchor: str = "middle", extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'


def _markers(markers: Sequence[Marker], to_x: Callable[[float], float], top: float, bottom: float,
             label_y: float | None = None) -> list[str]:
    out = []
    label_y = top + 10 if label_y is None else label_y
    for marker in markers:
        x = to_x(marker.position)
        out.append(f'<line class="{marker.css_class}" x1="{x:.1f}" x2="{x:.1f}" y1="{top:.1f}" y2="{bottom:.1f}"/>')
        if marker.label_side == "left":
            out.append(_text(x - 4, label_y, marker.label, "end", ' font-weight="600"'))
        else:
            out.append(_text(x + 4, label_y, marker.label, "start", ' font-weight="600"'))
    return out


def bar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    x_title: str = "",
    y_title: str = "",
    markers: Sequence[Marker] = (),
    width: int = 560,
    height: int = 260,
    label_every: int = 1,
    rotate_labels: bool = False,
) -> str:
    """Vertical bars, one per label, the series stacked. A marker's position is in bars (0 = left edge of
    the first bar, 1 = between the first and the second)."""
    left, right, top, bottom = 56, 12, 12, 78 if rotate_labels else 42
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(labels))]
    highest = max(totals, default=0) or 1
    ticks = axis_ticks(0, highest, 4)
    if ticks[-1] < highest:
        ticks.append(ticks[-1] + ticks[1] - ticks[0])
    y_max = ticks[-1]
    band = plot_w / max(len(labels), 1)
    body = []
    for value in ticks:
        y = top + plot_h - plot_h * value / y_max
        body.append(f'<line class="gridline" x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}"/>')
        body.append(_text(left - 6, y + 4, _fmt(value), "end"))
    for i, label in enumerate(labels):
        base = 0.0
        for s in series:
            value = s.values[i] or 0
            if value > 0:
                h = plot_h * value / y_max
                y = top + plot_h - plot_h * base / y_max - h
                body.append(f'<rect x="{left + i * band + band * 0.1:.1f}" y="{y:.1f}" width="{band * 0.8:.1f}" '
                            f'height="{h:.1f}" fill="{s.color}"><title>{escape(label)}: {value:,.0f} '
                            f'{escape(s.name)}</title></rect>')
            base += value
        if i % label_every == 0 and rotate_labels:
            x, y = left + (i + 0.5) * band + 3, top + plot_h + 12
            body.append(_text(x, y, label, "end", f' transform="rotate(-35 {x:.1f} {y:.1f})"'))
        elif i % label_every == 0:
            body.append(_text(left + (i + 0.5) * band, top + plot_h + 14, label))
    body.append(f'<line class="axis" x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}"/>')
    body += _markers(markers, lambda p: left + p * band, top, top + plot_h)
    body.append(_text(left + plot_w / 2, height - 6, x_title))
    body.append(_text(14, top + plot_h / 2, y_title, "middle", f' transform="rotate(-90 14 {top + plot_h / 2:.1f})"'))
    return _svg(width, height, title, body)


def line_chart(
    xs: Sequence[float],
    series: Sequence[Series],
    *,
    title: str,
    x_title: str = "",
    y_title: str = "",
    y_range: tuple[float, float] = (0.0, 1.0),
    markers: Sequence[Marker] = (),
    width: int = 560,
    height: int = 260,
) -> str:
    """Lines with dots over a numeric x axis; markers are in x units."""
    left, right, top, bottom = 56, 16, 12, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    x_lo, x_hi = min(xs), max(xs)
    y_lo, y_hi = y_range

    def to_x(x: float) -> float:
        return left + plot_w * (x - x_lo) / ((x_hi - x_lo) or 1)

    def to_y(y: float) -> float:
        return top + plot_h - plot_h * (y - y_lo) / ((y_hi - y_lo) or 1)

    body = []
    for value in axis_ticks(y_lo, y_hi, 5):
        body.append(f'<line class="gridline" x1="{left}" x2="{left + plot_w}" y1="{to_y(value):.1f}" '
                    f'y2="{to_y(value):.1f}"/>')
        body.append(_text(left - 6, to_y(value) + 4, f"{value:g}", "end"))
    for value in axis_ticks(x_lo, x_hi, 6):
        body.append(_text(to_x(value), top + plot_h + 14, f"{value:g}"))
    body.append(f'<line class="axis" x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}"/>')
    for s in series:
        points = [(to_x(x), to_y(min(max(y, y_lo), y_hi))) for x, y in zip(xs, s.values, strict=True) if y is not None]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{s.color}" stroke-width="2"/>')
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{s.color}"/>' for x, y in points]
    body += _markers(markers, to_x, top, top + plot_h, label_y=top + plot_h - 6)
    body.append(_text(left + plot_w / 2, height - 6, x_title))
    body.append(_text(14, top + plot_h / 2, y_title, "middle", f' transform="rotate(-90 14 {top + plot_h / 2:.1f})"'))
    return _svg(width, height, title, body)


def weights_chart(rows: Sequence[WeightRow], *, title: str, width: int = 560) -> str:
    """Horizontal bars from zero, grouped: Splink's match-weights chart (positive: evidence for a match)."""
    left, right, row_h, head_h = 230, 44, 17, 20
    groups = list(dict.fromkeys(row.group for row in rows))
    height = 16 + len(rows) * row_h + len(groups) * head_h + 34
    limit = max([abs(row.weight) for row in rows] + [1.0])
    limit = math.ceil((limit + 3) / 5) * 5  # room for the value labels
    plot_w = width - left - right

    def to_x(weight: float) -> float:
        return left + plot_w * (weight + limit) / (2 * limit)

    body = []
    bottom = height - 34
    for value in range(-limit, limit + 1, 5):
        body.append(f'<line class="gridline" x1="{to_x(value):.1f}" x2="{to_x(value):.1f}" y1="8" '
                    f'y2="{bottom}"/>')
        body.append(_text(to_x(value), bottom + 14, str(value)))
    y = 8.0
    for group in groups:
        y += head_h
        body.append(_text(8, y - 5, group, "start", ' font-weight="600"'))
        for row in (r for r in rows if r.group == group):
            x0, x1 = sorted((to_x(0), to_x(row.weight)))
            color = BLUE if row.weight >= 0 else RED
            body.append(_text(left - 8, y + 12, row.label[:38], "end"))
            body.append(f'<rect x="{x0:.1f}" y="{y + 3:.1f}" width="{max(x1 - x0, 1):.1f}" height="{row_h - 5}" '
                        f'fill="{color}"><title>{escape(row.label)}: {row.weight:+.2f}</title></rect>')
            anchor_x = x1 + 4 if row.weight >= 0 else x0 - 4
            body.append(_text(anchor_x, y + 12, f"{row.weight:+.1f}", "start" if row.weight >= 0 else "end"))
            y += row_h
    body.append(f'<line class="axis" x1="{to_x(0):.1f}" x2="{to_x(0):.1f}" y1="8" y2="{bottom}"/>')
    body.append(_text(to_x(0), height - 4, "match weight (log2 Bayes factor)"))
    return _svg(width, height, title, body)


def legend(series: Sequence[Series]) -> str:
    items = "".join(f'<span style="--swatch:{s.color}">{escape(s.name)}</span>' for s in series)
    return f'<div class="legend">{items}</div>'
