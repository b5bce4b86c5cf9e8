# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Per-instance appearance: a colour pair and a texture pattern.

The texture lives in the object's own normalised frame (u, v), where the
unit polygon has circumradius 1, so it moves, rotates, scales and squashes
with the object. Colour + texture are an instance's only identity cue.
"""
import colorsys
from dataclasses import dataclass

import numpy as np

TEXTURE_KINDS = ('stripes', 'checker', 'dots')


@dataclass(frozen=True)
class Texture:
    """Appearance of one instance.

    Attributes:
        kind (str): One of ``TEXTURE_KINDS``.
        frequency (float): Pattern cycles per unit radius.
        orientation (float): Pattern direction in the object frame (rad).
        phase (float): Pattern offset in cycles.
        color_a (tuple[float]): Main RGB colour in [0, 1].
        color_b (tuple[float]): Second RGB colour in [0, 1] (same hue).
    """
    kind: str
    frequency: float
    orientation: float
    phase: float
    color_a: tuple
    color_b: tuple


def spaced_hues(rng: np.random.Generator, num: int) -> np.ndarray:
    """Hues in [0, 1) spread around the circle, in random order.

    Neighbouring hues are at least ``0.5 / num`` apart, so instances of a
    video are distinguishable by colour.

    Returns:
        np.ndarray: (num,) hues.
    """
    offset = rng.random()
    jitter = rng.uniform(-0.25, 0.25, size=num) / max(num, 1)
    return (offset + rng.permutation(num) / max(num, 1) + jitter) % 1.0


def sample_texture(rng: np.random.Generator, hue: float) -> Texture:
    """Draw a texture of the given hue: saturated, never near grey."""
    sat = rng.uniform(0.55, 0.95)
    val = rng.uniform(0.55, 0.95)
    if val > 0.72:  # the second colour is a darker shade ...
        val_b, sat_b = val * rng.uniform(0.45, 0.65), sat
    else:  # ... or a lighter, paler one
        val_b, sat_b = min(1.0, val * rng.uniform(1.35, 1.6)), sat * 0.6
    return Texture(
        kind=TEXTURE_KINDS[rng.integers(len(TEXTURE_KINDS))],
        frequency=float(rng.uniform(1.2, 3.5)),
        orientation=float(rng.uniform(0.0, np.pi)),
        phase=float(rng.random()),
        color_a=colorsys.hsv_to_rgb(hue, sat, val),
        color_b=colorsys.hsv_to_rgb(hue, sat_b, val_b))


def texture_pattern(tex: Texture, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Which pixels take ``color_a``.

    Args:
        tex (Texture): The appearance.
        u (np.ndarray): (N,) object-frame x of the pixels.
        v (np.ndarray): (N,) object-frame y of the pixels.

    Returns:
        np.ndarray: (N,) bool.
    """
    c, s = np.cos(tex.orientation), np.sin(tex.orientation)
    a = tex.frequency * (c * u + s * v) + tex.phase
    b = tex.frequency * (-s * u + c * v) + tex.phase
    if tex.kind == 'stripes':
        return (a % 1.0) < 0.5
    if tex.kind == 'checker':
        return (np.floor(a) + np.floor(b)) % 2 == 0
    if tex.kind == 'dots':
        return ((a % 1.0) - 0.5)**2 + ((b % 1.0) - 0.5)**2 > 0.09
    raise ValueError(f'unknown texture kind {tex.kind!r}; expected one of '
                     f'{TEXTURE_KINDS}')


def shade(tex: Texture, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """RGB colours of the pixels at object-frame coordinates (u, v).

    Returns:
        np.ndarray: (N, 3) float32 RGB in [0, 1].
    """
    on = texture_pattern(tex, u, v)[:, None]
    return np.where(on, np.asarray(tex.color_a, np.float32),
                    np.asarray(tex.color_b, np.float32)).astype(np.float32)
