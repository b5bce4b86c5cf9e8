# Copyright (c) mmsolotrack contributors. All rights reserved.
"""SynthVIS shape categories and their rasterisation.

Every shape is a polygon in a unit frame (circumradius about 1, centred on
the origin). A pose maps it to the image: anisotropic squash (aspect a:
x * a, y / a), isotropic radius r, rotation theta, translation (cx, cy).
"""
import cv2
import numpy as np

#: Category names; category ids are 1 + the index in this tuple.
SYNTHVIS_CLASSES = ('circle', 'square', 'triangle', 'star', 'cross')

#: One RGB colour per category, for visualisers (``metainfo['palette']``).
SYNTHVIS_PALETTE = [(220, 20, 60), (0, 130, 200), (60, 180, 75),
                    (255, 225, 25), (145, 30, 180)]

_SUBPIXEL_BITS = 4  # cv2.fillPoly ``shift``: 1/16 pixel vertex precision


def _regular(num: int, radius: float = 1.0, start: float = 0.0) -> np.ndarray:
    angles = start + 2 * np.pi * np.arange(num) / num
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def _star(points: int = 5, inner: float = 0.45) -> np.ndarray:
    outer = _regular(points, 1.0, -np.pi / 2)
    inner_pts = _regular(points, inner, -np.pi / 2 + np.pi / points)
    return np.stack([outer, inner_pts], axis=1).reshape(-1, 2)


def _cross(half_width: float = 0.33) -> np.ndarray:
    w = half_width
    return np.array([[-w, -1], [w, -1], [w, -w], [1, -w], [1, w], [w, w],
                     [w, 1], [-w, 1], [-w, w], [-1, w], [-1, -w], [-w, -w]])


#: Unit polygons (N, 2) in (x, y), in the order of ``SYNTHVIS_CLASSES``.
UNIT_POLYGONS = {
    'circle': _regular(40),
    'square': np.array([[-0.72, -0.72], [0.72, -0.72], [0.72, 0.72],
                        [-0.72, 0.72]]),
    'triangle': _regular(3, 1.0, -np.pi / 2),
    'star': _star(),
    'cross': _cross(),
}


def shape_polygon(name: str, center, radius: float, angle: float,
                  aspect: float) -> np.ndarray:
    """Place the unit polygon of ``name`` in the image.

    Args:
        name (str): One of ``SYNTHVIS_CLASSES``.
        center (tuple[float, float]): (cx, cy) in pixels.
        radius (float): Circumradius r in pixels.
        angle (float): Rotation theta in radians (counter-clockwise in x-y).
        aspect (float): Squash a > 0; the unit x axis is scaled by a and the
            y axis by 1 / a before rotation.

    Returns:
        np.ndarray: (N, 2) float64 vertices (x, y) in pixels.
    """
    if name not in UNIT_POLYGONS:
        raise ValueError(f'unknown SynthVIS shape {name!r}; expected one of '
                         f'{SYNTHVIS_CLASSES}')
    pts = UNIT_POLYGONS[name] * np.array([aspect, 1.0 / aspect]) * radius
    c, s = np.cos(angle), np.sin(angle)
    rot = np.array([[c, -s], [s, c]])
    return pts @ rot.T + np.asarray(center, dtype=np.float64)


def rasterize_polygon(polygon: np.ndarray, height: int,
                      width: int) -> np.ndarray:
    """Fill a polygon (sub-pixel vertices); parts outside are clipped.

    Args:
        polygon (np.ndarray): (N, 2) vertices (x, y) in pixels.
        height (int): Image height H.
        width (int): Image width W.

    Returns:
        np.ndarray: (H, W) bool mask.
    """
    canvas = np.zeros((height, width), dtype=np.uint8)
    pts = np.round(polygon * (1 << _SUBPIXEL_BITS)).astype(np.int32)
    cv2.fillPoly(canvas, [pts], 1, lineType=cv2.LINE_8,
                 shift=_SUBPIXEL_BITS)
    return canvas.astype(bool)
