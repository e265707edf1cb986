"""Charts as SVG made on the server: no script, readable without colour (each
line has its own marker shape and a written label, each bar its figure), and
always shown beside a table of the same figures."""

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

MARKERS = ("circle", "square", "triangle", "diamond")


def _marker(shape: str, x: float, y: float) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5"/>'
    if shape == "square":
        return f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9"/>'
    if shape == "triangle":
        return (
            f'<path d="M{x:.1f} {y - 6:.1f} L{x + 6:.1f} {y + 5:.1f} L{x - 6:.1f} {y + 5:.1f} Z"/>'
        )
    return (
        f'<path d="M{x:.1f} {y - 6:.1f} L{x + 6:.1f} {y:.1f} '
        f'L{x:.1f} {y + 6:.1f} L{x - 6:.1f} {y:.1f} Z"/>'
    )


def progress_chart(*, chart_id: str, title: str, levels: list[str], points, lines) -> SafeString:
    """Bands (or judgements) over assessment points for one area.

    `levels`: the scale's names, lowest first. `points`: [(period name,
    expected level index or None)]. `lines`: [(aspect name, [level index or
    None per point])]."""
    left, right, top, row, col = 150, 170, 20, 34, 110
    width = left + max(len(points), 1) * col + right
    height = top + len(levels) * row + 40

    def x(i):
        return left + col / 2 + i * col

    def y(level):
        return top + (len(levels) - 1 - level) * row + row / 2

    parts = [
        format_html(
            '<svg class="chart" role="img" aria-labelledby="{0}-t {0}-d" viewBox="0 0 {1} {2}" '
            'width="{1}" height="{2}" xmlns="http://www.w3.org/2000/svg">'
            '<title id="{0}-t">{3}</title><desc id="{0}-d">{4}</desc>',
            chart_id,
            width,
            height,
            title,
            "; ".join(
                f"{name}: "
                + ", ".join(
                    f"{points[i][0]} {levels[v] if v is not None else 'not assessed'}"
                    for i, v in enumerate(values)
                )
                for name, values in lines
            ),
        )
    ]
    for level, name in enumerate(levels):
        parts.append(
            format_html(
                '<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" stroke="#d5dde1"/>'
                '<text x="{3}" y="{4}" text-anchor="end">{5}</text>',
                left,
                width - right,
                y(level),
                left - 8,
                y(level) + 4,
                name,
            )
        )
    for i, (name, _expected) in enumerate(points):
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle">{}</text>', x(i), height - 12, name
            )
        )
    expected = [(i, e) for i, (_n, e) in enumerate(points) if e is not None]
    if expected:
        path = " ".join(
            f"M{x(i) - col / 2 + 6:.1f} {y(e):.1f} H{x(i) + col / 2 - 6:.1f}" for i, e in expected
        )
        last_i, last_e = expected[-1]
        parts.append(
            f'<path d="{path}" stroke="#4d5b63" stroke-width="2" '
            'stroke-dasharray="6 4" fill="none"/>'
        )
        parts.append(
            format_html(
                '<text x="{}" y="{}" class="expected">Expected for age</text>',
                x(last_i) + col / 2,
                y(last_e) - 8,
            )
        )
    colours = ("#1d6b52", "#1b5fbf", "#8a4b00", "#6b2d8f")
    for n, (name, values) in enumerate(lines):
        colour, shape = colours[n % len(colours)], MARKERS[n % len(MARKERS)]
        known = [(i, v) for i, v in enumerate(values) if v is not None]
        if len(known) > 1:
            path = " ".join(
                f"{'M' if k == 0 else 'L'}{x(i):.1f} {y(v):.1f}" for k, (i, v) in enumerate(known)
            )
            parts.append(f'<path d="{path}" stroke="{colour}" stroke-width="2.5" fill="none"/>')
        marks = "".join(_marker(shape, x(i), y(v) + (n % 3 - 1) * 3) for i, v in known)
        parts.append(f'<g fill="{colour}">{marks}</g>')
        if known:
            i, v = known[-1]
            parts.append(
                format_html(
                    '<text x="{}" y="{}" class="series-{}">{} {}</text>',
                    x(len(points) - 1) + 14,
                    y(v) + 4 + (n % 3 - 1) * 12,
                    n % len(colours),
                    mark_safe(  # noqa: S308 (our own constant shape name)
                        {"circle": "●", "square": "■", "triangle": "▲", "diamond": "◆"}[shape]
                    ),
                    _short(name),
                )
            )
    parts.append("</svg>")
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 (escaped above)


def _short(name: str, limit: int = 22) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def share_chart(*, chart_id: str, title: str, bars, compare_name: str = "") -> SafeString:
    """Horizontal bars, one per aspect: [(aspect name, percent or None,
    earlier percent or None)]. Each bar is labelled with its figure."""
    left, width, row = 230, 640, 30 if not compare_name else 44
    scale = (width - left - 60) / 100
    height = 30 + len(bars) * row
    parts = [
        format_html(
            '<svg class="chart" role="img" aria-labelledby="{0}-t" viewBox="0 0 {1} {2}" '
            'width="{1}" height="{2}" xmlns="http://www.w3.org/2000/svg">'
            '<title id="{0}-t">{3}</title>',
            chart_id,
            width,
            height,
            title,
        ),
        format_html(
            '<defs><pattern id="{}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
            'patternTransform="rotate(45)"><rect width="6" height="6" fill="#e4f2ec"/>'
            '<line x1="0" y1="0" x2="0" y2="6" stroke="#1d6b52" stroke-width="2"/>'
            "</pattern></defs>",
            chart_id,
        ),
    ]
    for tick in (0, 50, 100):
        tx = left + tick * scale
        parts.append(
            f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="10" y2="{height - 10}" stroke="#d5dde1"/>'
            f'<text x="{tx:.1f}" y="10" text-anchor="middle">{tick}%</text>'
        )
    for n, (name, percent, before) in enumerate(bars):
        top = 20 + n * row
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end">{}</text>',
                left - 8,
                top + 15,
                _short(name, 32),
            )
        )
        if percent is not None:
            parts.append(
                f'<rect x="{left}" y="{top + 4}" width="{percent * scale:.1f}" height="16" '
                f'fill="#1d6b52"/><text x="{left + percent * scale + 6:.1f}" y="{top + 17}">'
                f"{percent}%</text>"
            )
        else:
            parts.append(f'<text x="{left + 6}" y="{top + 17}">no judgements</text>')
        if compare_name and before is not None:
            parts.append(
                f'<rect x="{left}" y="{top + 22}" width="{before * scale:.1f}" height="12" '
                f'fill="url(#{chart_id}-hatch)" stroke="#1d6b52"/>'
                + format_html(
                    '<text x="{}" y="{}" class="small">{}: {}%</text>',
                    f"{left + before * scale + 6:.1f}",
                    top + 33,
                    compare_name,
                    before,
                )
            )
    parts.append("</svg>")
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 (escaped above)
