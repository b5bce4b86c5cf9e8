# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Exact greedy class-agnostic mask NMS that counts pixels only for the
pairs that can overlap enough.

Shape shorthand: N masks of size H x W, P candidate pairs.

The result equals the dense version (one (N, H W) float matmul for every
pairwise intersection, IoU = inter / union in float32, greedy over the
masks in order, a mask dropped when its IoU with a kept one is >
``iou_thr``) bit for bit, at a fraction of the cost. From each mask's row
counts r (N, H) (area a = sum r) and column occupancy: a pair whose boxes
do not overlap has IoU 0; any other pair has

    inter <= I = min(|box_i & box_j|, sum_y min(r_i(y), r_j(y)))
    IoU <= I / (a_i + a_j - I)

and when that bound, rounded to float32 like the IoU (rounding is
monotone), is <= ``iou_thr`` the pair cannot suppress. Only the remaining
pairs get their exact intersection, counted on the overlap of their boxes.

With ``stride`` s > 1 the same is done on the masks' pixels at every s-th
row and column (the IoU of ``masks[:, ::s, ::s]``, exactly): about s^2
fewer pixels to count, but a pair near ``iou_thr`` may go the other way
than at full resolution. For s in 2, 4, 8 and W a multiple of 8 the grid is
taken from every s-th row read as int64 words, the other columns zeroed
((N, H/s, W), contiguous reads): a strided copy ``masks[:, ::s, ::s]``
costs 3x more on CPU.
"""
import numpy as np
import torch
from torch import Tensor

from mmsolotrack.models.utils.mask_boxes import (mask_column_occupancy,
                                                 mask_row_counts)


def _float32_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / max(den, 1) in float32, as the dense IoU computes it (exact
    integer counts < 2**24 are exact in float32)."""
    return num.astype(np.float32) / np.maximum(den, 1).astype(np.float32)


def _extent(occupied: np.ndarray) -> np.ndarray:
    """(N, 2) first and one-past-last True index per row of (N, L) bool;
    (0, 0) where none is."""
    first = occupied.argmax(1)
    last = occupied.shape[1] - occupied[:, ::-1].argmax(1)
    empty = ~occupied.any(1)
    first[empty] = 0
    last[empty] = 0
    return np.stack([first, last], axis=1)


#: int64 word with the bytes of every s-th column of a row set to 0xFF.
_GRID_LANES = {2: 0x00FF00FF00FF00FF, 4: 0x000000FF000000FF, 8: 0xFF}


def _grid_pixels(masks: Tensor, stride: int) -> Tensor:
    """The pixels of (N, H, W) bool ``masks`` at every ``stride``-th row
    and column: (N, ceil(H / s), W) bool with the other columns False when
    the word trick applies, else ``masks[:, ::s, ::s]`` (a copy)."""
    n, h, w = masks.shape
    lanes = _GRID_LANES.get(stride)
    masks = masks.contiguous()
    if lanes is None or w % 8 or masks.storage_offset() % 8:
        return masks[:, ::stride, ::stride].contiguous()
    words = masks.view(torch.uint8).view(n, h, w // 8, 8).view(torch.int64)
    grid = words.view(n, h, w // 8)[:, ::stride] & lanes
    return grid.view(torch.uint8).view(n, -1, w).view(torch.bool)


def suppress_duplicates(masks: Tensor,
                        iou_thr: float,
                        stride: int = 1) -> Tensor:
    """Greedy class-agnostic mask NMS over masks sorted by score.

    Args:
        masks (Tensor): (N, H, W) bool, highest score first.
        iou_thr (float): A mask whose IoU with a kept one is > ``iou_thr``
            is dropped (exactly ``iou_thr`` is kept). The float32 IoU is
            compared with ``iou_thr`` as a Python float.
        stride (int): IoU on the pixels at every ``stride``-th row and
            column; 1 (default) counts every pixel (exact).

    Returns:
        Tensor: (K, ) long indices of the kept masks, in order.
    """
    if not isinstance(stride, int) or stride < 1:
        raise ValueError(
            f'suppress_duplicates: stride must be an int >= 1, got {stride!r}')
    n = len(masks)
    device = masks.device
    if n <= 1:
        return torch.arange(n, device=device)
    if iou_thr < 0:  # every pair, even a disjoint one, is a duplicate
        return torch.zeros(1, dtype=torch.long, device=device)
    if masks[0].numel() == 0:  # no pixels: every IoU is 0
        return torch.arange(n, device=device)
    if stride > 1:  # a mask with no pixel on the grid is empty there
        masks = _grid_pixels(masks, stride)
    rows = mask_row_counts(masks).cpu().numpy()  # (N, H)
    area = rows.sum(1)  # (N,)
    xs = _extent(mask_column_occupancy(masks).cpu().numpy() > 0)  # (N, 2)
    ys = _extent(rows > 0)  # (N, 2)
    # pairs j < i whose boxes overlap
    x0 = np.maximum(xs[:, None, 0], xs[None, :, 0])
    x1 = np.minimum(xs[:, None, 1], xs[None, :, 1])
    y0 = np.maximum(ys[:, None, 0], ys[None, :, 0])
    y1 = np.minimum(ys[:, None, 1], ys[None, :, 1])
    box_inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    j, i = np.nonzero(np.triu(box_inter > 0, k=1))  # (P,), j < i
    bound_inter = np.minimum(box_inter[i, j],
                             np.minimum(rows[i], rows[j]).sum(1))
    bound = _float32_ratio(bound_inter, area[i] + area[j] - bound_inter)
    near = bound.astype(np.float64) > iou_thr
    i, j = i[near], j[near]
    array = masks.detach().cpu().numpy()
    inter = np.empty(len(i), dtype=np.int64)
    for p, (a, b) in enumerate(zip(i.tolist(), j.tolist())):
        ys_ab = slice(int(y0[a, b]), int(y1[a, b]))
        xs_ab = slice(int(x0[a, b]), int(x1[a, b]))
        inter[p] = np.count_nonzero(array[a, ys_ab, xs_ab]
                                    & array[b, ys_ab, xs_ab])
    iou = _float32_ratio(inter, area[i] + area[j] - inter)
    dup = iou.astype(np.float64) > iou_thr
    i, j = i[dup], j[dup]
    # greedy in score order: i is dropped if a kept j < i duplicates it;
    # pairs sorted by i, so dropped[j] is final when (i, j) is read
    dropped = np.zeros(n, dtype=bool)
    order = np.argsort(i, kind='stable')
    for a, b in zip(i[order].tolist(), j[order].tolist()):
        if not dropped[b]:
            dropped[a] = True
    return torch.from_numpy(np.flatnonzero(~dropped)).to(device)
