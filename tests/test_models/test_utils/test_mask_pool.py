# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Mask pooling of embedding grids, against a brute-force loop.

The reference walks every instance, level and cell, maps the cell's center
(in padded-input pixels, exact rational arithmetic) to a mask pixel and keeps
the cell when that pixel is inside the mask; with no such cell it takes the
cell holding the mask's center of mass; an empty mask takes the cells
holding the image's center at all levels.
"""
import math
from fractions import Fraction

import numpy as np
import pytest
import torch

from mmsolotrack.models.utils import mask_pool_embeddings, masks_to_levels

PAD = (128, 160)
SCALE_RANGES = ((1, 32), (16, 64), (32, 128), (64, 256), (128, 2048))
GRIDS = [24, 20, 16, 12, 8]
DIMS = 6


# ----------------------------------------------------------------------------
# Brute-force references
# ----------------------------------------------------------------------------
def ref_levels(mask, scale):
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        return [False] * len(SCALE_RANGES)
    w = (xs.max() + 1 - xs.min()) * scale[1]
    h = (ys.max() + 1 - ys.min()) * scale[0]
    s = math.sqrt(w * h)
    return [lo <= s <= hi for lo, hi in SCALE_RANGES]


def ref_pool(mlvl, masks, levels, pad, scale):
    """mlvl: L arrays (D, G, G); masks: (N, h, w) bool numpy."""
    out = []
    h, w = masks.shape[-2:]
    sy, sx = Fraction(scale[0]), Fraction(scale[1])
    for n, mask in enumerate(masks):
        lv = [lvl for lvl in range(len(mlvl)) if levels[n][lvl]]
        if not lv:
            lv = list(range(len(mlvl)))
        acc, cnt = np.zeros(mlvl[0].shape[0]), 0
        for lvl in lv:
            e = mlvl[lvl]
            gh, gw = e.shape[1:]
            for gy in range(gh):
                for gx in range(gw):
                    cy = (Fraction(2 * gy + 1, 2) * Fraction(pad[0], gh))
                    cx = (Fraction(2 * gx + 1, 2) * Fraction(pad[1], gw))
                    my, mx = math.floor(cy / sy), math.floor(cx / sx)
                    if my < h and mx < w and mask[my, mx]:
                        acc += e[:, gy, gx]
                        cnt += 1
        if cnt == 0:  # fallback: the cell holding the center of mass
            ys, xs = np.nonzero(mask)
            com_y = (ys.mean() + 0.5) * float(sy)  # input pixels
            com_x = (xs.mean() + 0.5) * float(sx)
            for lvl in lv:
                e = mlvl[lvl]
                gh, gw = e.shape[1:]
                gy = min(gh - 1, int(com_y // (pad[0] / gh)))
                gx = min(gw - 1, int(com_x // (pad[1] / gw)))
                acc += e[:, gy, gx]
                cnt += 1
        v = acc / cnt
        out.append(v / np.linalg.norm(v))
    return np.array(out).reshape(len(masks), -1)


def random_grids(seed, grids=GRIDS, dims=DIMS):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(dims, s, s, generator=g, dtype=torch.float64)
            for s in grids]


def random_masks(seed, num, h, w):
    rng = np.random.RandomState(seed)
    masks = np.zeros((num, h, w), bool)
    yy, xx = np.mgrid[:h, :w]
    for n in range(num):
        kind = rng.randint(3)
        if kind == 0:  # rectangle
            bh, bw = rng.randint(1, h), rng.randint(1, w)
            y0, x0 = rng.randint(0, h - bh + 1), rng.randint(0, w - bw + 1)
            masks[n, y0:y0 + bh, x0:x0 + bw] = True
        elif kind == 1:  # disc
            r = rng.uniform(1, min(h, w) / 2)
            masks[n] = (yy - rng.uniform(0, h))**2 + \
                (xx - rng.uniform(0, w))**2 <= r * r
        else:  # sparse speckles
            masks[n] = rng.rand(h, w) < 0.02
        if not masks[n].any():
            masks[n, rng.randint(h), rng.randint(w)] = True
    return masks


def run_both(mlvl, masks, pad, scale):
    masks_t = torch.from_numpy(masks)
    levels = masks_to_levels(masks_t, SCALE_RANGES, scale)
    got = mask_pool_embeddings(mlvl, masks_t, levels, pad, scale)
    ref = ref_pool([e.numpy() for e in mlvl], masks, levels.tolist(), pad,
                   scale)
    return got, ref, levels


# ----------------------------------------------------------------------------
# Tests
# ----------------------------------------------------------------------------
@pytest.mark.parametrize('seed', range(4))
@pytest.mark.parametrize('grids', [GRIDS, [40] * 5], ids=['num_grids', 'g40'])
def test_matches_brute_force(seed, grids):
    mlvl = random_grids(seed, grids)
    masks = random_masks(seed, 7, *PAD)
    got, ref, _ = run_both(mlvl, masks, PAD, (1., 1.))
    assert got.shape == (7, DIMS)
    np.testing.assert_allclose(got.numpy(), ref, atol=1e-10)
    assert torch.allclose(got.norm(dim=1), torch.ones(7, dtype=got.dtype))


def test_masks_to_levels_brute_force():
    masks = random_masks(3, 20, *PAD)
    for scale in [(1., 1.), (2., 1.5)]:
        got = masks_to_levels(torch.from_numpy(masks), SCALE_RANGES, scale)
        ref = [ref_levels(m, scale) for m in masks]
        assert got.tolist() == ref


def test_tiny_mask_falls_back_to_center_of_mass_cell():
    # G = 8 on 128 x 160: cell (gy, gx) spans rows 16 gy .. 16 gy + 15,
    # cols 20 gx .. 20 gx + 19, centers at (16 gy + 8, 20 gx + 10).
    grids = [8] * 5
    mlvl = random_grids(0, grids)
    masks = np.zeros((2, *PAD), bool)
    masks[0, 50:52, 67:69] = True  # 2 x 2 blob, misses every cell center
    masks[1, 3, 150] = True  # one pixel in the top-right corner cell
    got, ref, levels = run_both(mlvl, masks, PAD, (1., 1.))
    np.testing.assert_allclose(got.numpy(), ref, atol=1e-10)
    # scale 2 -> level 0 only: hand-computed cells
    assert levels.tolist() == [[True, False, False, False, False]] * 2
    # blob center of mass (50.5, 67.5) -> cell (3, 3); pixel -> cell (0, 7)
    expected = torch.stack([mlvl[0][:, 3, 3], mlvl[0][:, 0, 7]])
    expected = expected / expected.norm(dim=1, keepdim=True)
    assert torch.allclose(got, expected)


def ref_empty_mask(mlvl, mask_shape, pad, scale):
    """An empty mask pools, at every level, the cell holding the center of
    the image (mask area ``mask_shape`` in input pixels), (D, )."""
    acc = 0
    for e in mlvl:
        gh, gw = e.shape[1:]
        center = [Fraction(n) * Fraction(s) / 2
                  for n, s in zip(mask_shape, scale)]  # input pixels
        gy = min(gh - 1, math.floor(center[0] * gh / pad[0]))
        gx = min(gw - 1, math.floor(center[1] * gw / pad[1]))
        acc = acc + e[:, gy, gx]
    return acc / acc.norm()


@pytest.mark.parametrize('grids', [GRIDS, [7, 9, 5, 3, 11]],
                         ids=['even', 'odd'])
@pytest.mark.parametrize(
    'mask_shape,scale',
    [(PAD, (1., 1.)), ((100, 150), (1., 1.)), ((50, 75), (2., 2.)),
     ((40, 64), (2.5, 1.5))],
    ids=['pad', 'image', 'original_size', 'non_integer_scale'])
def test_empty_mask_falls_back_to_the_center_cells_of_all_levels(
        grids, mask_shape, scale):
    mlvl = random_grids(1, grids)
    masks = torch.zeros((2, *mask_shape), dtype=torch.bool)
    masks[1, :10, :10] = True  # a normal mask beside it is not affected
    levels = masks_to_levels(masks, SCALE_RANGES, scale)
    assert not levels[0].any()  # no box, no level: all levels are pooled
    got = mask_pool_embeddings(mlvl, masks, levels, PAD, scale)
    assert torch.isfinite(got).all()
    expected = ref_empty_mask(mlvl, mask_shape, PAD, scale)
    torch.testing.assert_close(got[0], expected, rtol=0, atol=1e-12)
    ref = ref_pool([e.numpy() for e in mlvl], masks[1:].numpy(),
                   levels[1:].tolist(), PAD, scale)
    np.testing.assert_allclose(got[1:].numpy(), ref, atol=1e-10)


def test_mask_at_original_size_equals_mask_at_input_size():
    """Masks at ori_shape with the resize scale == masks at input size."""
    mlvl = random_grids(5)
    ori_h, ori_w = 64, 80  # input 128 x 160: scale 2
    small = random_masks(5, 6, ori_h, ori_w)
    big = small.repeat(2, axis=1).repeat(2, axis=2)  # nearest upsampling
    got_small, ref_small, lv_small = run_both(mlvl, small, PAD, (2., 2.))
    got_big, _, lv_big = run_both(mlvl, big, PAD, (1., 1.))
    assert torch.equal(lv_small, lv_big)
    np.testing.assert_allclose(got_small.numpy(), ref_small, atol=1e-10)
    assert torch.allclose(got_small, got_big, atol=1e-12)


def test_non_integer_scale_brute_force():
    # a 100 x 125 original resized to 128 x 160: scale 1.28
    mlvl = random_grids(7)
    masks = random_masks(7, 6, 100, 125)
    got, ref, _ = run_both(mlvl, masks, PAD, (1.28, 1.28))
    np.testing.assert_allclose(got.numpy(), ref, atol=1e-10)


def test_padding_cells_never_count():
    """img_shape 96 x 120 padded to 128 x 160: cells over padding excluded.

    A full-image mask pools exactly the cells whose centers lie inside the
    image; padding cells hold a huge vector that would dominate otherwise.
    """
    img_h, img_w = 96, 120
    grid = 16  # cell 8 x 10: centers at 8 gy + 4, 10 gx + 5
    e = torch.zeros(DIMS, grid, grid, dtype=torch.float64)
    e[0] = 1.  # image cells point along dim 0
    inside_y = (torch.arange(grid) * 8 + 4) < img_h  # 12 rows
    inside_x = (torch.arange(grid) * 10 + 5) < img_w  # 12 cols
    assert int(inside_y.sum()) == 12 and int(inside_x.sum()) == 12
    pad_cells = ~(inside_y[:, None] & inside_x[None, :])
    e[1][pad_cells] = 1e6  # padding cells point (hugely) along dim 1
    mlvl = [e] * 5
    masks = torch.ones(1, img_h, img_w, dtype=torch.bool)
    levels = torch.ones(1, 5, dtype=torch.bool)
    got = mask_pool_embeddings(mlvl, masks, levels, PAD)
    expected = torch.zeros(1, DIMS, dtype=torch.float64)
    expected[0, 0] = 1.
    assert torch.allclose(got, expected)
    # the same with the mask padded with zeros to the padded input size
    padded = torch.zeros(1, *PAD, dtype=torch.bool)
    padded[:, :img_h, :img_w] = True
    got = mask_pool_embeddings(mlvl, padded, levels, PAD)
    assert torch.allclose(got, expected)


def test_gradient_reaches_exactly_the_pooled_cells():
    grid = 16
    mlvl = [
        torch.randn(DIMS, grid, grid, dtype=torch.float64, requires_grad=True)
        for _ in range(5)
    ]
    mask = torch.zeros(1, *PAD, dtype=torch.bool)
    mask[0, 30:70, 40:100] = True  # rows 30..69, cols 40..99
    levels = torch.tensor([[False, True, False, False, False]])
    out = mask_pool_embeddings(mlvl, mask, levels, PAD)
    weights = torch.randn(1, DIMS, dtype=torch.float64)
    (out * weights).sum().backward()
    # centers 8 gy + 4 in [30, 69] -> gy 4..8; 10 gx + 5 in [40, 99] -> 4..9
    expected = torch.zeros(grid, grid, dtype=torch.bool)
    expected[4:9, 4:10] = True
    nonzero = mlvl[1].grad.abs().sum(dim=0) > 0
    assert torch.equal(nonzero, expected)
    for lvl in (0, 2, 3, 4):
        assert mlvl[lvl].grad is None or not mlvl[lvl].grad.any()


def test_gradcheck_small():
    mlvl = [
        torch.randn(3, g, g, dtype=torch.float64, requires_grad=True)
        for g in (4, 3)
    ]
    masks = torch.zeros(2, 16, 16, dtype=torch.bool)
    masks[0, 2:10, 3:12] = True
    masks[1, 14, 1] = True  # fallback cell
    levels = torch.tensor([[True, True], [False, True]])
    assert torch.autograd.gradcheck(
        lambda a, b: mask_pool_embeddings([a, b], masks, levels, (16, 16)),
        mlvl)


def test_no_instances():
    mlvl = [
        torch.randn(DIMS, g, g, requires_grad=True) for g in GRIDS
    ]
    masks = torch.zeros(0, *PAD, dtype=torch.bool)
    levels = masks_to_levels(masks, SCALE_RANGES)
    assert levels.shape == (0, 5)
    out = mask_pool_embeddings(mlvl, masks, levels, PAD)
    assert out.shape == (0, DIMS)
    assert out.requires_grad  # keeps the graph: backward does not crash
    out.sum().backward()
    grads = [e.grad for e in mlvl if e.grad is not None]
    assert grads and all((g == 0).all() for g in grads)
