# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Instance embeddings by mask pooling over embedding grid cells.

An instance's embedding is the mean of the embedding cells whose centers lie
inside its mask, over the levels that handle its scale (the same levels its
training targets come from), then L2-normalised. When no cell center falls
inside the mask (tiny masks), the cell holding the mask's center of mass is
used; an empty mask (no level, no pixel) gets the mean of the cells holding
the image's center at every level. The same function serves inference, the
cycle-consistency loss (predicted masks, with gradient to the embeddings)
and the embedding diagnostic (ground-truth masks).

Shape shorthand: N instances, D embedding dims, L levels, G_l grid side of
level l, h x w mask size, H x W padded network input size.
"""
from typing import Sequence, Tuple

import torch
import torch.nn.functional as F
from mmdet.structures.mask import mask2bbox
from torch import Tensor

from ..task_modules.embed_targets import instance_levels


def _cell_centers(grid: int, size: int, scale: float,
                  device: torch.device) -> Tensor:
    """Mask-pixel coordinate of each cell center along one axis, (G, )."""
    centers = (torch.arange(grid, device=device) + 0.5) * (size / grid)
    return torch.div(centers, scale, rounding_mode='floor').long()


def mask_pool_embeddings(mlvl_embeds: Sequence[Tensor], masks: Tensor,
                         levels: Tensor, pad_shape: Tuple[int, int],
                         scale: Tuple[float, float] = (1., 1.)) -> Tensor:
    """Pool one image's embedding grids inside instance masks.

    Args:
        mlvl_embeds (Sequence[Tensor]): L tensors (D, G_l, G_l); the grids
            span the padded input of size ``pad_shape``.
        masks (Tensor): (N, h, w) bool masks. Mask pixel (y, x) is input
            pixel (y * scale[0], x * scale[1]).
        levels (Tensor): (N, L) bool, the levels to pool each instance from.
            A row with no level set pools from all levels.
        pad_shape (tuple[int, int]): (H, W) of the padded input.
        scale (tuple[float, float]): (sy, sx) input pixels per mask pixel
            (the resize factor of the test pipeline; 1 for masks already in
            input coordinates).

    Returns:
        Tensor: (N, D) L2-normalised embeddings (keeps the graph of
        ``mlvl_embeds``).
    """
    num, dims = masks.shape[0], mlvl_embeds[0].shape[0]
    ref = mlvl_embeds[0]
    if num == 0:
        return ref.new_zeros((0, dims)) + ref.sum() * 0
    levels = levels.clone()
    levels[~levels.any(dim=1)] = True
    masks = masks.bool()
    h, w = masks.shape[-2:]
    pooled = ref.new_zeros((num, dims))
    count = ref.new_zeros(num)
    for lvl, embeds in enumerate(mlvl_embeds):
        grid_h, grid_w = embeds.shape[-2:]
        ys = _cell_centers(grid_h, pad_shape[0], scale[0], ref.device)
        xs = _cell_centers(grid_w, pad_shape[1], scale[1], ref.device)
        valid_y, valid_x = ys < h, xs < w
        inside = masks.new_zeros((num, grid_h, grid_w))
        sub = masks[:, ys[valid_y]][:, :, xs[valid_x]]
        inside[:, :int(valid_y.sum()), :int(valid_x.sum())] = sub
        # cell centers grow monotonically: valid cells are a top-left block
        weight = (inside & levels[:, lvl, None, None]).to(embeds.dtype)
        pooled = pooled + torch.einsum('ngh,dgh->nd', weight, embeds)
        count = count + weight.flatten(1).sum(dim=1)

    empty = count == 0
    if empty.any():
        pooled = pooled.clone()
        idx = empty.nonzero().flatten()
        for i in idx.tolist():
            ys_, xs_ = masks[i].nonzero(as_tuple=True)
            if len(ys_) == 0:  # empty mask: pool the whole image's center
                cy, cx = (h - 1) / 2., (w - 1) / 2.
            else:
                cy, cx = ys_.float().mean().item(), xs_.float().mean().item()
            for lvl, embeds in enumerate(mlvl_embeds):
                if not levels[i, lvl]:
                    continue
                grid_h, grid_w = embeds.shape[-2:]
                gy = min(grid_h - 1,
                         int((cy + 0.5) * scale[0] / pad_shape[0] * grid_h))
                gx = min(grid_w - 1,
                         int((cx + 0.5) * scale[1] / pad_shape[1] * grid_w))
                pooled[i] = pooled[i] + embeds[:, gy, gx]
                count[i] = count[i] + 1
    return F.normalize(pooled / count.clamp(min=1)[:, None], dim=1)


def masks_to_levels(masks: Tensor, scale_ranges: Sequence[Tuple[float,
                                                                float]],
                    scale: Tuple[float, float] = (1., 1.)) -> Tensor:
    """Levels handling each mask, by the scale of its box in input pixels.

    Args:
        masks (Tensor): (N, h, w) bool masks.
        scale_ranges (Sequence[tuple]): L (low, high) ranges.
        scale (tuple[float, float]): (sy, sx) input pixels per mask pixel.

    Returns:
        Tensor: (N, L) bool.
    """
    if masks.shape[0] == 0:
        return masks.new_zeros((0, len(scale_ranges)), dtype=torch.bool)
    boxes = mask2bbox(masks.bool()).float()
    boxes[:, 0::2] *= scale[1]
    boxes[:, 1::2] *= scale[0]
    return instance_levels(boxes, scale_ranges)
