# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Trajectories and appearance drift, sampled at every simulated frame.

Shape shorthand: S = number of simulated frames of a video.
"""
from dataclasses import dataclass

import numpy as np


@dataclass
class Track:
    """Pose and brightness of one object at every simulated frame.

    Attributes:
        centers (np.ndarray): (S, 2) centre (x, y) in pixels.
        angles (np.ndarray): (S,) rotation in radians.
        scales (np.ndarray): (S,) radius multiplier (scale drift).
        aspects (np.ndarray): (S,) squash factor (partial deformation).
        brightness (np.ndarray): (S,) colour gain (brightness drift).
    """
    centers: np.ndarray
    angles: np.ndarray
    scales: np.ndarray
    aspects: np.ndarray
    brightness: np.ndarray


def random_walk(rng: np.random.Generator, num_steps: int, start: np.ndarray,
                speed: float, turn_std: float,
                bounds: tuple) -> np.ndarray:
    """A heading random walk reflected at ``bounds``.

    Args:
        rng (np.random.Generator): Randomness.
        num_steps (int): S.
        start (np.ndarray): (2,) first centre (x, y).
        speed (float): Mean pixels per step; it oscillates by +-30%.
        turn_std (float): Std of the heading change per step (rad).
        bounds (tuple[float]): (x_lo, y_lo, x_hi, y_hi) box the centre is
            reflected in (larger than the image: objects leave and return).

    Returns:
        np.ndarray: (S, 2) centres.
    """
    heading = rng.uniform(0, 2 * np.pi)
    turns = rng.normal(0.0, turn_std, size=num_steps)
    period, phase = rng.uniform(15, 45), rng.uniform(0, 2 * np.pi)
    gains = 1.0 + 0.3 * np.sin(2 * np.pi * np.arange(num_steps) / period +
                               phase)
    lo, hi = np.asarray(bounds[:2], float), np.asarray(bounds[2:], float)
    pos = np.asarray(start, dtype=np.float64).copy()
    out = np.empty((num_steps, 2))
    for s in range(num_steps):
        out[s] = pos
        heading += turns[s]
        pos = pos + speed * gains[s] * np.array(
            [np.cos(heading), np.sin(heading)])
        for axis in range(2):
            if pos[axis] < lo[axis] or pos[axis] > hi[axis]:
                wall = lo[axis] if pos[axis] < lo[axis] else hi[axis]
                pos[axis] = 2 * wall - pos[axis]
                heading = np.pi - heading if axis == 0 else -heading
    return out


def start_position(rng: np.random.Generator, height: int, width: int,
                   radius: float, margin: float,
                   off_image: bool) -> np.ndarray:
    """A first centre inside the image, or outside it (the object enters).

    Returns:
        np.ndarray: (2,) centre (x, y).
    """
    if not off_image:
        return np.array([rng.uniform(radius, max(radius, width - radius)),
                         rng.uniform(radius, max(radius, height - radius))])
    depth = rng.uniform(radius, radius + margin)  # past the border
    side = rng.integers(4)
    along = rng.random()
    if side == 0:
        return np.array([-depth, along * height])
    if side == 1:
        return np.array([width + depth, along * height])
    if side == 2:
        return np.array([along * width, -depth])
    return np.array([along * width, height + depth])


def drift(rng: np.random.Generator, num_steps: int, max_rotation_speed: float,
          scale_drift: float, max_deformation: float,
          brightness_drift: float) -> tuple:
    """Slow within-video appearance changes.

    Returns:
        tuple[np.ndarray]: angles, scales, aspects, brightness, each (S,):
        linear rotation, exponential scale drift to a factor in
        [1 / (1 + scale_drift), 1 + scale_drift], a sinusoidal squash of
        amplitude <= max_deformation, linear brightness drift.
    """
    t = np.arange(num_steps, dtype=np.float64)
    frac = t / max(num_steps - 1, 1)
    angles = rng.uniform(0, 2 * np.pi) + rng.uniform(
        -max_rotation_speed, max_rotation_speed) * t
    log_range = np.log1p(scale_drift)
    scales = np.exp(rng.uniform(-log_range, log_range) * frac)
    amp, period = rng.uniform(0, max_deformation), rng.uniform(20, 60)
    aspects = 1.0 + amp * np.sin(2 * np.pi * t / period +
                                 rng.uniform(0, 2 * np.pi))
    brightness = 1.0 + rng.uniform(-brightness_drift, brightness_drift) * frac
    return angles, scales, aspects, brightness


def swap_places(centers_a: np.ndarray, centers_b: np.ndarray, start: int,
                stride: int) -> tuple:
    """Make two objects exchange places within one saved-frame interval.

    Between simulated frames ``start`` and ``start + stride`` object A moves
    straight to where B was at ``start`` and B to where A was; afterwards
    each follows the other's original path delayed by ``stride``. A
    consecutive-frame mask-IoU association then links A to B.

    Args:
        centers_a (np.ndarray): (S, 2) original centres of A.
        centers_b (np.ndarray): (S, 2) original centres of B.
        start (int): Simulated frame of the saved frame before the swap;
            ``start + stride`` must be < S.
        stride (int): Simulated frames per saved frame.

    Returns:
        tuple[np.ndarray]: New (S, 2) centres of A and of B.
    """
    a, b = centers_a.copy(), centers_b.copy()
    w = (np.arange(1, stride + 1) / stride)[:, None]
    a0, b0 = centers_a[start], centers_b[start]
    a[start + 1:start + stride + 1] = a0 + (b0 - a0) * w
    b[start + 1:start + stride + 1] = b0 + (a0 - b0) * w
    a[start + stride + 1:] = centers_b[start + 1:len(b) - stride]
    b[start + stride + 1:] = centers_a[start + 1:len(a) - stride]
    return a, b
