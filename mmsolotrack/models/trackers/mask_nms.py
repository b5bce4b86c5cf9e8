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


def suppress_duplicates(masks: Tensor, iou_thr: float) -> Tensor:
    """Greedy class-agnostic mask NMS over masks sorted by score.

    Args:
        masks (Tensor): (N, H, W) bool, highest score first.
        iou_thr (float): A mask whose IoU with a kept one is > ``iou_thr``
            is dropped (exactly ``iou_thr`` is kept). The float32 IoU is
            compared with ``iou_thr`` as a Python float.

    Returns:
        Tensor: (K, ) long indices of the kept masks, in order.
    """
    n = len(masks)
    device = masks.device
    if n <= 1:
        return torch.arange(n, device=device)
    if iou_thr < 0:  # every pair, even a disjoint one, is a duplicate
        return torch.zeros(1, dtype=torch.long, device=device)
    if masks[0].numel() == 0:  # no pixels: every IoU is 0
        return torch.arange(n, device=device)
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
