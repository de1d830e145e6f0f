"""Poses: joint angles checked against human ranges, props, frames and their validation.

A pose is a set of joint angles in degrees, written as a named base pose from
`figures.library` plus the joints that differ from it. Angles are anatomical: 0 is the
upright standing position (arms by the sides); positive is flexion, abduction, turning or
bending to the figure's left. `lean`, `roll` and `turn` place the whole body (lean 90: face
down; lean -90: on the back; roll 90: on the right side) and are not joints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from figures.library import BASE_POSES

# Joint name -> (lowest, highest) angle in degrees. The active ranges of motion of a healthy
# adult (AAOS / Norkin & White tables), rounded: a drawing outside them shows a body doing
# what no patient should be asked to do, so it is refused.
HUMAN_RANGES: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "lumbar": (-25, 60),  # flexion + / extension -
        "lumbar_side": (-25, 25),
        "lumbar_turn": (-15, 15),
        "thoracic": (-25, 45),
        "thoracic_side": (-20, 20),
        "thoracic_turn": (-40, 40),
        "neck": (-60, 60),
        "neck_side": (-45, 45),
        "neck_turn": (-80, 80),
        "shoulder_l": (-60, 180),  # flexion + / extension -
        "shoulder_r": (-60, 180),
        "shoulder_l_abd": (-30, 180),
        "shoulder_r_abd": (-30, 180),
        "shoulder_l_rot": (-70, 90),  # external rotation +
        "shoulder_r_rot": (-70, 90),
        "shrug": (-10, 40),  # shoulder blades raised + / drawn down -
        "elbow_l": (0, 150),
        "elbow_r": (0, 150),
        # The hand bent back (+, as when leaning on the palm; drawn with the forearm turned
        # palm down) or curled forward (-).
        "wrist_l": (-80, 90),
        "wrist_r": (-80, 90),
        "hip_l": (-30, 130),
        "hip_r": (-30, 130),
        "hip_l_abd": (-30, 50),
        "hip_r_abd": (-30, 50),
        "knee_l": (0, 150),
        "knee_r": (0, 150),
        "ankle_l": (-50, 30),  # dorsiflexion + / plantarflexion -
        "ankle_r": (-50, 30),
    }
)
# Whole-body placement, not joints: any angle is a posture somebody can take.
PLACEMENT: Mapping[str, tuple[float, float]] = MappingProxyType(
    {"lean": (-180, 180), "roll": (-90, 90), "turn": (-90, 90)}
)
JOINTS = tuple(HUMAN_RANGES)
ANGLES = (*PLACEMENT, *JOINTS)

# "above": looking down on a figure lying on the floor (knees rocking, side lying, open book);
# the mat is drawn under the figure and its near edge stands for the floor line.
VIEWS = ("left", "right", "front", "above")
PROPS = (
    "mat",
    "chair",
    "wall",
    "pillow",
    "towel_roll",
    "strap",
    "ball",
    "step",
    "water",
    "table",
    "band",
    "stick",
    "box",
    "bed",
    "bike",
    "doorway",
    "pack",
)
# Where a prop that goes with a body part sits; the first is the default.
PROP_PLACES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "pillow": ("head", "knees", "hips", "between_knees", "chest"),
        "towel_roll": ("lower_back", "head", "forehead"),
        "wall": ("behind", "in_front"),
        "ball": ("hands", "behind_back"),
        "pack": ("back", "hands", "neck", "lower_back"),
    }
)
MIN_FRAMES = 2
MAX_FRAMES = 4
FRAME_KEYS = ("label", "pose", "props", "view")
DRAWING_KEYS = ("view", "props", "frames", "base", "arrow")
# The body points a movement arrow can follow; a drawing may name the one that moves (else the
# renderer follows the point that moves most between the frames), or "none" where the frames
# are positions to choose from rather than a movement (rest positions, a heat pack).
ARROW_POINTS = (
    "hand_l",
    "hand_r",
    "elbow_l",
    "elbow_r",
    "shoulder_l",
    "shoulder_r",
    "knee_l",
    "knee_r",
    "toe_l",
    "toe_r",
    "head",
    "chest",
    "pelvis",
    "waist",
)
NO_ARROW = "none"


class PoseError(ValueError):
    """A drawing is invalid; `where` names the frame and field (`frames[1].knee_l`)."""

    def __init__(self, where: str, message: str) -> None:
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Prop:
    name: str
    at: str = ""


@dataclass(frozen=True)
class Frame:
    label: str
    angles: Mapping[str, float]
    props: tuple[Prop, ...]
    view: str = "left"  # the drawing's view, or the frame's own where the frames differ


@dataclass(frozen=True)
class Drawing:
    view: str
    frames: tuple[Frame, ...]
    arrow: str = ""  # the body point the movement arrow follows; "" to pick the one moving most


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _props(raw: Any, where: str) -> tuple[Prop, ...]:
    if not isinstance(raw, list):
        raise PoseError(where, "must be a list of props")
    props = []
    for index, item in enumerate(raw):
        spot = f"{where}[{index}]"
        if isinstance(item, str):
            name, at = item, ""
        elif isinstance(item, dict) and set(item) <= {"prop", "at"} and "prop" in item:
            name, at = item["prop"], item.get("at", "")
        else:
            raise PoseError(spot, "must be a prop name or {prop: NAME, at: PLACE}")
        if name not in PROPS:
            raise PoseError(spot, f"unknown prop {name!r}; known: {', '.join(PROPS)}")
        places = PROP_PLACES.get(name, ())
        if at and at not in places:
            allowed = ", ".join(places) or "none"
            raise PoseError(spot, f"unknown place {at!r} for {name}; allowed: {allowed}")
        props.append(Prop(name, at or (places[0] if places else "")))
    return tuple(props)


def check_angles(angles: Mapping[str, float], where: str) -> None:
    """Refuse an unknown joint or an angle outside its human range."""
    for name, value in angles.items():
        limits = HUMAN_RANGES.get(name) or PLACEMENT.get(name)
        if limits is None:
            raise PoseError(f"{where}.{name}", "unknown joint")
        if not _is_number(value):
            raise PoseError(f"{where}.{name}", "must be a number of degrees")
        low, high = limits
        if not low <= value <= high:
            raise PoseError(
                f"{where}.{name}",
                f"{value:g} degrees is outside the human range {low:g} to {high:g}",
            )


def resolve_pose(raw: Mapping[str, Any], where: str) -> dict[str, float]:
    """A base pose's angles with the frame's own angles over them, checked."""
    base = raw.get("pose")
    if not isinstance(base, str) or base not in BASE_POSES:
        raise PoseError(
            f"{where}.pose", f"unknown base pose {base!r}; known: {', '.join(BASE_POSES)}"
        )
    own = {key: value for key, value in raw.items() if key not in FRAME_KEYS}
    check_angles(own, where)
    angles = {name: 0.0 for name in ANGLES}
    angles.update(BASE_POSES[base])
    angles.update({key: float(value) for key, value in own.items()})
    check_angles(angles, where)
    return angles


def parse_drawing(raw: Any) -> Drawing:
    """Validate a drawing (view, shared props, 2-4 frames that differ) and resolve its poses.

    Raises `PoseError` naming the frame and field. Whether the figure passes through the
    ground or a prop is checked when the scene is built (`figures.scene.build_scene`).
    """
    if not isinstance(raw, dict):
        raise PoseError("drawing", "must be a mapping with view, props and frames")
    unknown = sorted(set(raw) - set(DRAWING_KEYS))
    if unknown:
        raise PoseError(f"drawing.{unknown[0]}", "unknown field")
    view = raw.get("view", "left")
    if view not in VIEWS:
        raise PoseError("view", f"must be one of {', '.join(VIEWS)}")
    arrow = raw.get("arrow", "")
    if arrow and arrow not in (*ARROW_POINTS, NO_ARROW):
        raise PoseError("arrow", f"must be one of {', '.join(ARROW_POINTS)}, {NO_ARROW}")
    shared = _props(raw.get("props", []), "props")
    frames_raw = raw.get("frames")
    if not isinstance(frames_raw, list) or not MIN_FRAMES <= len(frames_raw) <= MAX_FRAMES:
        raise PoseError("frames", f"give {MIN_FRAMES} to {MAX_FRAMES} frames")
    base = raw.get("base", {})
    if not isinstance(base, dict):
        raise PoseError("base", "must be a mapping of angles shared by every frame")
    frames: list[Frame] = []
    for index, item in enumerate(frames_raw):
        where = f"frames[{index}]"
        if not isinstance(item, dict):
            raise PoseError(where, "must be a mapping with label, pose and angles")
        label = item.get("label")
        if not isinstance(label, str) or not label.strip():
            raise PoseError(f"{where}.label", "required: start, middle, end, ...")
        if any(frame.label == label for frame in frames):
            raise PoseError(f"{where}.label", f"{label!r} is used by an earlier frame")
        angles = resolve_pose({**base, **item}, where)
        props = shared + _props(item.get("props", []), f"{where}.props")
        frame_view = item.get("view", view)
        if frame_view not in VIEWS:
            raise PoseError(f"{where}.view", f"must be one of {', '.join(VIEWS)}")
        frame = Frame(label=label, angles=MappingProxyType(angles), props=props, view=frame_view)
        for earlier_index, earlier in enumerate(frames):
            if dict(earlier.angles) == angles and (earlier.props, earlier.view) == (
                props,
                frame_view,
            ):
                raise PoseError(where, f"draws the same as frames[{earlier_index}]")
        frames.append(frame)
    return Drawing(view=view, frames=tuple(frames), arrow=arrow)
