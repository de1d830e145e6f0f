"""Drawing a pose: the scenes of a drawing projected on its view, with the movement arrow, the
hold marker and "each side", as SVG (vector, for pages and the PDF) or PNG (for email).

The same list of drawing operations feeds both outputs, so the email picture is the start
frame the page shows. Output is deterministic: numbers are rounded, nothing is random.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

from figures.pose import ARROW_POINTS, NO_ARROW, Drawing, parse_drawing
from figures.scene import RADII, Body, Scene, Segment, build_scenes

INK = "#000"
NEAR = "#fff"
FAR = "#c4c4c4"
PROP_FILL = {"mat": "#ddd", "furniture": "#fff", "prop": "#eee"}
OUTLINE = 2.4
TRUNK_FRONT_WIDTH = 1.45  # the trunk is wider seen from the front than from the side
MARGIN = 10.0
TOP_ROOM = 18.0  # room above the figure for the hold marker and "each side"
MIN_ARROW = 14.0
ABOVE_EDGE = 15.0  # seen from above: the mat's margin beyond the figure
ABOVE_MAT = "#f2f2f2"  # a whole mat under the figure: lighter than a mat's edge from the side
TRUNK_PARTS = ("lower_trunk", "upper_trunk")
TRUNK_RADIUS = (RADII["lower_trunk"] + RADII["upper_trunk"]) / 2

Op = tuple[Any, ...]


def _n(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Cues:
    hold_seconds: int | None = None
    each_side: bool = False
    # The words drawn in the figure, in the reader's language (exercises.illustrations gives
    # them translated); `hold_text` has the placeholder %(seconds)s.
    each_side_text: str = "each side"
    hold_text: str = "hold %(seconds)s s"


class _Projector:
    def __init__(self, view: str, scenes: list[Scene]) -> None:
        self.view = view
        zs = [point[2] for scene in scenes for point, _ in scene.body.samples()]
        self.z_low, self.z_high = min(zs), max(zs)
        self.low_side = ""  # seen from above: the side the figure lies on (drawn grey)

    def x(self, point: tuple[float, ...]) -> float:
        if self.view == "front":
            return point[2]
        return -point[0] if self.view == "right" else point[0]

    def depth(self, point: tuple[float, ...]) -> float:
        if self.view == "front":
            return point[0]
        if self.view == "above":
            return point[1]
        return -point[2] if self.view == "right" else point[2]

    def screen(self, point: tuple[float, ...]) -> tuple[float, float]:
        if self.view == "above":
            # Across the floor, the figure's right side nearest the floor line.
            return point[0], -(point[2] - self.z_low) - ABOVE_EDGE
        return self.x(point), -point[1]

    def span(self, x: float, width: float) -> tuple[float, float]:
        """A prop's extent along the screen: from the side its own; from the front the
        body's width with room either side."""
        if self.view == "front":
            return self.z_low - 20, self.z_high - self.z_low + 40
        if self.view == "right":
            return -(x + width), width
        return x, width

    def far_side(self) -> str:
        if self.view == "above":
            return self.low_side
        return {"left": "r", "right": "l"}.get(self.view, "")

    def trunk_width(self, body: Body) -> float:
        """Seen from the front, or from above on the back or front: the trunk's breadth."""
        wide = self.view == "front"
        if self.view == "above":
            hip_l, hip_r = body.points["hip_l"], body.points["hip_r"]
            wide = abs(hip_l[2] - hip_r[2]) > abs(hip_l[1] - hip_r[1])
        return TRUNK_FRONT_WIDTH if wide else 1.0


def _segment_ops(segment: Segment, projector: _Projector) -> Op:
    width = 2 * segment.radius

    fill = FAR if segment.side and segment.side == projector.far_side() else NEAR
    (x1, y1), (x2, y2) = projector.screen(segment.a), projector.screen(segment.b)
    return ("capsule", x1, y1, x2, y2, width, fill)


def _prop_ops(scene: Scene, projector: _Projector, front: bool, bounds: list[float]) -> list[Op]:
    ops: list[Op] = []
    for prop in scene.props:
        if prop.in_front != front:
            continue
        if projector.view == "front" and prop.front:
            ops += _front_ops(prop.front)
            continue
        if projector.view == "above":
            ops += _above_ops(prop.shapes, projector)
            continue
        for shape in prop.shapes:
            kind = shape[0]
            if kind == "rect":
                _, x, y, w, h, style = shape
                sx, sw = projector.span(x, w)
                ops.append(("rect", sx, -(y + h), sw, h, PROP_FILL[style]))
            elif kind == "line":
                _, x1, y1, x2, y2, width = shape
                if projector.view == "front":
                    continue
                sx1, sx2 = projector.x((x1, 0, 0)), projector.x((x2, 0, 0))
                ops.append(("line", sx1, -y1, sx2, -y2, width))
            elif kind in ("circle", "ellipse"):
                _, cx, cy, *radii, style = shape
                sx = projector.x((cx, 0, 0)) if projector.view != "front" else 0.0
                rx, ry = (radii[0], radii[0]) if kind == "circle" else radii
                ops.append(("ellipse", sx, -cy, rx, ry, PROP_FILL[style]))
            elif kind == "wall":
                _, x0, _, x1, height = shape
                if projector.view == "front":
                    continue
                sx, sw = projector.span(x0, x1 - x0)
                ops.append(("wall", sx, -height, sw, height))
            elif kind == "water":
                ops.append(("water", -shape[1], bounds[0], bounds[2]))
    return ops


def _front_ops(shapes: list[tuple]) -> list[Op]:
    """A prop's own front-view shapes, in (z, y): drawn where they are, not stretched."""
    ops: list[Op] = []
    for shape in shapes:
        if shape[0] == "rect":
            _, z, y, w, h, style = shape
            ops.append(("rect", z, -(y + h), w, h, PROP_FILL[style]))
        elif shape[0] == "line":
            _, z1, y1, z2, y2, width = shape
            ops.append(("line", z1, -y1, z2, -y2, width))
    return ops


def _above_ops(shapes: list[tuple], projector: _Projector) -> list[Op]:
    """A prop seen from above: a mat or bed under the whole figure, a pillow or pack where it
    lies; uprights (chair legs, walls, straps) are left out."""
    ops: list[Op] = []
    across = projector.z_high - projector.z_low + 2 * ABOVE_EDGE
    for shape in shapes:
        if shape[0] == "rect":
            _, x, _, w, h, style = shape
            if (style == "mat" and w > 60) or (style == "furniture" and w > 120):
                ops.append(("rect", x, -across, w, across, ABOVE_MAT))
            else:
                ops.append(("rect", x, -across / 2 - h / 2, w, h, PROP_FILL[style]))
        elif shape[0] in ("circle", "ellipse"):
            _, cx, _, *radii, style = shape
            rx = radii[0]
            ops.append(("ellipse", cx, -across / 2, rx, 9.0, PROP_FILL[style]))
    return ops


def _body_ops(scene: Scene, projector: _Projector) -> list[Op]:
    body = scene.body
    hip_l, hip_r = body.points["hip_l"][1], body.points["hip_r"][1]
    projector.low_side = "l" if hip_l < hip_r - 4 else "r" if hip_r < hip_l - 4 else ""
    items: list[tuple[float, int, list[Op]]] = []
    for order, segment in enumerate(body.segments):
        if segment.name in TRUNK_PARTS:
            continue  # drawn as one bending shape below
        depth = (projector.depth(segment.a) + projector.depth(segment.b)) / 2
        if not segment.side:
            depth = 0.0 if segment.name != "girdle" else -0.5
        items.append((depth, order, [_segment_ops(segment, projector)]))
    trunk_width = 2 * TRUNK_RADIUS * projector.trunk_width(body)
    spine = [projector.screen(point) for point in body.spine]
    items.append((0.0, -1, [("path", spine, trunk_width, NEAR)]))
    hx, hy = projector.screen(body.head)
    nx, ny = projector.screen(body.nose)
    # The nose shows where the face points: from the side a tick, from the front a dot.
    nose_from = (hx + (nx - hx) * 0.72, hy + (ny - hy) * 0.72)
    head: list[Op] = [("head", hx, hy, 10.5), ("line", *nose_from, nx, ny, 3.0)]
    if projector.view != "front":
        ex, ey = projector.screen(body.points["eye"])
        head.append(("line", ex, ey, ex, ey, 3.4))
    items.append((0.1, len(items), head))
    items.sort(key=lambda item: (item[0], item[1]))
    return [op for _, _, ops in items for op in ops]


def _body_bounds(scenes: list[Scene], projectors: list[_Projector]) -> list[float]:
    xs: list[float] = []
    ys: list[float] = []
    for scene, projector in zip(scenes, projectors, strict=True):
        for point, radius in scene.body.samples():
            x, y = projector.screen(point)
            xs += [x - radius * TRUNK_FRONT_WIDTH, x + radius * TRUNK_FRONT_WIDTH]
            ys += [y - radius, y + radius]
        if projector.view == "above":
            ys.append(-(projector.z_high - projector.z_low + 2 * ABOVE_EDGE))
            for prop in scene.props:
                for shape in prop.shapes:
                    if shape[0] == "rect" and shape[5] == "mat" and shape[3] > 60:
                        xs += [shape[1], shape[1] + shape[3]]
            continue
        for prop in scene.props:
            if projector.view == "front":
                for shape in prop.front:
                    if shape[0] == "rect":
                        xs += [shape[1], shape[1] + shape[3]]
                        ys.append(-(shape[2] + shape[4]))
            for shape in prop.shapes:
                if shape[0] == "rect" and projector.view != "front" and shape[3] < 120:
                    sx, sw = projector.span(shape[1], shape[3])
                    xs += [sx, sx + sw]
                    ys.append(-(shape[2] + shape[4]))
                elif shape[0] in ("circle", "ellipse") and projector.view != "front":
                    sx = projector.x((shape[1], 0, 0))
                    xs += [sx - shape[3], sx + shape[3]]
                    ys.append(-shape[2] - shape[-2])
                elif shape[0] == "line" and projector.view != "front":
                    xs += [projector.x((shape[1], 0, 0)), projector.x((shape[3], 0, 0))]
                    ys += [-shape[2], -shape[4]]
    ys.append(0.0)
    return [min(xs) - MARGIN, min(ys) - MARGIN - TOP_ROOM, max(xs) + MARGIN, 4.0]


def _arrow_ops(start: Scene, end: Scene, projector: _Projector, follow: str = "") -> list[Op]:
    """A curved arrow along the path of the body point the drawing names, else of the one
    that moves most."""
    best, best_distance = "head", -1.0
    for name in (follow,) if follow else ARROW_POINTS:
        a, b = start.body.points[name], end.body.points[name]
        distance = math.dist(projector.screen(a), projector.screen(b))
        if distance > best_distance + 0.5:
            best, best_distance = name, distance
    (x1, y1) = projector.screen(start.body.points[best])
    (x2, y2) = projector.screen(end.body.points[best])
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy)
    if length < MIN_ARROW:
        # A small movement (a tilt, a squeeze): a short arrow of the minimum length, or a
        # short upward nudge where the point barely moves at all.
        ux, uy = (dx / length, dy / length) if length > 0.5 else (0.0, -1.0)
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        x1, y1 = cx - ux * MIN_ARROW / 2, cy - uy * MIN_ARROW / 2
        x2, y2 = cx + ux * MIN_ARROW / 2, cy + uy * MIN_ARROW / 2
        dx, dy, length = x2 - x1, y2 - y1, MIN_ARROW
    # Offset the arrow from the body so it does not lie on the limb, bowed outward.
    nx, ny = -dy / length, dx / length
    if ny > 0:
        nx, ny = -nx, -ny
    shift = 14.0
    x1, y1, x2, y2 = x1 + nx * shift, y1 + ny * shift, x2 + nx * shift, y2 + ny * shift
    bow = min(length * 0.25, 18.0)
    mx, my = (x1 + x2) / 2 + nx * bow, (y1 + y2) / 2 + ny * bow
    points = []
    for step in range(9):
        t = step / 8 * 0.88
        points.append(
            (
                (1 - t) ** 2 * x1 + 2 * (1 - t) * t * mx + t * t * x2,
                (1 - t) ** 2 * y1 + 2 * (1 - t) * t * my + t * t * y2,
            )
        )
    hx, hy = points[-1]
    ax, ay = x2 - hx, y2 - hy
    head_length = math.hypot(ax, ay) or 1.0
    ax, ay = ax / head_length * 9, ay / head_length * 9
    tip = (hx + ax, hy + ay)
    wing1 = (hx - ay * 0.55, hy + ax * 0.55)
    wing2 = (hx + ay * 0.55, hy - ax * 0.55)
    return [("polyline", points, 2.6), ("polygon", [tip, wing1, wing2])]


def _marker_ops(
    bounds: list[float], label: str | None, cues: Cues, is_hold_frame: bool
) -> list[Op]:
    ops: list[Op] = []
    top = bounds[1] + 13
    if cues.each_side and label in ("start", None):
        ops.append(("text", bounds[0] + 4, top, "start", f"\u2194 {cues.each_side_text}"))
    if cues.hold_seconds and is_hold_frame:
        text = cues.hold_text % {"seconds": cues.hold_seconds}
        right = bounds[2] - 4
        cx = right - 6.6 * len(text) - 9  # DejaVu Sans at 11: about 6.6 units a character
        ops += [
            ("clock", cx, top - 4, 6.0),
            ("text", right, top, "end", text),
        ]
    return ops


def frame_ops(drawing: Drawing, cues: Cues) -> tuple[list[float], list[list[Op]]]:
    """The drawing operations of every frame, on one shared canvas so the frames line up."""
    scenes = build_scenes(drawing)
    projectors = [_Projector(frame.view, scenes) for frame in drawing.frames]
    bounds = _body_bounds(scenes, projectors)
    hold_index = len(scenes) - 1 if len(scenes) == 2 else max(1, len(scenes) // 2)
    frames = []
    for index, (scene, projector) in enumerate(zip(scenes, projectors, strict=True)):
        ops: list[Op] = [] if projector.view == "above" else [("ground", bounds[0], bounds[2])]
        ops += _prop_ops(scene, projector, front=False, bounds=bounds)
        ops += _body_ops(scene, projector)
        ops += _prop_ops(scene, projector, front=True, bounds=bounds)
        moves = drawing.arrow != NO_ARROW
        if moves and index + 1 < len(scenes) and not (len(scenes) > 2 and index == len(scenes) - 1):
            ops += _arrow_ops(scene, scenes[index + 1], projector, drawing.arrow)
        ops += _marker_ops(
            bounds, drawing.frames[index].label if index == 0 else "", cues, index == hold_index
        )
        frames.append(ops)
    return bounds, frames


def _points(points: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


def _svg_op(op: Op) -> str:
    kind = op[0]
    if kind == "capsule":
        _, x1, y1, x2, y2, width, fill = op
        d = f"M{_n(x1)} {_n(y1)}L{_n(x2)} {_n(y2)}"
        return (
            f'<path d="{d}" stroke="{INK}" stroke-width="{_n(width + 2 * OUTLINE)}"/>'
            f'<path d="{d}" stroke="{fill}" stroke-width="{_n(width)}"/>'
        )
    if kind == "path":
        _, points, width, fill = op
        d = "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in points)
        return (
            f'<path d="{d}" stroke="{INK}" stroke-width="{_n(width + 2 * OUTLINE)}"/>'
            f'<path d="{d}" stroke="{fill}" stroke-width="{_n(width)}"/>'
        )
    if kind == "head":
        _, x, y, r = op
        return (
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{NEAR}" '
            f'stroke="{INK}" stroke-width="{OUTLINE}"/>'
        )
    if kind == "line":
        _, x1, y1, x2, y2, width = op
        d = f"M{_n(x1)} {_n(y1)}L{_n(x2)} {_n(y2)}"
        return f'<path d="{d}" stroke="{INK}" stroke-width="{_n(width)}"/>'
    if kind == "rect":
        _, x, y, w, h, fill = op
        return (
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{fill}" '
            f'stroke="{INK}" stroke-width="1.4"/>'
        )
    if kind == "ellipse":
        _, cx, cy, rx, ry, fill = op
        return (
            f'<ellipse cx="{_n(cx)}" cy="{_n(cy)}" rx="{_n(rx)}" ry="{_n(ry)}" fill="{fill}" '
            f'stroke="{INK}" stroke-width="1.4"/>'
        )
    if kind == "wall":
        _, x, y, w, h = op
        hatch = "".join(f"M{_n(x)} {_n(y + t)}l{_n(w)} -{_n(w)}" for t in range(int(w), int(h), 14))
        return (
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="#fff" '
            f'stroke="{INK}" stroke-width="1.4"/>'
            f'<path d="{hatch}" stroke="{INK}" stroke-width="0.8"/>'
        )
    if kind == "water":
        _, y, x0, x1 = op
        waves = "".join("q5 -4 10 0t10 0" for _ in range(int((x1 - x0) / 20) + 1))
        return f'<path d="M{_n(x0)} {_n(y)}{waves}" stroke="{INK}" stroke-width="1.2"/>'
    if kind == "ground":
        _, x0, x1 = op
        return f'<path d="M{_n(x0)} 0H{_n(x1)}" stroke="{INK}" stroke-width="1.6"/>'
    if kind == "polyline":
        _, points, width = op
        return f'<polyline points="{_points(points)}" stroke="{INK}" stroke-width="{_n(width)}"/>'
    if kind == "polygon":
        return f'<polygon points="{_points(op[1])}" fill="{INK}"/>'
    if kind == "clock":
        _, x, y, r = op
        return (
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="#fff" stroke="{INK}" '
            f'stroke-width="1.4"/>'
            f'<path d="M{_n(x)} {_n(y)}v-{_n(r * 0.7)}M{_n(x)} {_n(y)}h{_n(r * 0.5)}" '
            f'stroke="{INK}" stroke-width="1.2"/>'
        )
    if kind == "text":
        _, x, y, anchor, text = op
        return (
            f'<text x="{_n(x)}" y="{_n(y)}" font-family="DejaVu Sans, sans-serif" '
            f'font-size="11" text-anchor="{anchor}" fill="{INK}" stroke="none">'
            f"{escape(text)}</text>"
        )
    raise ValueError(f"unknown drawing operation {kind}")


def _svg(bounds: list[float], ops: list[Op], title: str, desc: str) -> str:
    x0, y0, x1, y1 = bounds
    body = "".join(_svg_op(op) for op in ops)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{_n(x0)} {_n(y0)} {_n(x1 - x0)} '
        f'{_n(y1 - y0)}" width="{round(x1 - x0)}" height="{round(y1 - y0)}" role="img">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
        f'<g fill="none" stroke-linecap="round" stroke-linejoin="round">{body}</g></svg>'
    )


@dataclass(frozen=True)
class RenderedFrame:
    label: str
    svg: str
    aspect: float  # width / height, the same for every frame of a drawing


def render_drawing(
    raw: Any,
    *,
    name: str,
    first_step: str,
    hold_seconds: int | None = None,
    each_side: bool = False,
    words: Mapping[str, str] | None = None,
) -> list[RenderedFrame]:
    """Every frame of a drawing as an SVG document, titled for screen readers with the
    exercise's name and first step. Raises `PoseError` for an invalid drawing.

    `words` gives the figure's words in the reader's language: `each_side`, `hold` (with
    %(seconds)s) and each frame label by its own name (`start`, `end`, ...); English without."""
    words = words or {}
    drawing = parse_drawing(raw)
    bounds, frames = frame_ops(
        drawing, _cues(words, hold_seconds=hold_seconds, each_side=each_side)
    )
    rendered = []
    for frame, ops in zip(drawing.frames, frames, strict=True):
        title = f"{name}: {words.get(frame.label, frame.label)}"
        aspect = (bounds[2] - bounds[0]) / (bounds[3] - bounds[1])
        rendered.append(RenderedFrame(frame.label, _svg(bounds, ops, title, first_step), aspect))
    return rendered


def _cues(words: Mapping[str, str], *, hold_seconds: int | None, each_side: bool) -> Cues:
    """The cues, drawn in `words` (English where a word is not given)."""
    return Cues(
        hold_seconds=hold_seconds,
        each_side=each_side,
        each_side_text=words.get("each_side") or Cues.each_side_text,
        hold_text=words.get("hold") or Cues.hold_text,
    )


def render_png(
    raw: Any,
    *,
    width: int = 240,
    frame: int = 0,
    each_side: bool = False,
    words: Mapping[str, str] | None = None,
) -> bytes:
    """One frame as a PNG (Pillow), for email clients that do not show SVG."""
    drawing = parse_drawing(raw)
    bounds, frames = frame_ops(drawing, _cues(words or {}, hold_seconds=None, each_side=each_side))
    x0, y0, x1, y1 = bounds
    supersample = 3
    scale = width / (x1 - x0) * supersample
    size = (width * supersample, max(1, round((y1 - y0) * scale)))
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)

    def at(x: float, y: float) -> tuple[float, float]:
        return ((x - x0) * scale, (y - y0) * scale)

    def capsule(x1: float, y1: float, x2: float, y2: float, w: float, colour: str) -> None:
        radius = w * scale / 2
        draw.line([at(x1, y1), at(x2, y2)], fill=colour, width=max(1, round(w * scale)))
        for x, y in ((x1, y1), (x2, y2)):
            cx, cy = at(x, y)
            draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=colour)

    font = ImageFont.load_default(size=11 * scale)
    for op in frames[frame]:
        kind = op[0]
        if kind == "capsule":
            _, ax, ay, bx, by, w, fill = op
            capsule(ax, ay, bx, by, w + 2 * OUTLINE, INK)
            capsule(ax, ay, bx, by, w, fill)
        elif kind == "path":
            _, points, w, fill = op
            for colour, thickness in ((INK, w + 2 * OUTLINE), (fill, w)):
                for (ax, ay), (bx, by) in itertools.pairwise(points):
                    capsule(ax, ay, bx, by, thickness, colour)
        elif kind in ("head", "clock"):
            _, cx, cy, r = op
            (left, top), (right, bottom) = at(cx - r, cy - r), at(cx + r, cy + r)
            draw.ellipse(
                [left, top, right, bottom], fill=NEAR, outline=INK, width=round(OUTLINE * scale)
            )
        elif kind == "line":
            _, ax, ay, bx, by, w = op
            capsule(ax, ay, bx, by, w, INK)
        elif kind in ("rect", "wall"):
            _, x, y, w, h, *fill = op
            draw.rectangle(
                [at(x, y), at(x + w, y + h)],
                fill=fill[0] if fill else NEAR,
                outline=INK,
                width=round(1.4 * scale),
            )
        elif kind == "ellipse":
            _, cx, cy, rx, ry, fill = op
            draw.ellipse(
                [at(cx - rx, cy - ry), at(cx + rx, cy + ry)],
                fill=fill,
                outline=INK,
                width=round(1.4 * scale),
            )
        elif kind == "ground":
            draw.line([at(op[1], 0), at(op[2], 0)], fill=INK, width=round(1.6 * scale))
        elif kind == "water":
            draw.line([at(op[2], op[1]), at(op[3], op[1])], fill=INK, width=round(1.2 * scale))
        elif kind == "polyline":
            draw.line([at(x, y) for x, y in op[1]], fill=INK, width=round(op[2] * scale))
        elif kind == "polygon":
            draw.polygon([at(x, y) for x, y in op[1]], fill=INK)
        elif kind == "text":
            draw.text(at(op[1], op[2] - 10), op[4], fill=INK, font=font)
    image = image.resize((width, round(size[1] / supersample)), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


__all__ = ["RenderedFrame", "render_drawing", "render_png"]
