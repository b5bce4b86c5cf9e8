# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Sampling one SynthVIS video: objects, their paths, and the environment.

Identity is made to matter: several objects of one category per video with
distinct colour / texture, fast motion (displacements between saved frames
often exceed the object), a place swap between two same-category objects,
a pillar and the image border hiding objects for several saved frames.
"""
from dataclasses import dataclass
from typing import List, Optional

import numpy as np

from .background import (Lighting, Pillar, render_backdrop, sample_lighting,
                         sample_pillar)
from .config import SynthVISConfig
from .motion import Track, drift, random_walk, start_position, swap_places
from .shapes import SYNTHVIS_CLASSES
from .textures import Texture, sample_texture, spaced_hues


@dataclass
class SceneObject:
    """One instance.

    Attributes:
        category (int): 0-based index into ``SYNTHVIS_CLASSES``.
        radius (float): Nominal circumradius in pixels.
        depth (int): Drawing order; larger is nearer the camera.
        texture (Texture): Colour and pattern (identity cue).
        track (Track): Pose at every simulated frame.
    """
    category: int
    radius: float
    depth: int
    texture: Texture
    track: Track


@dataclass
class Scene:
    """A whole video before rendering.

    Attributes:
        objects (list[SceneObject]): The instances.
        backdrop (np.ndarray): (H, W, 3) float32 static background.
        pillar (Pillar, optional): Occluder in front of all objects.
        lighting (Lighting): Global lighting over time.
        swap (tuple[int, int, int], optional): (object a, object b, saved
            frame index k): a and b exchange places between saved frames
            k - 1 and k.
    """
    objects: List[SceneObject]
    backdrop: np.ndarray
    pillar: Optional[Pillar]
    lighting: Lighting
    swap: Optional[tuple]


def sample_categories(rng: np.random.Generator, num: int,
                      same_category_prob: float) -> np.ndarray:
    """Categories of ``num`` objects; a repeated one with some probability.

    Returns:
        np.ndarray: (num,) 0-based category indices, shuffled.
    """
    k = len(SYNTHVIS_CLASSES)
    cats = rng.integers(k, size=num)
    if num >= 2 and rng.random() < same_category_prob:
        cats[1] = cats[0]
    return rng.permutation(cats)


def _inside(center, radius, height, width) -> bool:
    x, y = center
    return radius <= x <= width - radius and radius <= y <= height - radius


def _pick_swap(rng, objects, cfg: SynthVISConfig) -> Optional[tuple]:
    """A same-category pair and a saved frame where both are in view."""
    if cfg.num_frames < 2 or rng.random() >= cfg.swap_prob:
        return None
    pairs = [(i, j) for i in range(len(objects))
             for j in range(i + 1, len(objects))
             if objects[i].category == objects[j].category]
    if not pairs:
        return None
    a, b = pairs[rng.integers(len(pairs))]
    oa, ob = objects[a], objects[b]
    candidates = []
    for k in range(1, cfg.num_frames):
        s = (k - 1) * cfg.frame_stride
        ca, cb = oa.track.centers[s], ob.track.centers[s]
        if (_inside(ca, oa.radius, cfg.height, cfg.width)
                and _inside(cb, ob.radius, cfg.height, cfg.width)
                and np.hypot(*(ca - cb)) > 0.5 * (oa.radius + ob.radius)):
            candidates.append(k)
    if not candidates:
        return None
    return a, b, candidates[rng.integers(len(candidates))]


def sample_scene(rng: np.random.Generator, cfg: SynthVISConfig) -> Scene:
    """Draw every random choice of one video from ``rng``."""
    num_steps = cfg.num_sim_frames
    num = int(rng.integers(cfg.min_objects, cfg.max_objects + 1))
    categories = sample_categories(rng, num, cfg.same_category_prob)
    hues = spaced_hues(rng, num)
    depths = rng.permutation(num)
    margin = float(cfg.exit_margin)
    objects = []
    for i in range(num):
        radius = rng.uniform(cfg.min_object_size, cfg.max_object_size) / 2
        texture = sample_texture(rng, float(hues[i]))
        # turn back once fully out of view and up to ``margin`` further
        out = radius + rng.uniform(0, margin)
        bounds = (-out, -out, cfg.width + out, cfg.height + out)
        start = start_position(rng, cfg.height, cfg.width, radius,
                               out - radius, rng.random() < cfg.enter_prob)
        centers = random_walk(rng, num_steps, start,
                              rng.uniform(cfg.min_speed, cfg.max_speed),
                              cfg.turn_std, bounds)
        angles, scales, aspects, brightness = drift(
            rng, num_steps, cfg.max_rotation_speed, cfg.scale_drift,
            cfg.max_deformation, cfg.brightness_drift)
        objects.append(
            SceneObject(
                category=int(categories[i]),
                radius=float(radius),
                depth=int(depths[i]),
                texture=texture,
                track=Track(centers, angles, scales, aspects, brightness)))
    swap = _pick_swap(rng, objects, cfg)
    if swap is not None:
        a, b, k = swap
        ta, tb = objects[a].track, objects[b].track
        ta.centers, tb.centers = swap_places(ta.centers, tb.centers,
                                             (k - 1) * cfg.frame_stride,
                                             cfg.frame_stride)
    backdrop = render_backdrop(rng, cfg.height, cfg.width,
                               cfg.background_blobs)
    pillar = (
        sample_pillar(rng, cfg.height, cfg.width, cfg.max_object_size)
        if rng.random() < cfg.occluder_prob else None)
    return Scene(objects, backdrop, pillar,
                 sample_lighting(rng, cfg.lighting_change), swap)
