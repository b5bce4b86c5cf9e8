# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The pure association helpers against brute-force references written with
numpy and plain loops, independently of pycocotools and scipy."""
import itertools

import numpy as np
import pycocotools.mask as mask_util
import pytest
import torch

from mmsolotrack.models.trackers.association import (encode_masks_rle,
                                                     mask_iou_rle,
                                                     match_by_similarity,
                                                     match_max_iou,
                                                     rle_to_json,
                                                     segmentation_to_rle)
from mmsolotrack.testing.masks import box_mask, uncompressed_rle


def dense_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N, M) IoU of (N, H, W) and (M, H, W) bool masks; 0 for two empty
    masks."""
    out = np.zeros((len(a), len(b)))
    for i, j in itertools.product(range(len(a)), range(len(b))):
        inter = np.logical_and(a[i], b[j]).sum()
        union = np.logical_or(a[i], b[j]).sum()
        out[i, j] = inter / union if union else 0.0
    return out


def brute_force_best(sim, thr):
    """(number of pairs, total similarity) of the best partial matching
    with every pair >= thr: most pairs first, then the largest total."""
    n, m = sim.shape
    best = (0, 0.0)
    for k in range(1, min(n, m) + 1):
        for rows in itertools.combinations(range(n), k):
            for cols in itertools.permutations(range(m), k):
                vals = [sim[r, c] for r, c in zip(rows, cols)]
                if min(vals) >= thr:
                    cand = (k, sum(vals))
                    if cand[0] > best[0] or (cand[0] == best[0]
                                             and cand[1] > best[1] + 1e-12):
                        best = cand
    return best


def brute_force_max_total(ious):
    """Largest total IoU of a matching that pairs min(N, M) items."""
    n, m = ious.shape
    k = min(n, m)
    best = 0.0
    for rows in itertools.combinations(range(n), k):
        for cols in itertools.permutations(range(m), k):
            best = max(best, sum(ious[r, c] for r, c in zip(rows, cols)))
    return best


# --------------------------------------------------------------------------
# RLE encoding and IoU
# --------------------------------------------------------------------------


@pytest.mark.parametrize('seed', range(6))
def test_mask_iou_rle_equals_numpy_iou_on_random_masks(seed):
    rng = np.random.default_rng(seed)
    h, w = rng.integers(1, 24, size=2)
    n, m = rng.integers(1, 6, size=2)
    a = rng.random((n, h, w)) < rng.uniform(0.1, 0.9)
    b = rng.random((m, h, w)) < rng.uniform(0.1, 0.9)
    b[0] = a[0]  # IoU 1 (or 0 if both empty)
    if m > 1:
        b[1] = False  # empty against anything: 0
    ious = mask_iou_rle(encode_masks_rle(a), encode_masks_rle(b))
    assert ious.shape == (n, m) and ious.dtype == np.float64
    np.testing.assert_allclose(ious, dense_iou(a, b), rtol=0, atol=1e-12)


def test_mask_iou_rle_edge_cases():
    g = torch.Generator().manual_seed(0)
    a = torch.rand(5, 20, 30, generator=g) > 0.6
    b = torch.rand(4, 20, 30, generator=g) > 0.3
    assert mask_iou_rle([], encode_masks_rle(b)).shape == (0, 4)
    assert mask_iou_rle(encode_masks_rle(a), []).shape == (5, 0)
    with pytest.raises(ValueError, match='same size'):
        mask_iou_rle(encode_masks_rle(a), encode_masks_rle(b[:, :10]))


def test_encode_masks_rle_round_trips_tensors_and_arrays():
    rng = np.random.default_rng(0)
    masks = rng.random((3, 7, 5)) < 0.5
    for given in (masks, torch.from_numpy(masks), masks.astype(np.uint8)):
        rles = encode_masks_rle(given)
        assert len(rles) == 3
        for rle, want in zip(rles, masks):
            assert list(rle['size']) == [7, 5]
            assert isinstance(rle['counts'], bytes)
            np.testing.assert_array_equal(
                mask_util.decode(rle).astype(bool), want)
    assert encode_masks_rle(torch.zeros(0, 7, 5, dtype=torch.bool)) == []
    with pytest.raises(ValueError, match=r'\(N, H, W\)'):
        encode_masks_rle(masks[0])


def test_rle_to_json_is_json_ready_and_decodes_back():
    mask = np.zeros((6, 4), dtype=bool)
    mask[1:4, 2:] = True
    rle = encode_masks_rle(mask[None])[0]
    out = rle_to_json(rle)
    assert out == dict(size=[6, 4], counts=rle['counts'].decode('ascii'))
    assert all(type(s) is int for s in out['size'])
    assert rle_to_json(out) == out  # str counts stay str
    back = dict(size=out['size'], counts=out['counts'].encode())
    np.testing.assert_array_equal(mask_util.decode(back).astype(bool), mask)


def test_segmentation_to_rle_reads_every_json_form():
    h, w = 9, 7
    want = box_mask(h, w, 2, 3, 6, 8)  # columns 2:6, rows 3:8
    compressed = rle_to_json(encode_masks_rle(want[None])[0])
    forms = {
        'polygon': [[2, 3, 6, 3, 6, 8, 2, 8]],
        'uncompressed': uncompressed_rle(want),
        'compressed str': compressed,
        'compressed bytes': dict(compressed,
                                 counts=compressed['counts'].encode()),
    }
    for name, segm in forms.items():
        rle = segmentation_to_rle(segm, h, w)
        assert isinstance(rle['counts'], bytes), name
        np.testing.assert_array_equal(mask_util.decode(rle).astype(bool),
                                      want,
                                      err_msg=name)


# --------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------


def test_match_by_similarity_on_a_known_matrix():
    sim = np.array([
        [0.9, 0.8, 0.0],  # greedy would take (0, 0) and strand row 1
        [0.85, 0.1, 0.2],
        [0.3, 0.2, 0.1],  # nothing >= 0.5: unmatched
    ])
    rows, cols = match_by_similarity(sim, 0.5)
    assert rows.dtype == np.int64 and cols.dtype == np.int64
    assert sorted(zip(rows.tolist(), cols.tolist())) == [(0, 1), (1, 0)]
    # two pairs (1.2 in total) beat one pair of 1.3
    sim = np.array([[1.3, 0.6], [0.6, 0.0]])
    rows, cols = match_by_similarity(sim, 0.5)
    assert sorted(zip(rows.tolist(), cols.tolist())) == [(0, 1), (1, 0)]
    rows, cols = match_by_similarity(np.zeros((0, 3)), 0.5)
    assert rows.shape == cols.shape == (0, )
    with pytest.raises(ValueError, match='similarity must be'):
        match_by_similarity(np.zeros(3), 0.5)


@pytest.mark.parametrize('seed', range(40))
def test_match_by_similarity_brute_force(seed):
    rng = np.random.default_rng(seed)
    n, m = rng.integers(0, 5, size=2)
    sim = rng.uniform(-1, 2, size=(n, m))
    thr = float(rng.choice([0.5, 0.0, -0.5, 1.2]))
    rows, cols = match_by_similarity(sim, thr)
    assert len(set(rows.tolist())) == len(rows)
    assert len(set(cols.tolist())) == len(cols)
    assert all(sim[r, c] >= thr for r, c in zip(rows, cols))
    got = (len(rows), float(sim[rows, cols].sum()) if len(rows) else 0.0)
    want = brute_force_best(sim, thr)
    assert got[0] == want[0]
    assert got[1] == pytest.approx(want[1])


def test_match_max_iou_on_a_known_matrix():
    ious = np.array([
        [0.9, 0.6],
        [0.7, 0.0],
        [0.5, 0.0],  # exactly the threshold, but row 1 takes gt 0
    ])
    match = match_max_iou(ious, 0.5)
    assert match.dtype == np.int64
    # total 0.6 + 0.7 = 1.3 beats 0.9 + 0.0
    assert match.tolist() == [1, 0, -1]
    # the largest total is taken first, then pairs below the threshold
    # are dropped (not: the most pairs above it)
    ious = np.array([[1.0, 0.5], [0.5, 0.1]])  # 1.1 on the diagonal
    assert match_max_iou(ious, 0.5).tolist() == [0, -1]
    assert len(match_by_similarity(ious, 0.5)[0]) == 2
    assert match_max_iou(np.array([[0.5]]), 0.5).tolist() == [0]
    below = np.nextafter(0.5, 0.0)
    assert match_max_iou(np.array([[below]]), 0.5).tolist() == [-1]
    assert match_max_iou(np.zeros((2, 0)), 0.5).tolist() == [-1, -1]
    with pytest.raises(ValueError, match='ious must be'):
        match_max_iou(np.zeros(3), 0.5)


@pytest.mark.parametrize('seed', range(20))
def test_match_max_iou_brute_force(seed):
    rng = np.random.default_rng(seed)
    n, m = rng.integers(1, 5, size=2)
    ious = rng.uniform(0, 1, size=(n, m))
    thr = float(rng.choice([0.0, 0.3, 0.5]))
    match = match_max_iou(ious, thr)
    matched = np.flatnonzero(match >= 0)
    assert len(set(match[matched].tolist())) == len(matched)
    assert all(ious[p, match[p]] >= thr for p in matched)
    # the full assignment behind it has the largest total IoU
    if thr == 0.0:
        assert len(matched) == min(n, m)
        total = ious[matched, match[matched]].sum()
        assert total == pytest.approx(brute_force_max_total(ious))
