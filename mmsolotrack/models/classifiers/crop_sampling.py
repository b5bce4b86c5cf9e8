# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Fixed-size crops of boxes by bilinear sampling (no RoI ops needed).

Shape shorthand: N boxes, B images, C channels, H x W image, S crop side.
"""
import torch
import torch.nn.functional as F
from torch import Tensor


def expand_boxes(boxes: Tensor, factor: float) -> Tensor:
    """Scale (N, 4) xyxy boxes about their centers by ``factor``; a box of
    side < 1 pixel is widened to 1 pixel first."""
    ctr = (boxes[:, :2] + boxes[:, 2:]) / 2
    half = (boxes[:, 2:] - boxes[:, :2]).clamp(min=1.0) / 2 * factor
    return torch.cat([ctr - half, ctr + half], dim=1)


def jitter_boxes(boxes: Tensor, amount: float,
                 generator: torch.Generator = None) -> Tensor:
    """Randomly move and rescale (N, 4) xyxy boxes.

    Each side length is scaled by a factor in [1 - a, 1 + a] and the center
    moves by up to a times the side (a = ``amount``), independently per box
    and axis, so a classifier trained on ground-truth boxes sees boxes as
    loose as the segmenter's.
    """
    if amount <= 0 or len(boxes) == 0:
        return boxes
    rand = torch.rand((len(boxes), 4), generator=generator,
                      device='cpu').to(boxes) * 2 - 1
    size = (boxes[:, 2:] - boxes[:, :2]).clamp(min=1.0)
    ctr = (boxes[:, :2] + boxes[:, 2:]) / 2 + rand[:, :2] * amount * size
    half = size * (1 + rand[:, 2:] * amount) / 2
    return torch.cat([ctr - half, ctr + half], dim=1)


def crop_boxes(images: Tensor, boxes: Tensor, image_index: Tensor,
               size: int) -> Tensor:
    """Bilinear S x S crops of boxes, zero outside the image.

    Args:
        images (Tensor): (B, C, H, W).
        boxes (Tensor): (N, 4) xyxy in pixels of ``images``.
        image_index (Tensor): (N, ) long, the image each box is cut from.
        size (int): S.

    Returns:
        Tensor: (N, C, S, S).
    """
    num = len(boxes)
    height, width = images.shape[-2:]
    if num == 0:
        return images.new_zeros((0, images.shape[1], size, size))
    boxes = boxes.to(images.dtype)
    # affine map from the output grid [-1, 1]^2 to normalised image coords
    # (align_corners=False: pixel edges at -1 and 1)
    theta = images.new_zeros((num, 2, 3))
    theta[:, 0, 0] = (boxes[:, 2] - boxes[:, 0]) / width
    theta[:, 0, 2] = (boxes[:, 0] + boxes[:, 2]) / width - 1
    theta[:, 1, 1] = (boxes[:, 3] - boxes[:, 1]) / height
    theta[:, 1, 2] = (boxes[:, 1] + boxes[:, 3]) / height - 1
    grid = F.affine_grid(theta, (num, 1, size, size), align_corners=False)
    return F.grid_sample(
        images[image_index.to(images.device)],
        grid,
        mode='bilinear',
        padding_mode='zeros',
        align_corners=False)
