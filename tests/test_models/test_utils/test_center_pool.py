# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Embeddings are pooled over the cells the embedding losses train.

``embed_cells='center'``: the pooled embedding of a mask is the mean of the
cells its training target owns (SOLO's center region); ``'mask'``: the
training target owns the cells mask pooling averages. Both are checked
against the target code on the same masks, and the center region once by
hand.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmdet.structures.mask import mask2bbox

from mmsolotrack.models.task_modules import instance_cell_map
from mmsolotrack.models.utils import (center_pool_embeddings,
                                      mask_pool_embeddings, masks_to_levels)

PAD = (128, 160)
SCALE_RANGES = ((1, 32), (16, 64), (32, 128), (64, 256), (128, 2048))
GRIDS = [24, 20, 16, 12, 8]
POS_SCALE = 0.2
DIMS = 6


def random_embeds(seed):
    gen = torch.Generator().manual_seed(seed)
    return [torch.randn(DIMS, g, g, generator=gen) for g in GRIDS]


def random_masks(seed, num=6):
    """Rectangles and discs of 6-100 px in a PAD-sized image, (N, H, W)."""
    rng = np.random.RandomState(seed)
    yy, xx = np.mgrid[:PAD[0], :PAD[1]]
    masks = []
    for _ in range(num):
        if rng.rand() < 0.5:
            h, w = rng.randint(6, 100), rng.randint(6, 100)
            y0, x0 = rng.randint(0, PAD[0] - h), rng.randint(0, PAD[1] - w)
            m = np.zeros(PAD, bool)
            m[y0:y0 + h, x0:x0 + w] = True
        else:
            r = rng.uniform(4, 40)
            m = (yy - rng.uniform(0, PAD[0]))**2 + (
                xx - rng.uniform(0, PAD[1]))**2 <= r * r
        masks.append(m)
    masks = [m for m in masks if m.any()]
    return torch.from_numpy(np.stack(masks))


def mean_of_owned_cells(mlvl, mask, region):
    """What the losses see of one instance: its owned cells, averaged."""
    owners = instance_cell_map(mask[None], mask2bbox(mask[None]).float(),
                               SCALE_RANGES, GRIDS, POS_SCALE, PAD,
                               region=region)
    cells = [e[:, o == 0] for e, o in zip(mlvl, owners)]
    return F.normalize(torch.cat(cells, dim=1).mean(dim=1), dim=0)


@pytest.mark.parametrize('seed', range(6))
def test_center_pooling_averages_the_cells_the_losses_train(seed):
    mlvl, masks = random_embeds(seed), random_masks(seed)
    levels = masks_to_levels(masks, SCALE_RANGES)
    got = center_pool_embeddings(mlvl, masks, levels, PAD, POS_SCALE)
    for n, mask in enumerate(masks):
        expected = mean_of_owned_cells(mlvl, mask, 'center')
        torch.testing.assert_close(got[n], expected, msg=f'mask {n}')


@pytest.mark.parametrize('seed', range(6))
def test_mask_targets_own_the_cells_mask_pooling_averages(seed):
    mlvl, masks = random_embeds(seed), random_masks(seed)
    levels = masks_to_levels(masks, SCALE_RANGES)
    got = mask_pool_embeddings(mlvl, masks, levels, PAD)
    for n, mask in enumerate(masks):
        expected = mean_of_owned_cells(mlvl, mask, 'mask')
        torch.testing.assert_close(got[n], expected, msg=f'mask {n}')


def test_center_region_by_hand():
    """A 20 x 20 square, rows 40-59, cols 60-79: center of mass (49.5,
    69.5), half sizes 0.2 x 10 = 2 px; scale 20 is in levels 0 (1-32) and 1
    (16-64). Level 0 (24 x 24 cells of 5.33 x 6.67 px): rows 47.5-51.5 ->
    cells 8-9, cols 67.5-71.5 -> cell 10. Level 1 (20 x 20, 6.4 x 8 px):
    rows -> cells 7-8, cols -> cell 8."""
    mlvl = random_embeds(0)
    mask = torch.zeros((1, ) + PAD, dtype=torch.bool)
    mask[0, 40:60, 60:80] = True
    levels = masks_to_levels(mask, SCALE_RANGES)
    got = center_pool_embeddings(mlvl, mask, levels, PAD, POS_SCALE)
    cells = [mlvl[0][:, 8, 10], mlvl[0][:, 9, 10], mlvl[1][:, 7, 8],
             mlvl[1][:, 8, 8]]
    torch.testing.assert_close(
        got[0], F.normalize(torch.stack(cells).mean(0), dim=0))
    # a wider region (pos_scale 1: rows 39.5-59.5, cols 59.5-79.5) is still
    # clipped to the 3 x 3 cells around the center cell
    wide = center_pool_embeddings(mlvl, mask, levels, PAD, 1.0)
    cells = [mlvl[0][:, r, c] for r in (8, 9, 10) for c in (9, 10, 11)]
    cells += [mlvl[1][:, r, c] for r in (6, 7, 8) for c in (7, 8, 9)]
    torch.testing.assert_close(
        wide[0], F.normalize(torch.stack(cells).mean(0), dim=0))


def test_mask_coordinates_are_scaled_to_the_input():
    """A mask at half the input resolution (scale 2) pools the same cells
    as its full-resolution twin when its geometry maps exactly: rows 20-29
    at scale 2 span 40-59 of the input (center of mass 24.5 * 2 = 49 vs
    49.5; both fall in the same cells at level 0)."""
    mlvl = random_embeds(1)
    full = torch.zeros((1, ) + PAD, dtype=torch.bool)
    full[0, 40:60, 60:80] = True
    half = torch.zeros((1, PAD[0] // 2, PAD[1] // 2), dtype=torch.bool)
    half[0, 20:30, 30:40] = True
    only_level0 = torch.tensor([[True, False, False, False, False]])
    a = center_pool_embeddings(mlvl, full, only_level0, PAD, POS_SCALE)
    b = center_pool_embeddings(mlvl, half, only_level0, PAD, POS_SCALE,
                               scale=(2., 2.))
    torch.testing.assert_close(a, b)
    # and not the cells of the unscaled (wrong) geometry
    c = center_pool_embeddings(mlvl, half, only_level0, PAD, POS_SCALE)
    assert not torch.allclose(a, c)


def test_empty_masks_fall_back_as_mask_pooling_and_gradients_reach_cells():
    mlvl = [e.requires_grad_() for e in random_embeds(2)]
    masks = torch.zeros((2, ) + PAD, dtype=torch.bool)
    masks[1, 40:60, 60:80] = True
    levels = masks_to_levels(masks, SCALE_RANGES)
    got = center_pool_embeddings(mlvl, masks, levels, PAD, POS_SCALE)
    ref = mask_pool_embeddings(mlvl, masks[:1], levels[:1], PAD)
    torch.testing.assert_close(got[0], ref[0])
    got[1].sum().backward()
    touched = (mlvl[0].grad.abs().sum(0) > 0).nonzero().tolist()
    assert touched == [[8, 10], [9, 10]]
    assert center_pool_embeddings(mlvl, masks[:0], levels[:0], PAD,
                                  POS_SCALE).shape == (0, DIMS)
