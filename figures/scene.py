"""Geometry: the body from joint angles (a 3-D chain projected on the view), props drawn to the
body's scale, the figure resting on the floor or a support, and the contact checks.

World axes: x is where the figure faces when upright, y is up, z is the figure's left. Lengths
are in centimetres of a 170 cm adult, so props are drawn to scale.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from figures.pose import Drawing, Frame, PoseError, Prop

Vector = tuple[float, float, float]
Matrix = tuple[Vector, Vector, Vector]

# Segment lengths and half-thicknesses (cm).
HIP_HALF = 9.0
LOWER_TRUNK = 22.0
UPPER_TRUNK = 27.0
SHOULDER_HALF = 17.0
SHOULDER_DROP = 4.0
NECK = 9.0
HEAD_RADIUS = 10.5
UPPER_ARM = 29.0
FOREARM = 25.0
HAND = 8.0
THIGH = 42.0
SHIN = 41.0
FOOT_DROP = 6.0
RADII = {
    "lower_trunk": 10.0,
    "upper_trunk": 11.0,
    "neck": 4.5,
    "upper_arm": 4.5,
    "forearm": 4.0,
    "hand": 3.5,
    "thigh": 7.0,
    "shin": 5.0,
    "foot": 3.0,
    "girdle": 4.5,
}
# The seat height that lets a sitting figure's feet rest on the floor.
CHAIR_SEAT = SHIN + FOOT_DROP + RADII["foot"] - RADII["lower_trunk"]
MAT = 1.5
BED = 45.0
PEDAL_CLEARANCE = 8.0  # how far an exercise bike's lower pedal is above the floor
CHAIR_HALF = 22.0  # half the width of a chair seat
STEP = 18.0
TOLERANCE = 1.0  # cm a limb may sink into a prop (soft contact)
# The spine bends along its length, not at one hinge: each trunk part is built from this many
# pieces, each turned by its share of the lumbar or thoracic angle, so a rounded (flexed) or
# hollowed (extended) back shows as a curve.
SPINE_PIECES = 4


def _rx(degrees: float) -> Matrix:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return ((1, 0, 0), (0, c, -s), (0, s, c))


def _ry(degrees: float) -> Matrix:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return ((c, 0, s), (0, 1, 0), (-s, 0, c))


def _rz(degrees: float) -> Matrix:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return ((c, -s, 0), (s, c, 0), (0, 0, 1))


def _mul(a: Matrix, *others: Matrix) -> Matrix:
    result = a
    for b in others:
        result = tuple(  # type: ignore[assignment]
            tuple(sum(result[i][k] * b[k][j] for k in range(3)) for j in range(3)) for i in range(3)
        )
    return result


def _apply(m: Matrix, v: Vector) -> Vector:
    return (
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    )


def _add(a: Vector, b: Vector) -> Vector:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


@dataclass(frozen=True)
class Segment:
    """A body part as a capsule from `a` to `b` with half-thickness `radius`."""

    name: str
    a: Vector
    b: Vector
    radius: float
    side: str  # "l", "r" or "" (the midline)


@dataclass
class Body:
    segments: list[Segment]
    head: Vector
    nose: Vector
    points: dict[str, Vector]
    # The trunk's centre line from the pelvis to the base of the neck, drawn as one bending
    # shape (its pieces are also in `segments`, for the contact checks).
    spine: list[Vector] = field(default_factory=list)

    def moved(self, dy: float) -> Body:
        def up(v: Vector) -> Vector:
            return (v[0], v[1] + dy, v[2])

        return Body(
            segments=[Segment(s.name, up(s.a), up(s.b), s.radius, s.side) for s in self.segments],
            head=up(self.head),
            nose=up(self.nose),
            points={name: up(v) for name, v in self.points.items()},
            spine=[up(v) for v in self.spine],
        )

    def samples(self) -> list[tuple[Vector, float]]:
        """Points along every part with their thickness, for contact checks."""
        found = [(self.head, HEAD_RADIUS)]
        for segment in self.segments:
            for step in range(6):
                t = step / 5
                point = tuple(segment.a[i] + (segment.b[i] - segment.a[i]) * t for i in range(3))
                found.append((point, segment.radius))  # type: ignore[arg-type]
        return found


def _trunk(
    start: Vector, base: Matrix, bend: tuple[float, float, float], length: float
) -> tuple[list[Vector], Matrix]:
    """A trunk part as an arc: pieces each turned by their share of the bend (flexion,
    side-bend, turn), so the part curves; returns its centre line and its end orientation."""
    flex, side, turn = bend
    line = [start]
    for piece in range(SPINE_PIECES):
        share = (piece + 0.5) / SPINE_PIECES
        tilt = _mul(base, _rz(-flex * share), _rx(side * share), _ry(-turn * share))
        line.append(_add(line[-1], _apply(tilt, (0, length / SPINE_PIECES, 0))))
    return line, _mul(base, _rz(-flex), _rx(side), _ry(-turn))


def build_body(angles: Mapping[str, float]) -> Body:
    """Forward kinematics: joint angles to body parts, the pelvis at the origin."""
    a = angles
    pelvis = _mul(_ry(a["turn"]), _rz(-a["lean"]), _ry(a["roll"]))
    origin: Vector = (0.0, 0.0, 0.0)
    lumbar = (a["lumbar"], a["lumbar_side"], a["lumbar_turn"])
    lower_line, lower = _trunk(origin, pelvis, lumbar, LOWER_TRUNK)
    waist = lower_line[-1]
    thoracic = (a["thoracic"], a["thoracic_side"], a["thoracic_turn"])
    upper_line, upper = _trunk(waist, lower, thoracic, UPPER_TRUNK)
    neck_base = upper_line[-1]
    neck = _mul(upper, _rz(-a["neck"]), _rx(a["neck_side"]), _ry(-a["neck_turn"]))
    neck_top = _add(neck_base, _apply(neck, (0, NECK, 0)))
    head = _add(neck_top, _apply(neck, (1.5, HEAD_RADIUS - 1, 0)))
    nose = _add(head, _apply(neck, (HEAD_RADIUS + 2.5, -1.5, 0)))
    segments = [
        Segment(name, line[i], line[i + 1], RADII[name], "")
        for name, line in (("lower_trunk", lower_line), ("upper_trunk", upper_line))
        for i in range(SPINE_PIECES)
    ]
    segments.append(Segment("neck", neck_base, neck_top, RADII["neck"], ""))
    points: dict[str, Vector] = {
        "pelvis": origin,
        "waist": waist,
        "chest": upper_line[round(SPINE_PIECES * 0.6)],
        "neck": neck_base,
        "head": head,
        # An eye between the centre of the head and the nose: which way the face looks.
        "eye": _add(head, _apply(neck, (HEAD_RADIUS * 0.45, 2.5, 0))),
    }
    shoulders = []
    for side, sign in (("l", 1), ("r", -1)):
        lift = SHOULDER_DROP * 2.5 * math.sin(math.radians(a["shrug"]))
        shoulder = _add(neck_base, _apply(upper, (0, -SHOULDER_DROP + lift, sign * SHOULDER_HALF)))
        shoulders.append(shoulder)
        arm = _mul(
            upper,
            _rz(a[f"shoulder_{side}"]),
            _rx(-sign * a[f"shoulder_{side}_abd"]),
            _ry(-sign * a[f"shoulder_{side}_rot"]),
        )
        elbow = _add(shoulder, _apply(arm, (0, -UPPER_ARM, 0)))
        fore = _mul(arm, _rz(a[f"elbow_{side}"]))
        wrist = _add(elbow, _apply(fore, (0, -FOREARM, 0)))
        hand = _add(wrist, _apply(_mul(fore, _rz(a[f"wrist_{side}"])), (0, -HAND, 0)))
        hip = _apply(pelvis, (0, 0, sign * HIP_HALF))
        thigh = _mul(pelvis, _rz(a[f"hip_{side}"]), _rx(-sign * a[f"hip_{side}_abd"]))
        knee = _add(hip, _apply(thigh, (0, -THIGH, 0)))
        shin = _mul(thigh, _rz(-a[f"knee_{side}"]))
        ankle = _add(knee, _apply(shin, (0, -SHIN, 0)))
        foot = _mul(shin, _rz(a[f"ankle_{side}"]))
        heel = _add(ankle, _apply(foot, (-4, -FOOT_DROP, 0)))
        toe = _add(ankle, _apply(foot, (17, -FOOT_DROP, 0)))
        segments += [
            Segment("upper_arm", shoulder, elbow, RADII["upper_arm"], side),
            Segment("forearm", elbow, wrist, RADII["forearm"], side),
            Segment("hand", wrist, hand, RADII["hand"], side),
            Segment("thigh", hip, knee, RADII["thigh"], side),
            Segment("shin", knee, ankle, RADII["shin"], side),
            Segment("foot", heel, toe, RADII["foot"], side),
        ]
        points |= {
            f"shoulder_{side}": shoulder,
            f"elbow_{side}": elbow,
            f"hand_{side}": hand,
            f"hip_{side}": hip,
            f"knee_{side}": knee,
            f"ankle_{side}": ankle,
            f"toe_{side}": toe,
            f"heel_{side}": heel,
        }
    segments.append(Segment("girdle", shoulders[0], shoulders[1], RADII["girdle"], ""))
    spine = lower_line + upper_line[1:]
    return Body(segments=segments, head=head, nose=nose, points=points, spine=spine)


@dataclass(frozen=True)
class Box:
    """A solid prop part in the side plane: x from x0 to x1, y from y0 to y1."""

    x0: float
    x1: float
    y0: float
    y1: float

    def depth_inside(self, point: Vector, radius: float) -> float:
        """How deep a disc of `radius` at `point` reaches into the box (negative: clear)."""
        x, y = point[0], point[1]
        nearest_x = min(max(x, self.x0), self.x1)
        nearest_y = min(max(y, self.y0), self.y1)
        if (nearest_x, nearest_y) == (x, y):  # the centre is inside
            return radius + min(x - self.x0, self.x1 - x, y - self.y0, self.y1 - y)
        return radius - math.hypot(x - nearest_x, y - nearest_y)


@dataclass
class PlacedProp:
    """A prop's drawing primitives in world coordinates (x, y) and its solid parts."""

    name: str
    shapes: list[tuple] = field(default_factory=list)
    solids: list[Box] = field(default_factory=list)
    in_front: bool = False
    # Seen from the front, where a prop's side outline would not do (a chair): its shapes in
    # (z, y), z being across the picture. Empty: the side shapes stretched across the body.
    front: list[tuple] = field(default_factory=list)


def _span(body: Body, names: tuple[str, ...]) -> tuple[float, float]:
    xs = [body.points[name][0] for name in names]
    return min(xs), max(xs)


def _lower_knee(body: Body) -> str:
    return min(("knee_l", "knee_r"), key=lambda name: (body.points[name][1], name))


def _supports(props: tuple[Prop, ...], body: Body) -> list[Box]:
    """Surfaces the figure can rest on, placed under the body parts they go with."""
    xs = [point[0] for point, _ in body.samples()]
    left, right = min(xs) - 25, max(xs) + 25
    found = [Box(-10_000, 10_000, -50, 0)]  # the floor
    for prop in props:
        if prop.name == "mat":
            found.append(Box(left, right, 0, MAT))
        elif prop.name == "bed":
            found.append(Box(left - 10, right + 10, 0, BED))
        elif prop.name == "chair":
            x = body.points["pelvis"][0]
            found.append(Box(x - 12, x + 30, 0, CHAIR_SEAT))
        elif prop.name == "bike":
            # The saddle is set so the lower foot clears the floor on its pedal.
            x, y = body.points["pelvis"][:2]
            lowest_foot = min(
                min(s.a[1], s.b[1]) - s.radius for s in body.segments if s.name == "foot"
            )
            seat = PEDAL_CLEARANCE + (y - lowest_foot) - RADII["lower_trunk"]
            found.append(Box(x - 12, x + 12, 0, seat))
        elif prop.name == "step":
            x0, x1 = _span(body, ("heel_l", "toe_l", "heel_r", "toe_r"))
            found.append(Box(x0 - 8, x1 + 12, 0, STEP))
        elif prop.name == "pillow" and prop.at in ("head", "knees", "hips", "chest"):
            anchor = {
                "head": "head",
                "knees": _lower_knee(body),
                "hips": "pelvis",
                "chest": "chest",
            }
            x = body.points[anchor[prop.at]][0]
            found.append(Box(x - 15, x + 15, 0, 14 if prop.at == "knees" else 7))
        elif prop.name == "towel_roll" and prop.at in ("head", "forehead"):
            x = body.points["head"][0]
            found.append(Box(x - 7, x + 7, 0, 5))
    return found


def _rest(body: Body, supports: list[Box]) -> Body:
    """Lower the figure until it touches the floor or a support, nothing below it."""
    lift = -math.inf
    for point, radius in body.samples():
        for box in supports:
            if box.x0 <= point[0] <= box.x1:
                lift = max(lift, box.y1 - (point[1] - radius))
    on_mat = any(box.y1 == MAT for box in supports)
    return body.moved(lift if lift > -math.inf else (MAT if on_mat else 0.0))


def _place_props(props: tuple[Prop, ...], body: Body, supports: list[Box]) -> list[PlacedProp]:
    p = body.points
    samples = body.samples()
    xs = [point[0] for point, _ in samples]
    left = min(x - r for (x, _, _), r in samples)
    right = max(x + r for (x, _, _), r in samples)
    placed = []
    for prop in props:
        item = PlacedProp(prop.name)
        if prop.name == "mat":
            item.shapes.append(("rect", min(xs) - 20, 0, max(xs) - min(xs) + 40, MAT, "mat"))
        elif prop.name == "bed":
            item.shapes.append(("rect", left - 20, 0, right - left + 40, BED, "furniture"))
        elif prop.name in ("chair", "bike"):
            x = p["pelvis"][0]
            if prop.name == "chair":
                item.shapes += [
                    ("rect", x - 16, CHAIR_SEAT - 4, 46, 4, "furniture"),
                    ("line", x - 12, 0, x - 12, CHAIR_SEAT - 4, 3),
                    ("line", x + 26, 0, x + 26, CHAIR_SEAT - 4, 3),
                    ("rect", x - 20, CHAIR_SEAT - 4, 4, 40, "furniture"),
                ]
                item.solids.append(Box(x - 20, x - 16, CHAIR_SEAT, CHAIR_SEAT + 36))
                # From the front: the back behind the body, the seat and two legs, to scale.
                item.front += [
                    ("rect", -CHAIR_HALF + 3, CHAIR_SEAT, 2 * CHAIR_HALF - 6, 40, "furniture"),
                    ("rect", -CHAIR_HALF, CHAIR_SEAT - 4, 2 * CHAIR_HALF, 4, "furniture"),
                    ("line", -CHAIR_HALF + 3, 0, -CHAIR_HALF + 3, CHAIR_SEAT - 4, 3),
                    ("line", CHAIR_HALF - 3, 0, CHAIR_HALF - 3, CHAIR_SEAT - 4, 3),
                ]
            else:
                # Saddle under the pelvis, the crank between the feet, bars under the hands.
                seat = p["pelvis"][1] - RADII["lower_trunk"]
                ankles = p["ankle_l"], p["ankle_r"]
                cx, cy = (ankles[0][0] + ankles[1][0]) / 2, (ankles[0][1] + ankles[1][1]) / 2
                crank = max(8.0, math.dist(ankles[0][:2], ankles[1][:2]) / 2)
                hand = max((p["hand_l"], p["hand_r"]), key=lambda v: v[0])
                item.shapes += [
                    ("line", x, 0, x, seat - 4, 3),
                    ("line", x, cy, cx, cy, 3),
                    ("line", x - 20, 0, hand[0] + 25, 0, 4),
                    ("line", hand[0], hand[1] - 4, hand[0] + 12, 0, 3),
                    ("circle", cx, cy, crank, "prop"),
                    ("rect", x - 14, seat - 4, 28, 4, "furniture"),
                ]
        elif prop.name == "step":
            x0, x1 = _span(body, ("heel_l", "toe_l", "heel_r", "toe_r"))
            item.shapes.append(("rect", x0 - 8, 0, x1 - x0 + 20, STEP, "furniture"))
        elif prop.name == "pillow":
            if prop.at == "between_knees":
                knee = p["knee_l"]
                item.shapes.append(("ellipse", knee[0] - 8, knee[1], 14, 6, "prop"))
                item.in_front = True
            else:
                box = next(
                    b for b in supports if b.y0 == 0 and b.y1 in (7, 14) and b.x1 - b.x0 == 30
                )
                height = box.y1
                item.shapes.append(
                    ("ellipse", (box.x0 + box.x1) / 2, height / 2, 15, height / 2, "prop")
                )
        elif prop.name == "towel_roll":
            if prop.at == "lower_back":
                waist = p["waist"]
                item.shapes.append(
                    ("circle", waist[0] - RADII["lower_trunk"] - 4, waist[1], 4, "prop")
                )
            else:
                item.shapes.append(("ellipse", p["head"][0], 2.5, 7, 2.5, "prop"))
        elif prop.name == "wall" or prop.name == "doorway":
            if prop.name == "doorway":
                x = max(p["elbow_l"][0], p["elbow_r"][0]) + 4
                item.shapes.append(("rect", x, 0, 6, 205, "furniture"))
                item.in_front = True
            elif prop.at == "in_front":
                item.shapes.append(("wall", right, 0, right + 8, 210))
                item.solids.append(Box(right + TOLERANCE, right + 8, 0, 210))
            else:
                item.shapes.append(("wall", left - 8, 0, left, 210))
                item.solids.append(Box(left - 8, left - TOLERANCE, 0, 210))
        elif prop.name == "table":
            hand = max((p["hand_l"], p["hand_r"]), key=lambda v: v[0])
            top = hand[1] - RADII["forearm"] - 0.5
            x0 = hand[0] - 12
            item.shapes += [
                ("rect", x0, top - 4, 60, 4, "furniture"),
                ("line", x0 + 6, 0, x0 + 6, top - 4, 3),
                ("line", x0 + 54, 0, x0 + 54, top - 4, 3),
            ]
            item.solids.append(Box(x0, x0 + 60, top - 4, top - TOLERANCE))
        elif prop.name == "strap":
            hand, foot = p["hand_l"], p["toe_l"]
            item.shapes.append(("line", hand[0], hand[1], foot[0], foot[1], 1.5))
            item.in_front = True
        elif prop.name == "band":
            hand = p["hand_l"]
            anchor_x = right + 70
            item.shapes += [
                ("rect", anchor_x, 0, 5, 150, "furniture"),
                ("line", hand[0], hand[1], anchor_x, p["chest"][1], 1.5),
            ]
        elif prop.name == "stick":
            back = RADII["upper_trunk"] + 2
            crown = p["head"]
            pelvis = p["pelvis"]
            dx, dy = crown[0] - pelvis[0], crown[1] - pelvis[1]
            length = math.hypot(dx, dy) or 1
            nx, ny = -dy / length * back, dx / length * back
            item.shapes.append(
                (
                    "line",
                    pelvis[0] + nx * 1.0 - dx * 0.15,
                    pelvis[1] + ny - dy * 0.15,
                    crown[0] + nx * 0.9 + dx * 0.2,
                    crown[1] + ny * 0.9 + dy * 0.2,
                    2.5,
                )
            )
            item.in_front = True
        elif prop.name == "ball":
            if prop.at == "behind_back":
                waist = p["waist"]
                item.shapes.append(
                    ("circle", waist[0] - RADII["lower_trunk"] - 11, waist[1], 11, "prop")
                )
            else:
                hand = p["hand_l"]
                item.shapes.append(("circle", hand[0] + 10, hand[1], 11, "prop"))
                item.in_front = True
        elif prop.name == "box":
            hand = p["hand_l"]
            item.shapes.append(("rect", hand[0] - 10, hand[1] - 18, 30, 24, "prop"))
            item.in_front = True
        elif prop.name == "pack":
            # A cold or heat pack lying on the body part (on top of it, or under it).
            if prop.at == "hands":
                hand = p["hand_l"]
                item.shapes.append(("rect", hand[0] - 3, hand[1] - 3, 14, 6, "mat"))
            else:
                spot = p["waist"] if prop.at in ("back", "lower_back") else p["neck"]
                thick = RADII["lower_trunk"] + 3
                y = (
                    max(spot[1] - thick, MAT + 3)
                    if prop.at == "lower_back"
                    else spot[1] + thick - 3
                )
                item.shapes.append(("rect", spot[0] - 9, y - 3, 18, 6, "mat"))
            item.in_front = True
        elif prop.name == "water":
            item.shapes.append(("water", p["chest"][1]))
            item.in_front = True
        placed.append(item)
    return placed


@dataclass
class Scene:
    body: Body
    props: list[PlacedProp]


def build_scene(frame: Frame, where: str = "frame") -> Scene:
    """The frame's body resting on its supports, its props placed; refuses a body that passes
    through a solid prop (a chair back, a wall, a table top)."""
    body = build_body(frame.angles)
    supports = _supports(frame.props, body)
    body = _rest(body, supports)
    props = _place_props(frame.props, body, supports)
    for prop in props:
        for solid in prop.solids:
            for point, radius in body.samples():
                if solid.depth_inside(point, radius) > TOLERANCE:
                    raise PoseError(where, f"the figure passes through the {prop.name}")
    return scene_checked(Scene(body=body, props=props), where)


def scene_checked(scene: Scene, where: str) -> Scene:
    for point, radius in scene.body.samples():
        if point[1] - radius < -TOLERANCE:
            raise PoseError(where, "the figure passes through the ground")
    return scene


def build_scenes(drawing: Drawing) -> list[Scene]:
    return [build_scene(frame, f"frames[{index}]") for index, frame in enumerate(drawing.frames)]
