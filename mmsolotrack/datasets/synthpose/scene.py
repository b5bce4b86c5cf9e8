# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Sampling one SynthPose video: people, their walks, the environment.

Identity is made to matter: people look alike in shape and size (one
category, heights set by the ground line), walk fast enough that their
boxes often do not overlap between saved frames, cross each other (the
nearer one hides the farther one, and the two boxes trade places), turn
back after leaving the image and come back, and hide behind a pillar. Each
person's shirt / trousers colours and textures are its identity cue.

Shape shorthand: S = number of simulated frames of a video.
"""
from dataclasses import dataclass
from typing import List, Optional

import numpy as np

from ..synthvis.background import (Lighting, Pillar, render_backdrop,
                                   sample_lighting, sample_pillar)
from ..synthvis.textures import Texture, sample_texture, spaced_hues
from .config import SynthPoseConfig
from .skeleton import STRIDE

#: Skin tones (RGB in [0, 1]) shared by everybody: not an identity cue.
SKIN_TONES = ((0.95, 0.8, 0.68), (0.85, 0.65, 0.5), (0.65, 0.45, 0.32),
              (0.45, 0.3, 0.22))


@dataclass
class Walker:
    """One person over the whole video.

    Attributes:
        x (np.ndarray): (S, ) body centre x.
        y_feet (np.ndarray): (S, ) ground line; larger is nearer.
        height (np.ndarray): (S, ) height h (perspective from ``y_feet``).
        facing (np.ndarray): (S, ) +1 walking right, -1 left.
        phase (np.ndarray): (S, ) gait phase in radians.
        shirt (Texture): Torso and upper arms.
        pants (Texture): Legs.
        skin (tuple[float]): RGB of head and forearms.
    """
    x: np.ndarray
    y_feet: np.ndarray
    height: np.ndarray
    facing: np.ndarray
    phase: np.ndarray
    shirt: Texture
    pants: Texture
    skin: tuple


@dataclass
class PoseScene:
    """A whole video before rendering.

    Attributes:
        people (list[Walker]): Everybody, in sampling order (track ids are
            given to the annotated ones in this order).
        backdrop (np.ndarray): (H, W, 3) float32 static background.
        pillar (Pillar, optional): Occluder in front of everybody.
        lighting (Lighting): Global lighting over time.
    """
    people: List[Walker]
    backdrop: np.ndarray
    pillar: Optional[Pillar]
    lighting: Lighting


def ground_band(cfg: SynthPoseConfig) -> tuple:
    """(y_far, y_near): the range of ground lines."""
    y_near = 0.97 * cfg.height
    y_far = min(
        max(cfg.min_person_height + 4.0, 0.55 * cfg.height), y_near - 1.0)
    return y_far, y_near


def perspective_height(y_feet: np.ndarray, cfg: SynthPoseConfig) -> np.ndarray:
    """Height h of a person standing on ground line ``y_feet``."""
    y_far, y_near = ground_band(cfg)
    frac = np.clip((y_feet - y_far) / (y_near - y_far), 0.0, 1.0)
    return cfg.min_person_height + frac * (
        cfg.max_person_height - cfg.min_person_height)


def walk(rng: np.random.Generator, num_steps: int, speed: float, facing: float,
         turn_at: Optional[int]) -> tuple:
    """Signed displacement of a walker from its start.

    The speed oscillates by +-20 %; the walker turns back once at
    ``turn_at`` (if given).

    Returns:
        tuple[np.ndarray]: (S, ) displacement from the start (0 at step 0)
        and (S, ) facing.
    """
    period, offset = rng.uniform(20, 50), rng.uniform(0, 2 * np.pi)
    steps = np.arange(num_steps)
    gains = 1.0 + 0.2 * np.sin(2 * np.pi * steps / period + offset)
    faces = np.full(num_steps, float(facing))
    if turn_at is not None:
        faces[turn_at:] = -facing
    moves = speed * gains * faces
    disp = np.concatenate([[0.0], np.cumsum(moves[:-1])])
    return disp, faces


def sample_appearance(rng: np.random.Generator, hue: float) -> tuple:
    """Shirt and trousers of distinct hues, and a skin tone."""
    shirt = sample_texture(rng, hue)
    pants = sample_texture(rng, (hue + rng.uniform(0.3, 0.7)) % 1.0)
    tone = np.array(SKIN_TONES[rng.integers(len(SKIN_TONES))])
    skin = tuple(
        float(c) for c in np.clip(tone * rng.uniform(0.92, 1.08), 0, 1))
    return shirt, pants, skin


def sample_walker(rng: np.random.Generator, cfg: SynthPoseConfig, hue: float,
                  partner: Optional[Walker]) -> Walker:
    """Draw one walker; with a ``partner`` it is sent to cross it."""
    num_steps = cfg.num_sim_frames
    y_far, y_near = ground_band(cfg)
    speed = rng.uniform(cfg.min_speed, cfg.max_speed)
    turn_at = (
        int(
            rng.integers(num_steps //
                         4, max(num_steps // 4 + 1, 3 * num_steps //
                                4))) if rng.random() < cfg.turn_prob else None)
    if partner is None:
        facing = float(rng.choice([-1.0, 1.0]))
        lane = rng.uniform(y_far, y_near)
    else:  # opposite direction, a neighbouring lane
        facing = -float(partner.facing[0])
        lane = np.clip(
            partner.y_feet[0] + rng.uniform(-0.08, 0.08) * cfg.height, y_far,
            y_near)
    wander = rng.uniform(0, 0.03 * cfg.height) * np.sin(
        2 * np.pi * np.arange(num_steps) / rng.uniform(30, 90) +
        rng.uniform(0, 2 * np.pi))
    y_feet = np.clip(lane + wander, y_far, y_near)
    height = perspective_height(y_feet, cfg)
    disp, faces = walk(rng, num_steps, speed, facing, turn_at)
    if partner is not None:  # meet the partner around the middle
        meet = int(
            rng.integers(num_steps // 4,
                         max(num_steps // 4 + 1, 3 * num_steps // 4)))
        x0 = partner.x[meet] - disp[meet]
    elif rng.random() < cfg.enter_prob:  # start off-image, walk in
        margin = 0.3 * height[0] + rng.uniform(0, 3 * cfg.frame_stride * speed)
        x0 = -margin if facing > 0 else cfg.width + margin
    else:
        x0 = rng.uniform(0.05, 0.95) * cfg.width
    x = x0 + disp
    stride = STRIDE * height
    phase = rng.uniform(0, 2 * np.pi) + 2 * np.pi * np.concatenate(
        [[0.0], np.cumsum(np.abs(np.diff(x)) / stride[1:])])
    shirt, pants, skin = sample_appearance(rng, hue)
    return Walker(
        x=x,
        y_feet=y_feet,
        height=height,
        facing=faces,
        phase=phase,
        shirt=shirt,
        pants=pants,
        skin=skin)


def sample_scene(rng: np.random.Generator, cfg: SynthPoseConfig) -> PoseScene:
    """Draw every random choice of one video from ``rng``."""
    num = int(rng.integers(cfg.min_people, cfg.max_people + 1))
    hues = spaced_hues(rng, num)
    people: List[Walker] = []
    for i in range(num):
        partner = (
            people[int(rng.integers(len(people)))]
            if people and rng.random() < cfg.crossing_prob else None)
        people.append(sample_walker(rng, cfg, float(hues[i]), partner))
    backdrop = render_backdrop(rng, cfg.height, cfg.width,
                               cfg.background_blobs)
    # wide enough to hide the widest person completely
    pillar = (
        sample_pillar(rng, cfg.height, cfg.width,
                      int(np.ceil(0.4 * cfg.max_person_height)))
        if rng.random() < cfg.occluder_prob else None)
    return PoseScene(people, backdrop, pillar,
                     sample_lighting(rng, cfg.lighting_change))
