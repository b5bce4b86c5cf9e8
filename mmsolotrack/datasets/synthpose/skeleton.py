# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The SynthPose figure: PoseTrack's keypoints on a walking 2D body.

A person of height h (head top to ankles) stands with its feet at
``(x, y_feet)`` and faces ``d = +1`` (walking right) or ``-1``. Seen in a
three-quarter view, its left and right joints are offset across the body
(the side facing the camera is the near side). The gait phase phi advances
by 2 pi per stride (two steps, ``STRIDE`` x h walked): thighs swing by
``+-LEG_SWING`` rad, the knees bend in the swing phase, the arms swing in
opposition to the legs, the pelvis bobs.

Keypoints are the 17 slots of PoseTrack 2018; the ears are never annotated
(their positions are the head centre, for completeness).
"""
import numpy as np

from ..posetrack_json import POSETRACK18_KEYPOINTS

KP = {name: i for i, name in enumerate(POSETRACK18_KEYPOINTS)}
NUM_KEYPOINTS = len(POSETRACK18_KEYPOINTS)
#: Keypoints SynthPose annotates (all but the ears).
ANNOTATED = tuple(i for n, i in KP.items() if not n.endswith('_ear'))

# body proportions, as fractions of the height h
HEAD = 0.14  # head top to head bottom
NECK = 0.03  # head bottom to the shoulder line
TORSO = 0.32  # shoulder line to hips
THIGH, SHIN = 0.26, 0.25
UPPER_ARM, FOREARM = 0.17, 0.15
SHOULDER_HALF, HIP_HALF = 0.075, 0.05  # lateral offsets (3/4 view)
STRIDE = 0.9  # distance walked per gait cycle
LEG_SWING, KNEE_BEND, ARM_SWING, ELBOW_BEND = 0.42, 0.6, 0.45, 0.35
BOB = 0.012

#: (start, end, radius / h, part) of every limb; 'near'/'far' limbs are
#: drawn on either side of the torso. Part names the appearance used.
LIMBS = (
    ('left_shoulder', 'left_elbow', 0.036, 'shirt'),
    ('left_elbow', 'left_wrist', 0.030, 'skin'),
    ('right_shoulder', 'right_elbow', 0.036, 'shirt'),
    ('right_elbow', 'right_wrist', 0.030, 'skin'),
    ('left_hip', 'left_knee', 0.050, 'pants'),
    ('left_knee', 'left_ankle', 0.040, 'pants'),
    ('right_hip', 'right_knee', 0.050, 'pants'),
    ('right_knee', 'right_ankle', 0.040, 'pants'),
)
#: Head ellipse half-axes (x, y) as fractions of h.
HEAD_AXES = (0.058, 0.072)


def _limb(start: np.ndarray, length: float, angle: np.ndarray,
          facing: float) -> np.ndarray:
    """End of a limb hanging from ``start`` at ``angle`` from the vertical
    (positive: forward, in the facing direction)."""
    return start + length * np.stack(
        [facing * np.sin(angle), np.cos(angle)], axis=-1)


def body_keypoints(x: float, y_feet: float, h: float, facing: float,
                   phase: float) -> np.ndarray:
    """The 17 keypoints of a walking person at one instant.

    Args:
        x (float): Body centre x.
        y_feet (float): Ground line (ankles at full stance).
        h (float): Height h in pixels.
        facing (float): +1 facing right, -1 facing left.
        phase (float): Gait phase phi in radians.

    Returns:
        np.ndarray: (17, 2) float64 keypoints (x, y) in PoseTrack 2018 order.
    """
    kp = np.zeros((NUM_KEYPOINTS, 2))
    d = float(facing)
    pelvis_y = y_feet - (THIGH + SHIN) * h + BOB * h * abs(np.cos(phase))
    # the left side faces the camera when walking right: offset it forward
    side = {'left': d, 'right': -d}
    for s, sign in side.items():
        leg_phase = phase + (0.0 if s == 'left' else np.pi)
        hip = np.array([x + sign * HIP_HALF * h * 0.6, pelvis_y])
        thigh = LEG_SWING * np.sin(leg_phase)
        # the knee bends while the leg swings forward (sin rising)
        bend = KNEE_BEND * max(0.0, np.cos(leg_phase))
        knee = _limb(hip, THIGH * h, thigh, d)
        ankle = _limb(knee, SHIN * h, thigh - bend, d)
        shoulder = np.array(
            [x + sign * SHOULDER_HALF * h * 0.6, pelvis_y - TORSO * h])
        arm = -ARM_SWING * np.sin(leg_phase)  # opposite to the leg
        elbow = _limb(shoulder, UPPER_ARM * h, arm, d)
        wrist = _limb(elbow, FOREARM * h, arm + ELBOW_BEND, d)
        for name, point in (('hip', hip), ('knee', knee), ('ankle', ankle),
                            ('shoulder', shoulder), ('elbow', elbow), ('wrist',
                                                                       wrist)):
            kp[KP[f'{s}_{name}']] = point
    neck = np.array([x + d * 0.015 * h, pelvis_y - (TORSO + NECK) * h])
    kp[KP['head_bottom']] = neck
    kp[KP['head_top']] = neck + [d * 0.01 * h, -HEAD * h]
    centre = head_centre(kp)
    kp[KP['nose']] = centre + [d * 0.045 * h, 0.012 * h]
    kp[KP['left_ear']] = kp[KP['right_ear']] = centre
    return kp


def head_centre(kp: np.ndarray) -> np.ndarray:
    """Middle of head top and head bottom: the head ellipse's centre."""
    return (kp[KP['head_top']] + kp[KP['head_bottom']]) / 2


def head_box(kp: np.ndarray, h: float) -> list:
    """``[x, y, w, h]`` of the head ellipse (PoseTrack's ``bbox_head``)."""
    cx, cy = head_centre(kp)
    ax, ay = HEAD_AXES[0] * h, HEAD_AXES[1] * h
    return [float(cx - ax), float(cy - ay), float(2 * ax), float(2 * ay)]
