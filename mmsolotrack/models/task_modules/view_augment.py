# Copyright (c) mmsolotrack contributors. All rights reserved.
"""A second view of labelled still images, for cross-view embedding pairs.

The image-level embedding losses only contrast the instances *of one image*:
nothing asks an instance's embedding to stay put when the object moves,
grows or is lit differently, which is what happens between two frames of a
video. A second view of the same image, moved, resized and relit, whose
instances keep their identities, turns every still image into a pair of
"frames" with known correspondence, without any video annotation.

Shape shorthand: B images, C channels, H x W padded input, K_b instances of
image b.
"""
from typing import List, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from mmsolotrack.registry import TASK_UTILS


def affine_view(images: Tensor, masks: Sequence[Tensor], scales: Tensor,
                shifts: Tensor) -> Tuple[Tensor, List[Tensor]]:
    """Resize about the image center and translate images and their masks.

    Output pixel p shows input pixel ``c + (p - c) / s - t`` (``c`` the
    image center, ``s`` the scale, ``t`` the shift in pixels); pixels that
    come from outside the input are 0 (the mean colour of normalised
    inputs) and outside every mask.

    Args:
        images (Tensor): (B, C, H, W) float.
        masks (Sequence[Tensor]): B tensors (K_b, H, W) bool.
        scales (Tensor): (B, ) scale factors s > 0.
        shifts (Tensor): (B, 2) shifts (dy, dx) in pixels, applied after the
            scaling.

    Returns:
        tuple[Tensor, list[Tensor]]: the views (B, C, H, W) and their masks,
        B tensors (K_b, H, W) bool (a mask moved out of the image is
        empty; its index is kept).
    """
    num, _, height, width = images.shape
    theta = images.new_zeros((num, 2, 3))
    theta[:, 0, 0] = 1 / scales
    theta[:, 1, 1] = 1 / scales
    # normalised coordinates span 2 over W (x) and H (y)
    theta[:, 0, 2] = -shifts[:, 1] * 2 / width / scales
    theta[:, 1, 2] = -shifts[:, 0] * 2 / height / scales
    grid = F.affine_grid(theta, (num, 1, height, width), align_corners=False)
    views = F.grid_sample(
        images, grid, mode='bilinear', padding_mode='zeros',
        align_corners=False)
    view_masks = []
    for b, m in enumerate(masks):
        if len(m) == 0:
            view_masks.append(m.clone())
            continue
        moved = F.grid_sample(
            m[None].float(), grid[b:b + 1], mode='nearest',
            padding_mode='zeros', align_corners=False)[0]
        view_masks.append(moved > 0.5)
    return views, view_masks


def relight(images: Tensor, mean: Tensor, std: Tensor, brightness: Tensor,
            contrast: Tensor, gains: Tensor) -> Tensor:
    """Change brightness, contrast and channel gains of normalised images.

    In pixel values v = x * std + mean: ``v' = clip(((v - 128) * contrast +
    128) * brightness * gain_c, 0, 255)``, normalised back.

    Args:
        images (Tensor): (B, C, H, W) normalised.
        mean, std (Tensor): (C, 1, 1) of the normalisation.
        brightness, contrast (Tensor): (B, ) factors.
        gains (Tensor): (B, C) per-channel factors.

    Returns:
        Tensor: (B, C, H, W) normalised.
    """
    pixels = images * std + mean
    pixels = (pixels - 128.) * contrast[:, None, None, None] + 128.
    pixels = pixels * (brightness[:, None] * gains)[:, :, None, None]
    return (pixels.clamp(0., 255.) - mean) / std


@TASK_UTILS.register_module()
class RandomViewAugment:
    """Random second views: scale, shift, brightness, contrast, gains.

    Every image gets its own draw (from torch's global generator, so that
    seeding and resuming cover it). The views' pixels outside the input are
    the mean colour.

    Args:
        scale_range (tuple[float, float]): the scale s is log-uniform in
            this range. Defaults to (0.8, 1.25).
        max_shift (float): the shift is uniform in +- this fraction of H
            and of W. Defaults to 0.1.
        brightness (float): brightness factor in 1 +- this. Defaults to 0.25.
        contrast (float): contrast factor in 1 +- this. Defaults to 0.2.
        channel_gain (float): each channel's gain in 1 +- this (a small
            white-balance change; the hue an object is recognised by
            stays). Defaults to 0.05.
    """

    def __init__(self,
                 scale_range: Tuple[float, float] = (0.8, 1.25),
                 max_shift: float = 0.1,
                 brightness: float = 0.25,
                 contrast: float = 0.2,
                 channel_gain: float = 0.05) -> None:
        low, high = scale_range
        if not 0 < low <= high:
            raise ValueError('RandomViewAugment: scale_range must be '
                             f'0 < low <= high, got {scale_range}')
        for name, value in (('max_shift', max_shift),
                            ('brightness', brightness),
                            ('contrast', contrast),
                            ('channel_gain', channel_gain)):
            if not 0 <= value < 1:
                raise ValueError(f'RandomViewAugment: {name} must be in '
                                 f'[0, 1), got {value}')
        self.scale_range = (float(low), float(high))
        self.max_shift = max_shift
        self.brightness = brightness
        self.contrast = contrast
        self.channel_gain = channel_gain

    def __call__(self, images: Tensor, masks: Sequence[Tensor], mean: Tensor,
                 std: Tensor) -> Tuple[Tensor, List[Tensor]]:
        """Views of normalised images and their instance masks.

        Args:
            images (Tensor): (B, C, H, W) normalised inputs.
            masks (Sequence[Tensor]): B tensors (K_b, H, W) bool.
            mean, std (Tensor): (C, 1, 1) of the normalisation.

        Returns:
            tuple[Tensor, list[Tensor]]: views (B, C, H, W) and masks, B
            tensors (K_b, H, W) bool, instance k of view b being instance k
            of image b.
        """
        num, channels, height, width = images.shape
        dev = images.device

        def uniform(*shape, half=1.0):
            return (torch.rand(shape, device=dev) * 2 - 1) * half

        log_low, log_high = (torch.log(torch.tensor(v))
                             for v in self.scale_range)
        scales = torch.exp(log_low + torch.rand(num, device=dev) *
                           (log_high - log_low))
        shifts = uniform(num, 2, half=self.max_shift) * images.new_tensor(
            [height, width])
        views, view_masks = affine_view(images, masks, scales, shifts)
        views = relight(views, mean, std,
                        1 + uniform(num, half=self.brightness),
                        1 + uniform(num, half=self.contrast),
                        1 + uniform(num, channels, half=self.channel_gain))
        return views, view_masks
