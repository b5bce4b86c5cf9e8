# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Exact greedy class-agnostic mask NMS that only looks at pairs that can
overlap enough.

Shape shorthand: N masks of size H x W, P candidate pairs.

The result equals the dense version (one (N, H W) float matmul for every
pairwise intersection, IoU = inter / union in float32, greedy over the
masks in order, a mask dropped when its IoU with a kept one is >
``iou_thr``) bit for bit, at a fraction of the cost: a pair whose boxes do
not overlap has IoU 0, and a pair whose IoU bound

    min(a_i, a_j, |box_i & box_j|) / (a_i + a_j - min(...))

(areas a, rounded to float32 like the IoU itself: rounding is monotone) is
<= ``iou_thr`` cannot suppress either. Only the remaining pairs get their
exact intersection, counted on the overlap of their boxes.
"""
import numpy as np
import torch
from torch import Tensor

from mmsolotrack.models.utils.mask_boxes import mask_boxes


def _float32_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / max(den, 1) in float32, as the dense IoU computes it (exact
    integer counts < 2**24 are exact in float32)."""
    return num.astype(np.float32) / np.maximum(den, 1).astype(np.float32)


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
    boxes = mask_boxes(masks).cpu().numpy().astype(np.int64)  # (N, 4)
    # pairs j < i whose boxes overlap
    x0 = np.maximum(boxes[:, None, 0], boxes[None, :, 0])
    y0 = np.maximum(boxes[:, None, 1], boxes[None, :, 1])
    x1 = np.minimum(boxes[:, None, 2], boxes[None, :, 2])
    y1 = np.minimum(boxes[:, None, 3], boxes[None, :, 3])
    box_inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    j, i = np.nonzero(np.triu(box_inter > 0, k=1))  # (P,), j < i
    if len(i) == 0:
        return torch.arange(n, device=device)
    array = masks.detach().cpu().numpy()
    involved = np.unique(np.concatenate([i, j]))
    area = np.zeros(n, dtype=np.int64)
    for k in involved.tolist():
        area[k] = np.count_nonzero(array[k])
    bound_inter = np.minimum(np.minimum(area[i], area[j]), box_inter[i, j])
    bound = _float32_ratio(bound_inter, area[i] + area[j] - bound_inter)
    near = bound.astype(np.float64) > iou_thr
    i, j = i[near], j[near]
    inter = np.empty(len(i), dtype=np.int64)
    for p, (a, b) in enumerate(zip(i.tolist(), j.tolist())):
        ys = slice(int(y0[a, b]), int(y1[a, b]))
        xs = slice(int(x0[a, b]), int(x1[a, b]))
        inter[p] = np.count_nonzero(array[a, ys, xs] & array[b, ys, xs])
    iou = _float32_ratio(inter, area[i] + area[j] - inter)
    dup = iou.astype(np.float64) > iou_thr
    i, j = i[dup], j[dup]
    # greedy in score order: i is dropped if a kept j < i duplicates it
    dropped = np.zeros(n, dtype=bool)
    order = np.argsort(i, kind='stable')
    for a, b in zip(i[order].tolist(), j[order].tolist()):
        if not dropped[b]:
            dropped[a] = True
    keep = np.flatnonzero(~dropped)
    return torch.from_numpy(keep).to(device)
