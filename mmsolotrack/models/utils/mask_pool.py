# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Instance embeddings by pooling embedding grid cells.

Two regions, chosen by the embedding head's ``embed_cells`` to match the
cells its losses train: :func:`center_pool_embeddings` averages the cells of
the instance's center region (SOLO's rule, the default),
:func:`mask_pool_embeddings` every cell whose center lies inside the mask.
Both pool over the levels that handle the instance's scale (the same levels
its training targets come from), then L2-normalise. When no cell center
falls inside the mask (tiny masks), mask pooling uses the cell holding the
mask's center of mass; an empty mask (no level, no pixel) gets, in both,
the mean of the cells holding the image's center at every level. The same
functions serve inference, the cycle-consistency loss (predicted masks,
with gradient to the embeddings) and the embedding diagnostic
(ground-truth masks).

Shape shorthand: N instances, D embedding dims, L levels, G_l grid side of
level l, h x w mask size, H x W padded network input size.
"""
from typing import Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from ..task_modules.embed_targets import instance_levels
from .mask_boxes import mask_boxes, mask_row_counts


def _cell_centers(grid: int, size: int, scale: float,
                  device: torch.device) -> Tensor:
    """Mask-pixel coordinate of each cell center along one axis, (G, )."""
    centers = (torch.arange(grid, device=device) + 0.5) * (size / grid)
    return torch.div(centers, scale, rounding_mode='floor').long()


def mask_pool_embeddings(
    mlvl_embeds: Sequence[Tensor],
    masks: Tensor,
    levels: Tensor,
    pad_shape: Tuple[int, int],
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


def _cell_indices(coord: Tensor, size: float, grid: int) -> Tensor:
    """:func:`_cell_index` of embed_targets for (N,) float64 coordinates:
    ``coord / size`` in float64, truncated in float32 as SOLO computes it.
    """
    return torch.div((coord / size).float(), 1. / grid,
                     rounding_mode='trunc').long()


def _center_of_mass(masks: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    """(cy, cx) (N,) float64 centers of mass of (N, h, w) masks, exact from
    integer pixel counts, and the (N,) int64 areas."""
    rows = mask_row_counts(masks)  # (N, h)
    cols = mask_row_counts(masks.transpose(1, 2))  # (N, w)
    area = rows.sum(1)
    y = torch.arange(rows.shape[1], device=rows.device)
    x = torch.arange(cols.shape[1], device=cols.device)
    denom = area.clamp(min=1).double()
    return (rows * y).sum(1).double() / denom, (
        cols * x).sum(1).double() / denom, area


def center_pool_embeddings(mlvl_embeds: Sequence[Tensor], masks: Tensor,
                           levels: Tensor, pad_shape: Tuple[int, int],
                           pos_scale: float,
                           scale: Tuple[float, float] = (1., 1.)) -> Tensor:
    """Pool one image's embedding grids in each instance's center region.

    The cells are those the embedding losses train (SOLO's center region,
    ``embed_targets.center_region_around``): within ``pos_scale`` x half
    the mask's box of its center of mass, at most the 3 x 3 cells around
    the center cell, on every level in ``levels``. An empty mask falls
    back as in :func:`mask_pool_embeddings`. All instances at once: per
    level, an (N, G, G) cell weight and one einsum; the center of mass is
    exact (float64 from integer pixel counts).

    Args:
        mlvl_embeds (Sequence[Tensor]): L tensors (D, G_l, G_l) spanning the
            padded input of size ``pad_shape``.
        masks (Tensor): (N, h, w) bool masks; mask pixel (y, x) is input
            pixel (y * scale[0], x * scale[1]).
        levels (Tensor): (N, L) bool; a row with no level set pools from
            all levels.
        pad_shape (tuple[int, int]): (H, W) of the padded input.
        pos_scale (float): SOLO's ``pos_scale``.
        scale (tuple[float, float]): (sy, sx) input pixels per mask pixel.

    Returns:
        Tensor: (N, D) L2-normalised embeddings (keeps the graph).
    """
    masks = masks.bool()
    if len(masks) == 0:
        return mask_pool_embeddings(mlvl_embeds, masks, levels, pad_shape,
                                    scale)
    cy, cx, area = _center_of_mass(masks)  # (N,) each
    nonempty = area > 0
    if not nonempty.all():  # the shared fallback
        base = mask_pool_embeddings(mlvl_embeds, masks, levels, pad_shape,
                                    scale)
        if not nonempty.any():
            return base
    levels = levels.clone()
    levels[~levels.any(dim=1)] = True
    boxes = mask_boxes(masks).double()  # (N, 4)
    cy, cx = cy * scale[0], cx * scale[1]
    half_h = 0.5 * (boxes[:, 3] - boxes[:, 1]) * scale[0] * pos_scale
    half_w = 0.5 * (boxes[:, 2] - boxes[:, 0]) * scale[1] * pos_scale
    ref = mlvl_embeds[0]
    pooled = ref.new_zeros((len(masks), ref.shape[0]))
    count = ref.new_zeros(len(masks))
    up_h, up_w = pad_shape
    for lvl, embeds in enumerate(mlvl_embeds):
        grid = embeds.shape[-1]
        ch = _cell_indices(cy, up_h, grid)
        cw = _cell_indices(cx, up_w, grid)
        top = torch.maximum(_cell_indices(cy - half_h, up_h, grid),
                            ch - 1).clamp(min=0)
        down = torch.minimum(_cell_indices(cy + half_h, up_h, grid),
                             ch + 1).clamp(max=grid - 1)
        left = torch.maximum(_cell_indices(cx - half_w, up_w, grid),
                             cw - 1).clamp(min=0)
        right = torch.minimum(_cell_indices(cx + half_w, up_w, grid),
                              cw + 1).clamp(max=grid - 1)
        cells = torch.arange(grid, device=ch.device)
        in_rows = (cells >= top[:, None]) & (cells <= down[:, None])
        in_cols = (cells >= left[:, None]) & (cells <= right[:, None])
        weight = (in_rows[:, :, None] & in_cols[:, None, :]
                  & levels[:, lvl, None, None]).to(embeds.dtype)  # (N, G, G)
        pooled = pooled + torch.einsum('ngh,dgh->nd', weight, embeds)
        count = count + weight.flatten(1).sum(dim=1)
    pooled = F.normalize(pooled / count.clamp(min=1)[:, None], dim=1)
    if not nonempty.all():
        pooled = torch.where(nonempty[:, None], pooled, base)
    return pooled


def masks_to_levels(
    masks: Tensor,
    scale_ranges: Sequence[Tuple[float, float]],
    scale: Tuple[float, float] = (1., 1.)
) -> Tensor:
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
    boxes = mask_boxes(masks)
    boxes[:, 0::2] *= scale[1]
    boxes[:, 1::2] *= scale[0]
    return instance_levels(boxes, scale_ranges)
