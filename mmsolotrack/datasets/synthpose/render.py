# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Rendering a SynthPose frame, with occlusion by depth, and its keypoint
visibility.

People are painted far to near (by ground line) into an image and a label
map, each from its far-side limbs through torso and head to its near-side
limbs; then the pillar is painted on top. Limbs are capsules, the torso a
quadrilateral, the head an ellipse; shirts and trousers carry a SynthVIS
texture in the part's own frame (it moves and turns with the limb).

Visibility of a keypoint (COCO / mmpose convention): 2 when it is inside
the image and its pixel shows its own person (self-occlusion by the own
body counts as visible), 1 when it is inside the image but covered by a
nearer person or the pillar, 0 when it is outside the image (written as
``0, 0, 0``: not annotated).
"""
from typing import List, Optional

import numpy as np

from ..synthvis.background import draw_pillar
from ..synthvis.shapes import rasterize_polygon
from ..synthvis.textures import shade
from .scene import PoseScene, Walker
from .skeleton import (ANNOTATED, HEAD_AXES, KP, LIMBS, NUM_KEYPOINTS,
                       body_keypoints, head_box, head_centre)

#: Torso half-widths (shoulders, hips) as fractions of h.
TORSO_HALF = (0.095, 0.08)
#: Size of one texture unit, as a fraction of h.
TEXTURE_UNIT = 0.1


def _window(lo: np.ndarray, hi: np.ndarray, height: int, width: int):
    """Pixel centres of the box [lo, hi] clipped to the image."""
    x0, y0 = np.maximum(np.floor(lo).astype(int), 0)
    x1 = min(int(np.ceil(hi[0])), width - 1)
    y1 = min(int(np.ceil(hi[1])), height - 1)
    if x1 < x0 or y1 < y0:
        return None
    ys, xs = np.mgrid[y0:y1 + 1, x0:x1 + 1]
    return ys.ravel(), xs.ravel()


def capsule(p: np.ndarray, q: np.ndarray, radius: float, height: int,
            width: int) -> Optional[tuple]:
    """Pixels of a capsule (segment p-q thickened by ``radius``).

    Returns:
        tuple[np.ndarray] | None: ys, xs, and the limb-frame coordinates
        ``along`` (from p) and ``across`` (signed) of those pixels, in
        pixels; None when no pixel is inside the image.
    """
    win = _window(
        np.minimum(p, q) - radius,
        np.maximum(p, q) + radius, height, width)
    if win is None:
        return None
    ys, xs = win
    axis = q - p
    length = float(np.hypot(*axis)) or 1e-6
    unit = axis / length
    rel = np.stack([xs + 0.5 - p[0], ys + 0.5 - p[1]], axis=1)
    along = rel @ unit
    across = rel[:, 0] * -unit[1] + rel[:, 1] * unit[0]
    nearest = np.clip(along, 0, length)
    inside = (along - nearest)**2 + across**2 <= radius**2
    return ys[inside], xs[inside], along[inside], across[inside]


def person_parts(person: Walker, step: int, kp: np.ndarray) -> list:
    """Drawing list of one person, far to near: (kind, geometry, material).

    ``kind`` is 'capsule' (p, q, radius), 'polygon' ((N, 2), origin, axis)
    or 'ellipse' (centre, axes); ``material`` 'shirt', 'pants' or 'skin'.
    """
    h, d = float(person.height[step]), float(person.facing[step])
    near = 'left' if d > 0 else 'right'
    limbs = {'near': [], 'far': []}
    for a, b, radius, material in LIMBS:
        group = 'near' if a.startswith(near) else 'far'
        limbs[group].append(
            ('capsule', (kp[KP[a]], kp[KP[b]], radius * h), material))
    arms = {g: [p for p in limbs[g] if p[2] != 'pants'] for g in limbs}
    legs = {g: [p for p in limbs[g] if p[2] == 'pants'] for g in limbs}
    shoulder_c = (kp[KP['left_shoulder']] + kp[KP['right_shoulder']]) / 2
    hip_c = (kp[KP['left_hip']] + kp[KP['right_hip']]) / 2
    hs, hh = TORSO_HALF[0] * h, TORSO_HALF[1] * h
    torso = np.array([
        shoulder_c - [hs, 0], shoulder_c + [hs, 0], hip_c + [hh, 0.02 * h],
        hip_c - [hh, -0.02 * h]
    ])
    head = ('ellipse', (head_centre(kp), np.array(HEAD_AXES) * h), 'skin')
    return (arms['far'] + legs['far'] +
            [('polygon', (torso, shoulder_c, hip_c - shoulder_c), 'shirt')] +
            legs['near'] + [head] + arms['near'])


def _paint(kind, geometry, height, width, unit):
    """Pixels of one part and their texture coordinates."""
    if kind == 'capsule':
        out = capsule(*geometry, height, width)
        if out is None:
            return None
        ys, xs, along, across = out
        return ys, xs, along / unit, across / unit
    if kind == 'polygon':
        poly, origin, axis = geometry
        ys, xs = np.nonzero(rasterize_polygon(poly, height, width))
        unit_axis = axis / (np.hypot(*axis) or 1e-6)
        rel = np.stack([xs + 0.5 - origin[0], ys + 0.5 - origin[1]], axis=1)
        return (ys, xs, rel @ unit_axis / unit,
                (rel[:, 0] * -unit_axis[1] + rel[:, 1] * unit_axis[0]) / unit)
    centre, axes = geometry
    win = _window(centre - axes, centre + axes, height, width)
    if win is None:
        return None
    ys, xs = win
    inside = (((xs + 0.5 - centre[0]) / axes[0])**2 +
              ((ys + 0.5 - centre[1]) / axes[1])**2) <= 1
    return ys[inside], xs[inside], None, None


def scene_keypoints(scene: PoseScene, step: int) -> np.ndarray:
    """(N, 17, 2) keypoints of everybody at simulated frame ``step``."""
    return np.array([
        body_keypoints(p.x[step], p.y_feet[step], p.height[step],
                       p.facing[step], p.phase[step]) for p in scene.people
    ]).reshape(-1, NUM_KEYPOINTS, 2)


def render_frame(scene: PoseScene, step: int, rng: np.random.Generator,
                 noise_std: float) -> tuple:
    """Render simulated frame ``step``.

    Returns:
        tuple[np.ndarray]: (H, W, 3) uint8 RGB image, (H, W) int32 label map
        (0 background or pillar, i + 1 where person i is seen) and
        (N, 17, 2) keypoints.
    """
    image = scene.backdrop.copy()
    height, width = image.shape[:2]
    labels = np.zeros((height, width), np.int32)
    keypoints = scene_keypoints(scene, step)
    order = sorted(
        range(len(scene.people)),
        key=lambda i: (scene.people[i].y_feet[step], i))
    for i in order:
        person = scene.people[i]
        unit = TEXTURE_UNIT * float(person.height[step])
        for kind, geometry, material in person_parts(person, step,
                                                     keypoints[i]):
            out = _paint(kind, geometry, height, width, unit)
            if out is None or len(out[0]) == 0:
                continue
            ys, xs, u, v = out
            if material == 'skin':
                image[ys, xs] = np.asarray(person.skin, np.float32)
            else:
                image[ys, xs] = shade(getattr(person, material), u, v)
            labels[ys, xs] = i + 1
    if scene.pillar is not None:
        labels[draw_pillar(scene.pillar, step, image)] = 0
    image *= scene.lighting.gain(step, height, width)
    image += rng.normal(0.0, noise_std, size=image.shape).astype(np.float32)
    image = np.clip(np.round(image * 255.0), 0, 255).astype(np.uint8)
    return image, labels, keypoints


def keypoint_visibility(keypoints: np.ndarray, labels: np.ndarray,
                        index: int) -> np.ndarray:
    """COCO visibility (0, 1, 2) of person ``index``'s keypoints.

    Args:
        keypoints (np.ndarray): (17, 2) its keypoints.
        labels (np.ndarray): (H, W) label map of the frame.
        index (int): Its index i (label i + 1).

    Returns:
        np.ndarray: (17, ) int; the ears are always 0.
    """
    height, width = labels.shape
    vis = np.zeros(NUM_KEYPOINTS, np.int64)
    for k in ANNOTATED:
        x, y = keypoints[k]
        if 0 <= x < width and 0 <= y < height:
            vis[k] = 2 if labels[int(y), int(x)] == index + 1 else 1
    return vis


def frame_people(scene: PoseScene, step: int, labels: np.ndarray,
                 keypoints: np.ndarray,
                 min_visible: int) -> List[Optional[dict]]:
    """Per person its annotation fields in this frame, None if unseen.

    Returns:
        list[dict | None]: ``keypoints`` ([x, y, v] * 17), ``bbox`` (box of
        its visible pixels), ``bbox_head`` (the whole head ellipse) and
        ``num_visible``; None with fewer than ``min_visible`` visible
        keypoints.
    """
    out = []
    for i, person in enumerate(scene.people):
        kpts = np.round(keypoints[i], 2)  # as written: 1/100 pixel
        vis = keypoint_visibility(kpts, labels, i)
        if (vis == 2).sum() < min_visible:
            out.append(None)
            continue
        flat = []
        for (x, y), v in zip(kpts, vis):
            flat += [float(x), float(y), int(v)] if v else [0.0, 0.0, 0]
        ys, xs = np.nonzero(labels == i + 1)
        x0, y0 = int(xs.min()), int(ys.min())
        out.append(
            dict(
                keypoints=flat,
                bbox=[
                    float(x0),
                    float(y0),
                    float(xs.max() - x0 + 1),
                    float(ys.max() - y0 + 1)
                ],
                bbox_head=[
                    round(v, 2)
                    for v in head_box(keypoints[i], float(person.height[step]))
                ],
                num_visible=int((vis == 2).sum())))
    return out
