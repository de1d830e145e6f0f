"""Exercise drawings: a 2-D articulated human figure drawn from joint angles, with props and
movement cues, as SVG (or a small PNG through Pillow).

Pure Python: nothing from Django or the apps, so the catalogue loader, the pages, the PDF and
the tests draw the same figure. `pose.py` holds the joint table and the human ranges,
`library.py` the named base poses, `scene.py` the geometry (body, props, contact checks) and
`render.py` the output formats.
"""

from figures.library import BASE_POSES
from figures.pose import JOINTS, PROPS, PoseError, parse_drawing
from figures.render import RenderedFrame, render_drawing, render_png
from figures.scene import build_scenes


def check_drawing(raw: object) -> None:
    """Validate a drawing completely: its fields, the joint ranges, and that no frame passes
    through the ground or a prop. Raises `PoseError` naming the frame and field."""
    build_scenes(parse_drawing(raw))


__all__ = [
    "BASE_POSES",
    "JOINTS",
    "PROPS",
    "PoseError",
    "RenderedFrame",
    "check_drawing",
    "parse_drawing",
    "render_drawing",
    "render_png",
]
