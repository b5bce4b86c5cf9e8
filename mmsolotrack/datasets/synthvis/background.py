# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Everything that is not an instance: backdrop, occluding pillar, lighting.

Images are float32 RGB in [0, 1], shape (H, W, 3).
"""
import colorsys
from dataclasses import dataclass

import cv2
import numpy as np

from .shapes import rasterize_polygon


def render_backdrop(rng: np.random.Generator, height: int, width: int,
                    num_blobs: int) -> np.ndarray:
    """A cluttered, low-contrast, desaturated backdrop, new for each video.

    A base colour with a linear gradient, ``num_blobs`` soft ellipses a few
    percent lighter or darker (slightly tinted), and blurred noise.

    Returns:
        np.ndarray: (H, W, 3) float32.
    """
    base = np.array(colorsys.hsv_to_rgb(rng.random(), rng.uniform(0.05, 0.3),
                                        rng.uniform(0.3, 0.65)), np.float32)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    gx, gy = rng.uniform(-0.15, 0.15, size=2)
    ramp = gx * (xs / width - 0.5) + gy * (ys / height - 0.5)
    img = base[None, None, :] + ramp[..., None]
    blobs = np.zeros((height, width, 3), np.float32)
    for _ in range(num_blobs):
        center = (int(rng.integers(width)), int(rng.integers(height)))
        axes = (int(rng.integers(4, max(5, width // 5))),
                int(rng.integers(4, max(5, height // 5))))
        # mostly a lightness change, a little tint: low contrast clutter
        shift = rng.uniform(-0.07, 0.07) + rng.uniform(-0.03, 0.03, size=3)
        colour = tuple(float(c) for c in shift)
        cv2.ellipse(blobs, center, axes, float(rng.uniform(0, 180)), 0, 360,
                    colour, -1)
    img += cv2.GaussianBlur(blobs, (0, 0), 2.0)
    noise = rng.normal(0.0, 0.04, size=(height, width, 3)).astype(np.float32)
    img += cv2.GaussianBlur(noise, (0, 0), 0.8)
    return np.clip(img, 0.0, 1.0).astype(np.float32)


@dataclass
class Pillar:
    """A tall bar in front of every object (not annotated): full occlusion.

    Attributes:
        x0 (float): Centre x at the top row at simulated frame 0.
        tilt (float): Horizontal shift per row.
        width (float): Bar width in pixels.
        velocity (float): Horizontal pixels per simulated frame.
        colour (np.ndarray): (3,) RGB base colour.
        streaks (np.ndarray): (K,) brightness profile across the bar.
    """
    x0: float
    tilt: float
    width: float
    velocity: float
    colour: np.ndarray
    streaks: np.ndarray


def sample_pillar(rng: np.random.Generator, height: int, width: int,
                  max_object_size: int) -> Pillar:
    """A pillar wide enough to hide the largest object completely."""
    bar = min(rng.uniform(1.15, 1.5) * max_object_size, width / 3)
    colour = np.array(colorsys.hsv_to_rgb(rng.random(), rng.uniform(0.1, 0.35),
                                          rng.uniform(0.25, 0.6)), np.float32)
    k = int(np.ceil(bar)) + 2
    streaks = cv2.GaussianBlur(
        rng.normal(0, 0.12, size=(1, k)).astype(np.float32), (0, 0),
        1.5).ravel()
    return Pillar(
        x0=float(rng.uniform(0.2, 0.8) * width),
        tilt=float(rng.uniform(-0.25, 0.25)),
        width=float(bar),
        velocity=float(rng.uniform(-0.3, 0.3)),
        colour=colour,
        streaks=streaks)


def draw_pillar(pillar: Pillar, step: int, image: np.ndarray) -> np.ndarray:
    """Paint the pillar at simulated frame ``step`` into ``image`` in place.

    Returns:
        np.ndarray: (H, W) bool mask of the pillar pixels.
    """
    height, width = image.shape[:2]
    left = pillar.x0 + pillar.velocity * step - pillar.width / 2
    poly = np.array([[left, -1], [left + pillar.width, -1],
                     [left + pillar.width + pillar.tilt * (height + 1),
                      height], [left + pillar.tilt * (height + 1), height]])
    mask = rasterize_polygon(poly, height, width)
    ys, xs = np.nonzero(mask)
    across = np.clip(xs - (left + pillar.tilt * ys), 0,
                     len(pillar.streaks) - 1).astype(np.int64)
    image[ys, xs] = pillar.colour * (1.0 + pillar.streaks[across, None])
    return mask


@dataclass
class Lighting:
    """Global lighting: an oscillating gain and a slowly turning ramp.

    gain(x, y, s) = (1 + amp * sin(2 pi s / period + phase))
                    * (1 + ramp * <(x, y) - centre, dir(psi(s))> / diag),
    psi(s) = psi0 + omega * s.
    """
    amp: float
    period: float
    phase: float
    ramp: float
    psi0: float
    omega: float

    def gain(self, step: int, height: int, width: int) -> np.ndarray:
        """Returns: np.ndarray: (H, W, 1) float32 multiplicative gain."""
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        psi = self.psi0 + self.omega * step
        diag = float(np.hypot(height, width))
        proj = ((xs - width / 2) * np.cos(psi) +
                (ys - height / 2) * np.sin(psi)) / diag
        overall = 1.0 + self.amp * np.sin(2 * np.pi * step / self.period +
                                          self.phase)
        return (overall * (1.0 + self.ramp * proj))[..., None].astype(
            np.float32)


def sample_lighting(rng: np.random.Generator, amplitude: float) -> Lighting:
    """Lighting whose overall gain stays in [1 - amplitude, 1 + amplitude]."""
    return Lighting(
        amp=float(rng.uniform(0.3, 1.0) * amplitude),
        period=float(rng.uniform(30, 80)),
        phase=float(rng.uniform(0, 2 * np.pi)),
        ramp=float(rng.uniform(0, 2 * amplitude)),
        psi0=float(rng.uniform(0, 2 * np.pi)),
        omega=float(rng.uniform(-0.03, 0.03)))
