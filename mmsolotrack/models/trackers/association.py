# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Pure association math: mask RLEs, mask IoU and one-to-one matching.

Shared by the trackers, the YouTube-VIS result writer and the evaluation
metrics, so that masks are encoded and matched one way everywhere.

Shape shorthand:
    N, M: the two sides of a matching (instances and tracks, or
        predictions and ground truth)
    H, W: mask size
"""
from typing import List, Sequence, Tuple, Union

import numpy as np
import pycocotools.mask as mask_util
import torch
from scipy.optimize import linear_sum_assignment
from torch import Tensor


def encode_masks_rle(masks: Union[Tensor, np.ndarray]) -> List[dict]:
    """Encode binary masks as COCO run-length encodings.

    Args:
        masks (Tensor | np.ndarray): (N, H, W) binary masks (bool or
            {0, 1}); a tensor may be on any device.

    Returns:
        list[dict]: N RLEs with keys ``size`` ([H, W]) and ``counts``
        (bytes), as pycocotools writes them; [] when N = 0.
    """
    if isinstance(masks, Tensor):
        masks = masks.detach().to('cpu', torch.uint8).numpy()
    array = np.asarray(masks, dtype=np.uint8)
    if len(array) == 0:  # also an empty (0,) placeholder
        return []
    if array.ndim != 3:
        raise ValueError('encode_masks_rle: masks must be (N, H, W), got '
                         f'shape {array.shape}')
    return mask_util.encode(np.asfortranarray(array.transpose(1, 2, 0)))


def rle_to_json(rle: dict) -> dict:
    """A pycocotools RLE as json writes it: ``size`` [H, W] of ints and
    ``counts`` a str (the YouTube-VIS result and annotation layout).

    Args:
        rle (dict): ``size`` and ``counts`` (bytes or str).

    Returns:
        dict: ``{'size': [H, W], 'counts': str}``.
    """
    counts = rle['counts']
    if isinstance(counts, bytes):
        counts = counts.decode('ascii')
    return dict(size=[int(s) for s in rle['size']], counts=counts)


def segmentation_to_rle(segmentation: Union[list, dict], height: int,
                        width: int) -> dict:
    """A json segmentation (polygons, uncompressed or compressed RLE, as
    YouTube-VIS / COCO annotations store them) as a pycocotools RLE.

    Args:
        segmentation (list | dict): Polygons ``[[x0, y0, x1, y1, ...]]``,
            or an RLE with ``counts`` a list (uncompressed) or a str /
            bytes (compressed).
        height (int): H of the image.
        width (int): W of the image.

    Returns:
        dict: ``size`` and ``counts`` (bytes), as :func:`encode_masks_rle`.
    """
    if isinstance(segmentation, list):  # polygons
        return mask_util.merge(
            mask_util.frPyObjects(segmentation, height, width))
    counts = segmentation['counts']
    if isinstance(counts, list):  # uncompressed RLE
        return mask_util.frPyObjects(segmentation, height, width)
    return dict(size=segmentation['size'],
                counts=counts.encode() if isinstance(counts, str) else counts)


def mask_iou_rle(rles_a: Sequence[dict], rles_b: Sequence[dict]) -> np.ndarray:
    """Pairwise mask IoU of two lists of RLEs, vectorised by pycocotools.

    Two empty masks have IoU 0.

    Args:
        rles_a (Sequence[dict]): N RLEs of masks of size (H, W).
        rles_b (Sequence[dict]): M RLEs of masks of the same size.

    Returns:
        np.ndarray: (N, M) float64 IoU matrix.
    """
    rles_a, rles_b = list(rles_a), list(rles_b)
    if len(rles_a) == 0 or len(rles_b) == 0:
        return np.zeros((len(rles_a), len(rles_b)), dtype=np.float64)
    sizes = {tuple(int(s) for s in rle['size']) for rle in rles_a + rles_b}
    if len(sizes) != 1:
        raise ValueError('mask_iou_rle: all masks must have the same size, '
                         f'got sizes {sorted(sizes)}')
    ious = mask_util.iou(rles_a, rles_b, [0] * len(rles_b))
    return np.asarray(ious, dtype=np.float64).reshape(len(rles_a), len(rles_b))


def match_by_similarity(similarity: np.ndarray,
                        match_thr: float) -> Tuple[np.ndarray, np.ndarray]:
    """Hungarian assignment that maximises similarity above a threshold
    (the trackers' matching).

    Only pairs with ``similarity >= match_thr`` may be matched. Among such
    assignments the one with the most pairs is chosen and, among those, the
    one with the largest total similarity (a pair never loses to leaving both
    sides unmatched).

    Args:
        similarity (np.ndarray): (N, M) similarity of N instances to M tracks.
        match_thr (float): The smallest similarity of a matched pair.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``rows`` and ``cols``, both (K,) int64:
        instance ``rows[k]`` is matched to track ``cols[k]``.
    """
    similarity = np.asarray(similarity, dtype=np.float64)
    if similarity.ndim != 2:
        raise ValueError('match_by_similarity: similarity must be (N, M), '
                         f'got shape {similarity.shape}')
    valid = similarity >= match_thr
    empty = np.zeros(0, dtype=np.int64)
    if not valid.any():
        return empty, empty
    low = similarity[valid].min()
    spread = similarity[valid].max() - low
    # Every allowed pair earns `bonus`, which outweighs any difference in
    # total similarity between assignments, so the count comes first.
    bonus = min(similarity.shape) * spread + 1.0
    weights = np.where(valid, similarity - low + bonus, 0.0)
    rows, cols = linear_sum_assignment(weights, maximize=True)
    keep = valid[rows, cols]
    return rows[keep].astype(np.int64), cols[keep].astype(np.int64)


def match_max_iou(ious: np.ndarray, iou_thr: float) -> np.ndarray:
    """One-to-one matching of the evaluation metrics (CLEAR-MOT style).

    The assignment of largest total IoU (Hungarian) is taken first; its
    pairs with ``IoU < iou_thr`` are then left unmatched (a pair at exactly
    ``iou_thr`` matches). Unlike :func:`match_by_similarity`, the count of
    pairs above the threshold is not maximised first: this is the matching
    that the metrics have always reported, kept as it is.

    Args:
        ious (np.ndarray): (N, M) IoU of N predictions to M ground truths.
        iou_thr (float): The smallest IoU of a matched pair.

    Returns:
        np.ndarray: (N,) int64 index of the matched ground truth, -1 if none.
    """
    ious = np.asarray(ious, dtype=np.float64)
    if ious.ndim != 2:
        raise ValueError(
            f'match_max_iou: ious must be (N, M), got shape {ious.shape}')
    match = np.full(ious.shape[0], -1, dtype=np.int64)
    if ious.size == 0:
        return match
    rows, cols = linear_sum_assignment(-ious)
    ok = ious[rows, cols] >= iou_thr
    match[rows[ok]] = cols[ok]
    return match
