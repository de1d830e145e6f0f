"""The figure renderer: human ranges, props, contact with the ground, and the SVG it writes."""

import math
import re

import pytest

from exercises.catalogue_file import load_catalogue_file
from figures import PoseError, check_drawing, render_drawing, render_png
from figures.pose import HUMAN_RANGES, parse_drawing
from figures.scene import MAT, RADII, TOLERANCE, build_scenes

CATALOGUE = load_catalogue_file()


def two_frames(end: dict, *, props=("mat",), start: dict | None = None) -> dict:
    return {
        "view": "left",
        "props": list(props),
        "frames": [
            {"label": "start", "pose": "hook_lying", **(start or {})},
            {"label": "end", "pose": "hook_lying", **end},
        ],
    }


@pytest.mark.parametrize(
    ("end", "where", "message"),
    [
        ({"knee_l": 170}, "frames[1].knee_l", "170 degrees is outside the human range 0 to 150"),
        ({"elbow_r": -10}, "frames[1].elbow_r", "-10 degrees is outside the human range 0 to 150"),
        ({"hip_l": 140}, "frames[1].hip_l", "140 degrees is outside the human range -30 to 130"),
        ({"lumbar": -40}, "frames[1].lumbar", "-40 degrees is outside the human range -25 to 60"),
        (
            {"neck_turn": 95},
            "frames[1].neck_turn",
            "95 degrees is outside the human range -80 to 80",
        ),
        ({"ankle_l": 40}, "frames[1].ankle_l", "40 degrees is outside the human range -50 to 30"),
        ({"tail": 10}, "frames[1].tail", "unknown joint"),
        ({"knee_l": "bent"}, "frames[1].knee_l", "must be a number of degrees"),
        ({"pose": "handstand"}, "frames[1].pose", "unknown base pose 'handstand'"),
        ({}, "frames[1]", "draws the same as frames[0]"),
        ({"label": "start"}, "frames[1].label", "'start' is used by an earlier frame"),
    ],
)
def test_poses_outside_human_ranges_or_malformed_are_refused(end, where, message):
    with pytest.raises(PoseError) as caught:
        check_drawing(two_frames(end))

    assert caught.value.where == where
    assert caught.value.message.startswith(message)


def test_a_base_pose_plus_the_frames_angle_is_checked_too():
    # Each angle alone is in range; "base" shared by the frames adds up to the same joint.
    drawing = two_frames({"lumbar": 20})
    drawing["base"] = {"lumbar": 70}

    with pytest.raises(PoseError) as caught:
        check_drawing(drawing)

    assert caught.value.where == "frames[0].lumbar"


@pytest.mark.parametrize(
    ("props", "where", "message"),
    [
        (["trampoline"], "props[0]", "unknown prop 'trampoline'"),
        ([{"prop": "pillow", "at": "elbow"}], "props[0]", "unknown place 'elbow' for pillow"),
        ([{"at": "head"}], "props[0]", "must be a prop name or {prop: NAME, at: PLACE}"),
    ],
)
def test_unknown_props_are_refused(props, where, message):
    with pytest.raises(PoseError) as caught:
        check_drawing(two_frames({"knee_l": 10}, props=props))

    assert (caught.value.where, caught.value.message.split(";")[0]) == (where, message)


def test_one_frame_is_not_a_drawing():
    with pytest.raises(PoseError) as caught:
        check_drawing({"view": "left", "frames": [{"label": "start", "pose": "standing"}]})

    assert (caught.value.where, caught.value.message) == ("frames", "give 2 to 4 frames")


def test_a_figure_that_leans_back_through_the_chair_is_refused():
    sitting = {"label": "start", "pose": "sitting"}
    through = {"label": "end", "pose": "sitting", "lumbar": -25, "thoracic": -25}

    with pytest.raises(PoseError) as caught:
        check_drawing({"view": "left", "props": ["chair"], "frames": [sitting, through]})

    assert (caught.value.where, caught.value.message) == (
        "frames[1]",
        "the figure passes through the chair",
    )


ENTRIES = [entry for entry in CATALOGUE.entries if entry.drawing]


def test_every_catalogue_exercise_has_a_drawing_of_at_least_two_frames():
    assert [entry.id for entry in ENTRIES] == list(CATALOGUE.ids)
    assert all(len(entry.drawing["frames"]) >= 2 for entry in ENTRIES)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.id)
def test_every_catalogue_frame_rests_on_the_ground_or_a_support_and_never_below(entry):
    for scene in build_scenes(parse_drawing(entry.drawing)):
        lowest = min(point[1] - radius for point, radius in scene.body.samples())
        names = {prop.name for prop in scene.props}
        floor = MAT if "mat" in names else 0.0
        # Resting: the lowest point touches the floor or mat, or something higher holds it.
        assert lowest >= -TOLERANCE
        if not names & {"chair", "bed", "bike", "pillow", "step", "towel_roll", "water"}:
            assert lowest == pytest.approx(floor, abs=0.01)


def _picture(svg: str) -> str:
    """The drawing without its title and description (those name the exercise)."""
    return re.sub(r"<title>.*?</title><desc>.*?</desc>", "", svg)


def _render(entry):
    return render_drawing(
        entry.drawing,
        name=entry.name,
        first_step=entry.steps[0],
        hold_seconds=entry.dosage.hold_s,
        each_side=entry.dosage.per_side,
    )


def test_no_two_catalogue_exercises_share_a_drawing_and_frames_differ():
    drawings = {entry.id: tuple(_picture(f.svg) for f in _render(entry)) for entry in ENTRIES}

    assert len(set(drawings.values())) == len(drawings)
    assert [key for key, frames in drawings.items() if len(set(frames)) != len(frames)] == []
    # Not only the cues: the figures themselves differ between exercises.
    bodies = {
        key: tuple(
            re.sub(r"<text.*?</text>|<polyline[^>]*/>|<polygon[^>]*/>", "", f) for f in frames
        )
        for key, frames in drawings.items()
    }
    assert len(set(bodies.values())) == len(bodies)


def test_the_svg_is_small_deterministic_and_titled_for_screen_readers():
    entry = CATALOGUE["F03"]

    first, second = _render(entry), _render(entry)

    assert [f.svg for f in first] == [f.svg for f in second]
    assert [f.label for f in first] == ["start", "end"]
    assert max(len(f.svg.encode()) for f in first) < 6000
    assert "<title>Single knee to chest: start</title>" in first[0].svg
    assert f"<desc>{entry.steps[0]}</desc>" in first[0].svg
    assert "\u2194 each side" in first[0].svg  # per_side
    assert "hold 20 s" in first[1].svg and "hold" not in first[0].svg
    assert "<polygon" in first[0].svg  # the arrow's head, start frame only
    assert "<polygon" not in first[1].svg
    assert "<script" not in first[0].svg


def test_names_with_markup_are_escaped_in_the_svg():
    frame = render_drawing(two_frames({"knee_l": 10}), name="<b>x</b> & y", first_step="a<b")[0]

    assert "<title>&lt;b&gt;x&lt;/b&gt; &amp; y: start</title><desc>a&lt;b</desc>" in frame.svg


def test_the_png_of_a_start_frame_is_a_small_png():
    png = render_png(CATALOGUE["C06"].drawing, width=200)

    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[16:20], "big") == 200
    assert len(png) < 20_000


def test_every_joint_has_a_range_that_includes_upright():
    assert all(low <= 0 <= high for low, high in HUMAN_RANGES.values())


def _frame_scenes(drawing):
    return build_scenes(parse_drawing(drawing))


def _bulge(scene) -> float:
    """How far the middle of the back rises above the straight line from pelvis to neck."""
    spine = scene.body.spine
    (x0, y0), (x1, y1) = spine[0][:2], spine[-1][:2]
    xm, ym = spine[len(spine) // 2][:2]
    return ym - (y0 + (y1 - y0) * (xm - x0) / (x1 - x0))


def test_cat_and_camel_round_the_back_up_and_let_it_sag():
    start, cat, camel = _frame_scenes(CATALOGUE["F04"].drawing)

    assert abs(_bulge(start)) < 1
    assert _bulge(cat) > 6  # rounded up toward the ceiling
    assert _bulge(camel) < -3  # hollowed toward the floor
    for scene in (start, cat, camel):
        # Hands and knees stay on the mat whichever way the back bends.
        points = scene.body.points
        assert points["hand_l"][1] - RADII["forearm"] == pytest.approx(MAT, abs=1.5)
        assert points["knee_l"][1] - RADII["thigh"] == pytest.approx(MAT, abs=1.5)


def test_the_arrow_follows_the_part_a_drawing_names_or_none():
    chin_tuck = CATALOGUE["PO01"].drawing
    head = _frame_scenes(chin_tuck)[0].body.points["head"]
    svg = _render(CATALOGUE["PO01"])[0].svg
    arrow = re.search(r'<polyline points="([^"]+)"', svg)
    xs_ys = [tuple(map(float, pair.split(","))) for pair in arrow.group(1).split()]

    # The arrow starts within a head's reach of the head (not at the knee).
    assert math.dist(xs_ys[0], (head[0], -head[1])) < 30
    assert "<polygon" not in _render(CATALOGUE["SC06"])[0].svg  # rest positions: no arrow

    with pytest.raises(PoseError) as caught:
        check_drawing({**two_frames({"knee_l": 10}), "arrow": "tail"})
    assert caught.value.where == "arrow"


def test_a_chair_seen_from_the_front_is_drawn_to_scale_not_across_the_picture():
    seated = {
        "view": "front",
        "props": ["chair"],
        "frames": [
            {"label": "start", "pose": "sitting", "shoulder_l_abd": 80, "shoulder_r_abd": 80},
            {"label": "end", "pose": "sitting", "neck_side": 30},
        ],
    }
    svg = render_drawing(seated, name="x", first_step="y")[0].svg
    rects = [
        float(width) for width in re.findall(r'<rect x="[^"]+" y="[^"]+" width="([^"]+)"', svg)
    ]

    assert rects and max(rects) <= 44  # the seat's width, not the outstretched arms'


def test_a_frame_may_be_seen_from_above_and_the_view_is_checked():
    drawing = CATALOGUE["SC06"].drawing
    frames = render_drawing(drawing, name="x", first_step="y")

    ground = re.compile(r'<path d="M[-\d.]+ 0H[-\d.]+"')
    assert ground.search(frames[0].svg)  # lying on the back, from the side: a ground line
    assert not ground.search(frames[1].svg)  # side lying, from above: the mat, no ground line
    assert frames[0].aspect == frames[1].aspect  # still one canvas, so the frames line up
    with pytest.raises(PoseError) as caught:
        check_drawing(two_frames({"knee_l": 10, "view": "below"}))
    assert caught.value.where == "frames[1].view"


def test_the_wrist_has_a_human_range():
    with pytest.raises(PoseError) as caught:
        check_drawing(two_frames({"wrist_l": 100}))

    assert caught.value.where == "frames[1].wrist_l"
