# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Rendering a scene at one simulated frame, with occlusion by depth order.

Objects are painted far to near into an image and a label map, then the
pillar is painted on top; an object's visible mask is where the label map
still holds its id, so masks never overlap and hidden pixels are removed.
"""
from typing import List, Optional

import numpy as np
from pycocotools import mask as mask_utils

from .background import draw_pillar
from .scene import Scene
from .shapes import SYNTHVIS_CLASSES, rasterize_polygon, shape_polygon
from .textures import shade


def render_frame(scene: Scene, step: int, rng: np.random.Generator,
                 noise_std: float) -> tuple:
    """Render simulated frame ``step``.

    Args:
        scene (Scene): The video.
        step (int): Simulated frame index s.
        rng (np.random.Generator): Source of the sensor noise.
        noise_std (float): Std of the additive noise (intensity in [0, 1]).

    Returns:
        tuple[np.ndarray, np.ndarray]: (H, W, 3) uint8 RGB image and (H, W)
        int32 label map: 0 background or pillar, i + 1 where object i is
        the visible one.
    """
    image = scene.backdrop.copy()
    height, width = image.shape[:2]
    labels = np.zeros((height, width), np.int32)
    order = sorted(range(len(scene.objects)),
                   key=lambda i: scene.objects[i].depth)
    for i in order:
        obj = scene.objects[i]
        tr = obj.track
        radius = obj.radius * tr.scales[step]
        angle, aspect = tr.angles[step], tr.aspects[step]
        center = tr.centers[step]
        poly = shape_polygon(SYNTHVIS_CLASSES[obj.category], center, radius,
                             angle, aspect)
        ys, xs = np.nonzero(rasterize_polygon(poly, height, width))
        if len(xs) == 0:
            continue
        # pixel -> object frame: undo translation, rotation, squash, scale
        dx, dy = xs + 0.5 - center[0], ys + 0.5 - center[1]
        c, s = np.cos(angle), np.sin(angle)
        u = (c * dx + s * dy) / (radius * aspect)
        v = (-s * dx + c * dy) * aspect / radius
        image[ys, xs] = shade(obj.texture, u, v) * tr.brightness[step]
        labels[ys, xs] = i + 1
    if scene.pillar is not None:
        labels[draw_pillar(scene.pillar, step, image)] = 0
    image *= scene.lighting.gain(step, height, width)
    image += rng.normal(0.0, noise_std, size=image.shape).astype(np.float32)
    image = np.clip(np.round(image * 255.0), 0, 255).astype(np.uint8)
    return image, labels


def encode_mask(mask: np.ndarray) -> dict:
    """Compressed RLE of a binary mask, json-ready.

    Args:
        mask (np.ndarray): (H, W) bool.

    Returns:
        dict: ``{'size': [H, W], 'counts': str}``.
    """
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return dict(size=[int(v) for v in rle['size']],
                counts=rle['counts'].decode('ascii'))


def frame_annotations(labels: np.ndarray, num_objects: int,
                      min_visible_area: int) -> List[Optional[tuple]]:
    """Per-object (segmentation, bbox, area) of one frame, None if hidden.

    Args:
        labels (np.ndarray): (H, W) label map from :func:`render_frame`.
        num_objects (int): Number of objects of the scene.
        min_visible_area (int): Masks with fewer pixels count as hidden.

    Returns:
        list[tuple | None]: For each object, ``(rle, [x, y, w, h], area)``
        or None.
    """
    counts = np.bincount(labels.ravel(), minlength=num_objects + 1)
    out = []
    for i in range(num_objects):
        if counts[i + 1] < min_visible_area:
            out.append(None)
            continue
        ys, xs = np.nonzero(labels == i + 1)
        x0, y0 = int(xs.min()), int(ys.min())
        bbox = [float(x0), float(y0), float(xs.max() - x0 + 1),
                float(ys.max() - y0 + 1)]
        out.append((encode_mask(labels == i + 1), bbox, int(counts[i + 1])))
    return out
