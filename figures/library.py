"""Named base poses: the starting positions exercises are drawn from.

A frame names one and gives only the angles that differ. A physio building a drawing for a
clinic exercise picks from these and from the catalogue's frames.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_POSES: dict[str, dict[str, float]] = {
    "standing": {"shoulder_l_abd": 6, "shoulder_r_abd": 6, "elbow_l": 10, "elbow_r": 10},
    "sitting": {
        "hip_l": 90,
        "hip_r": 90,
        "knee_l": 90,
        "knee_r": 90,
        "shoulder_l": 20,
        "shoulder_r": 20,
        "elbow_l": 60,
        "elbow_r": 60,
    },
    "lying_back": {
        "lean": -90,
        "shoulder_l_abd": 10,
        "shoulder_r_abd": 10,
        "ankle_l": -30,
        "ankle_r": -30,
    },
    "hook_lying": {
        "lean": -90,
        "hip_l": 50,
        "hip_r": 50,
        "knee_l": 95,
        "knee_r": 95,
        "ankle_l": 0,
        "ankle_r": 0,
        "shoulder_l_abd": 12,
        "shoulder_r_abd": 12,
    },
    "lying_front": {"lean": 90, "ankle_l": -45, "ankle_r": -45, "neck": -10},
    # Hands under the shoulders, knees under the hips, palms flat: the arms are longer than
    # the thighs, so the back slopes a little up toward the head.
    "all_fours": {
        "lean": 77,
        "hip_l": 77,
        "hip_r": 77,
        "knee_l": 95,
        "knee_r": 95,
        "shoulder_l": 77,
        "shoulder_r": 77,
        # Feet relaxed behind, their tops toward the floor, not propping the knees up.
        "ankle_l": -50,
        "ankle_r": -50,
        "neck": -10,
        "wrist_l": 90,
        "wrist_r": 90,
    },
    "kneeling": {"knee_l": 90, "knee_r": 90, "ankle_l": -45, "ankle_r": -45},
    "half_kneeling": {"hip_l": 90, "knee_l": 90, "hip_r": -10, "knee_r": 90, "ankle_r": -45},
    "side_lying": {
        "lean": -90,
        "roll": 90,
        "hip_l": 45,
        "hip_r": 45,
        "knee_l": 70,
        "knee_r": 70,
        "shoulder_l": 70,
        "shoulder_r": 70,
        "elbow_l": 30,
        "elbow_r": 30,
        "ankle_l": -20,
        "ankle_r": -20,
    },
}

BASE_POSES: Mapping[str, Mapping[str, float]] = MappingProxyType(
    {name: MappingProxyType(angles) for name, angles in _POSES.items()}
)
