"""Exercise drawings: a 2-D articulated human figure drawn from joint angles, with props and
movement cues, as SVG (or a small PNG through Pillow).

Pure Python: nothing from Django or the apps, so the catalogue loader, the pages, the PDF and
the tests draw the same figure. `pose.py` holds the joint table and the human ranges,
`library.py` the named base poses, `scene.py` the geometry (body, props, contact checks) and
`render.py` the output formats.
"""

from figures.pose import JOINTS, PoseError, parse_drawing
from figures.render import render_drawing, render_png

__all__ = ["JOINTS", "PoseError", "parse_drawing", "render_drawing", "render_png"]
