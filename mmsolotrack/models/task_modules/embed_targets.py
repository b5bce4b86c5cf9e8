# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Which grid cells belong to which ground-truth instance (SOLO's rule).

mmdet's ``SOLOHead._get_targets_single`` assigns category targets but does
not return which instance owns a positive cell. The embedding targets need
exactly that, on a grid that may differ from SOLO's category grid (the paper
uses 40 x 40 at every level). The rule, restated:

* instance k is handled by level l when its scale sqrt(w * h) (of its box)
  lies in level l's ``scale_range`` (both ends inclusive);
* on a G x G grid over the padded input, k owns the cells of its *center
  region*: the cells whose index is within ``pos_scale`` x half its box size
  of its mask's center of mass, clipped to the 3 x 3 cells around the center
  cell;
* a cell claimed by several instances belongs to the last one (SOLO writes
  the category map in instance order, so later instances overwrite).

With ``region='mask'`` an instance owns instead every cell whose center
pixel lies inside its mask (the cells mask pooling averages at inference),
or its center region when no cell center falls inside (tiny masks).

The arithmetic mirrors SOLO's exactly (truncated division by the cell
fraction) so that with ``G = num_grids[l]`` the positive cells coincide.

Shape shorthand: K instances, H x W padded input (mask) size, G grid side,
L levels.
"""
from typing import List, Sequence, Tuple

import torch
from mmdet.models.utils import center_of_mass
from torch import Tensor


def _cell_index(coord: float, size: float, grid: int) -> int:
    """Truncated ``(coord / size) / (1 / grid)``, as SOLO computes it."""
    return int(
        torch.div(
            torch.tensor(coord / size), 1. / grid, rounding_mode='trunc'))


def center_region_cells(mask: Tensor, bbox: Tensor, grid: int,
                        pos_scale: float,
                        upsampled_size: Tuple[int, int]) -> Tuple[int, ...]:
    """The cells of a G x G grid in one instance's center region.

    Args:
        mask (Tensor): (H, W) bool mask of the instance.
        bbox (Tensor): (4, ) its box, xyxy.
        grid (int): G, the grid side.
        pos_scale (float): SOLO's ``pos_scale``.
        upsampled_size (tuple[int, int]): (h, w) the grid spans.

    Returns:
        tuple[int, int, int, int]: top, down, left, right (inclusive) cells.
    """
    half_h = 0.5 * float(bbox[3] - bbox[1]) * pos_scale
    half_w = 0.5 * float(bbox[2] - bbox[0]) * pos_scale
    cy, cx = (float(v) for v in center_of_mass(mask))
    return center_region_around(cy, cx, half_h, half_w, grid, upsampled_size)


def center_region_around(
        cy: float, cx: float, half_h: float, half_w: float, grid: int,
        upsampled_size: Tuple[int, int]) -> Tuple[int, int, int, int]:
    """The center-region cells of a center (cy, cx) and half sizes.

    Args:
        cy, cx (float): the center of mass, in pixels of the grid's span.
        half_h, half_w (float): ``pos_scale`` x half the box size.
        grid (int): G, the grid side.
        upsampled_size (tuple[int, int]): (h, w) the grid spans.

    Returns:
        tuple[int, int, int, int]: top, down, left, right (inclusive) cells:
        those within the half sizes of the center, clipped to the 3 x 3
        cells around the center cell.
    """
    up_h, up_w = upsampled_size
    ch, cw = _cell_index(cy, up_h, grid), _cell_index(cx, up_w, grid)
    top = max(0, _cell_index(cy - half_h, up_h, grid), ch - 1)
    down = min(grid - 1, _cell_index(cy + half_h, up_h, grid), ch + 1)
    left = max(0, _cell_index(cx - half_w, up_w, grid), cw - 1)
    right = min(grid - 1, _cell_index(cx + half_w, up_w, grid), cw + 1)
    return top, down, left, right


def mask_region_cells(mask: Tensor, grid: int,
                      upsampled_size: Tuple[int, int]) -> Tensor:
    """The cells of a G x G grid whose center pixel lies inside a mask.

    Cell (i, j) spans rows ``[i * h / G, (i + 1) * h / G)``; its center
    pixel is ``floor((i + 0.5) * h / G)`` (and likewise along x), the
    rule of :func:`mmsolotrack.models.utils.mask_pool_embeddings`.

    Args:
        mask (Tensor): (H, W) bool mask in padded-input coordinates.
        grid (int): G, the grid side.
        upsampled_size (tuple[int, int]): (h, w) the grid spans.

    Returns:
        Tensor: (G, G) bool.
    """
    up_h, up_w = upsampled_size
    steps = torch.arange(grid, device=mask.device) + 0.5
    ys = torch.floor(steps * (up_h / grid)).long()
    xs = torch.floor(steps * (up_w / grid)).long()
    inside = torch.zeros((grid, grid), dtype=torch.bool, device=mask.device)
    valid_y, valid_x = ys < mask.shape[0], xs < mask.shape[1]
    sub = mask.bool()[ys[valid_y]][:, xs[valid_x]]
    inside[:int(valid_y.sum()), :int(valid_x.sum())] = sub
    return inside


def instance_levels(bboxes: Tensor,
                    scale_ranges: Sequence[Tuple[float, float]]) -> Tensor:
    """Which levels handle each instance, by its box scale sqrt(w * h).

    Args:
        bboxes (Tensor): (K, 4) boxes, xyxy, in input pixels.
        scale_ranges (Sequence[tuple]): L (low, high) ranges, inclusive.

    Returns:
        Tensor: (K, L) bool.
    """
    scales = torch.sqrt((bboxes[:, 2] - bboxes[:, 0]) *
                        (bboxes[:, 3] - bboxes[:, 1]))
    ranges = bboxes.new_tensor(scale_ranges)  # (L, 2)
    return (scales[:, None] >= ranges[None, :, 0]) & (
        scales[:, None] <= ranges[None, :, 1])


def instance_cell_map(masks: Tensor, bboxes: Tensor,
                      scale_ranges: Sequence[Tuple[float, float]],
                      grids: Sequence[int], pos_scale: float,
                      upsampled_size: Tuple[int, int],
                      region: str = 'center') -> List[Tensor]:
    """The owner instance of every cell, per level (-1: background).

    Args:
        masks (Tensor): (K, H, W) bool masks in padded-input coordinates.
        bboxes (Tensor): (K, 4) boxes, xyxy.
        scale_ranges (Sequence[tuple]): L scale ranges.
        grids (Sequence[int]): L grid sides G_l.
        pos_scale (float): SOLO's ``pos_scale``.
        upsampled_size (tuple[int, int]): (h, w) the grids span.
        region (str): ``'center'`` (SOLO's center region) or ``'mask'``
            (the cells whose centers lie inside the mask).

    Returns:
        list[Tensor]: L long tensors (G_l, G_l) holding instance indices.
    """
    if region not in ('center', 'mask'):
        raise ValueError(
            f"region must be 'center' or 'mask', got {region!r}")
    device = bboxes.device
    owners = [
        torch.full((g, g), -1, dtype=torch.long, device=device) for g in grids
    ]
    if len(bboxes) == 0:
        return owners
    levels = instance_levels(bboxes.float(), scale_ranges)
    nonempty = masks.flatten(1).any(dim=1)
    for k in range(len(bboxes)):
        if not nonempty[k]:
            continue
        for lvl, grid in enumerate(grids):
            if not levels[k, lvl]:
                continue
            if region == 'mask':
                inside = mask_region_cells(masks[k], grid, upsampled_size)
                if inside.any():
                    owners[lvl][inside] = k
                    continue
            top, down, left, right = center_region_cells(
                masks[k], bboxes[k], grid, pos_scale, upsampled_size)
            owners[lvl][top:down + 1, left:right + 1] = k
    return owners
