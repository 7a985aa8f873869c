"""Charts of the COPIL pages as SVG text (no Qt, no matplotlib): the layout shows them in picture items.

Drawn in millimetres at the size of the picture item that shows them, so
that a font size here is the printed size (1 pt = 0.3528 mm).
"""
import base64
from typing import List, Mapping, Optional, Sequence, Tuple
from xml.sax.saxutils import escape

PT = 0.3528
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
PEOPLE_COLOUR = "#3b6ea5"
SITES_COLOUR = "#d0802a"
GRID_COLOUR = "#c8c8c8"
TEXT_COLOUR = "#222222"
MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


def month_label(instant: str) -> str:
    return "%s %s" % (MONTHS[int(instant[5:7]) - 1], instant[2:4])


def nice_step(top: float, ticks: int = 3) -> int:
    """A round step (1, 2, 5 × 10^n) so that `ticks` steps cover `top`."""
    raw = max(top, 1) / ticks
    magnitude = 1
    while magnitude * 10 <= raw:
        magnitude *= 10
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return factor * magnitude
    return 10 * magnitude


def thousands(value: int) -> str:
    return "{:,}".format(int(value)).replace(",", "\u00a0")


class Svg:
    def __init__(self, width: float, height: float):
        self.width, self.height = width, height
        self.parts: List[str] = []

    def text(self, x: float, y: float, content: str, size_pt: float, anchor: str = "start",
             weight: str = "normal", colour: str = TEXT_COLOUR) -> None:
        self.parts.append('<text x="%.2f" y="%.2f" font-family="%s" font-size="%.2f" font-weight="%s" '
                          'text-anchor="%s" fill="%s">%s</text>' % (x, y, FONT, size_pt * PT, weight, anchor,
                                                                    colour, escape(content)))

    def line(self, x1: float, y1: float, x2: float, y2: float, colour: str, width: float = 0.15) -> None:
        self.parts.append('<line x1="%.2f" y1="%.2f" x2="%.2f" y2="%.2f" stroke="%s" stroke-width="%.2f"/>'
                          % (x1, y1, x2, y2, colour, width))

    def rect(self, x: float, y: float, width: float, height: float, colour: str) -> None:
        self.parts.append('<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s"/>'
                          % (x, y, width, height, colour))

    def render(self) -> str:
        return ('<svg xmlns="http://www.w3.org/2000/svg" width="%.2fmm" height="%.2fmm" viewBox="0 0 %.2f %.2f">'
                '%s</svg>' % (self.width, self.height, self.width, self.height, "".join(self.parts)))


def bar_panel(svg: Svg, top: float, height: float, title: str, labels: Sequence[str],
              values: Sequence[Optional[int]], colour: str, font_pt: float, show_months: bool) -> None:
    """A titled bar chart in the band [top, top + height] of the drawing; None values are gaps."""
    line = font_pt * PT * 1.35
    svg.text(0, top + line * 0.8, title, font_pt, weight="bold")
    axis_width = font_pt * PT * 4.2
    left, right = axis_width, svg.width - 0.5
    plot_top = top + line * 1.5
    plot_bottom = top + height - (line * 1.3 if show_months else line * 0.3)
    known = [v for v in values if v is not None]
    step = nice_step(max(known) if known else 0)
    top_value = step * max(1, -(-max(known or [0]) // step))
    scale = (plot_bottom - plot_top) / top_value
    for tick in range(0, top_value + 1, step):
        y = plot_bottom - tick * scale
        svg.line(left, y, right, y, GRID_COLOUR)
        svg.text(left - 1, y + font_pt * PT * 0.35, thousands(tick), font_pt * 0.9, anchor="end")
    slot = (right - left) / max(1, len(values))
    for index, value in enumerate(values):
        if value is not None and value > 0:
            svg.rect(left + index * slot + slot * 0.15, plot_bottom - value * scale, slot * 0.7, value * scale, colour)
    if known:
        last = len(values) - 1
        if values[last] is not None:
            svg.text(left + (last + 0.5) * slot, plot_bottom - values[last] * scale - 0.8, thousands(values[last]),
                     font_pt * 0.9, anchor="end", weight="bold", colour=colour)
    svg.line(left, plot_bottom, right, plot_bottom, TEXT_COLOUR, 0.2)
    if show_months:
        for index in range(len(labels) - 1, -1, -3):
            # The last label ends at the right edge instead of overflowing it.
            x, anchor = ((right, "end") if index == len(labels) - 1 else (left + (index + 0.5) * slot, "middle"))
            svg.text(x, plot_bottom + line, labels[index], font_pt * 0.9, anchor=anchor)


def monthly_chart(series: Sequence[Mapping[str, object]], width: float, height: float,
                  font_pt: float = 7.0, note: str = "") -> str:
    """Sites and people on open sites at the end of each month (the last point: the map's date);
    `note` is printed under them (the reconstructed months)."""
    svg = Svg(width, height)
    labels = [month_label(point["at"]) for point in series]
    if note:
        line = font_pt * PT * 1.2
        svg.text(0, height - line * 0.25, note, font_pt * 0.85, colour="#555555")
        height -= line
    half = height / 2
    bar_panel(svg, 0, half, "Personnes sur les sites ouverts, en fin de mois", labels,
              [point["population_total"] for point in series], PEOPLE_COLOUR, font_pt, show_months=False)
    bar_panel(svg, half, half, "Sites ouverts, en fin de mois", labels, [point["sites"] for point in series],
              SITES_COLOUR, font_pt, show_months=True)
    return svg.render()


def population_chart(points: Sequence[Tuple[str, Optional[int]]], width: float, height: float,
                     font_pt: float = 7.0) -> str:
    """A site's population at the end of each month (None: unknown, or the site was not open)."""
    svg = Svg(width, height)
    bar_panel(svg, 0, height, "Nombre de personnes sur le site, en fin de mois",
              [month_label(at) for at, _ in points], [value for _, value in points], PEOPLE_COLOUR, font_pt,
              show_months=True)
    return svg.render()


def as_picture_source(svg_text: str) -> str:
    """The SVG embedded in a picture item's source: the layout needs no file beside it."""
    return "base64:" + base64.b64encode(svg_text.encode("utf-8")).decode("ascii")
