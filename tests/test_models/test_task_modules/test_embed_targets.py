# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Embedding targets follow SOLO's own cell assignment exactly.

The reference is mmdet's real ``SOLOV2Head._get_targets_single``: called on
one instance at a time it gives that instance's positive cells; called on all
instances it gives the union (``pos_masks``) and the category each cell ends
up with (later instances overwrite earlier ones). Our owner maps must agree
cell for cell.
"""
import numpy as np
import pytest
import torch
from mmdet.models.dense_heads import SOLOV2Head
from mmdet.structures.mask import BitmapMasks
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData

from mmsolotrack.models.tracking_heads import SOLOEmbedHead
from mmsolotrack.models.task_modules import (center_region_cells,
                                             instance_cell_map,
                                             instance_levels,
                                             sample_cell_embeddings)

PAD_H, PAD_W = 128, 160
MASK_STRIDE = 4
FEAT_SIZE = (PAD_H // MASK_STRIDE, PAD_W // MASK_STRIDE)  # mask features
NUM_CLASSES = 5
# the tiny config's levels
SCALE_RANGES = ((1, 32), (16, 64), (32, 128), (64, 256), (128, 2048))
NUM_GRIDS = [24, 20, 16, 12, 8]
POS_SCALE = 0.2


def solo_head_kwargs(num_grids=NUM_GRIDS):
    return dict(
        num_classes=NUM_CLASSES,
        in_channels=16,
        feat_channels=16,
        stacked_convs=1,
        strides=[8, 8, 16, 32, 32],
        scale_ranges=SCALE_RANGES,
        pos_scale=POS_SCALE,
        num_grids=list(num_grids),
        cls_down_index=0,
        mask_feature_head=dict(
            feat_channels=8,
            start_level=0,
            end_level=3,
            out_channels=16,
            mask_stride=MASK_STRIDE,
            norm_cfg=dict(type='GN', num_groups=4, requires_grad=True)),
        norm_cfg=dict(type='GN', num_groups=4, requires_grad=True))


def mmdet_head(num_grids=NUM_GRIDS):
    # mmdet's default loss configs are unprefixed: build in mmdet's scope
    with DefaultScope.overwrite_default_scope('mmdet'):
        return SOLOV2Head(**solo_head_kwargs(num_grids))


def embed_head(embed_grid='num_grids', num_grids=NUM_GRIDS):
    """The track head with the SOLO head's scale ranges and pos_scale (its
    own arguments); ``'num_grids'``: SOLO's S_l as its grids."""
    return SOLOEmbedHead(
        in_channels=16,
        feat_channels=16,
        stacked_convs=1,
        norm_cfg=dict(type='GN', num_groups=4, requires_grad=True),
        scale_ranges=SCALE_RANGES,
        pos_scale=POS_SCALE,
        embed_dims=8,
        embed_grid=(list(num_grids)
                    if embed_grid == 'num_grids' else embed_grid))


# ----------------------------------------------------------------------------
# Hand-made instances (written independently of the package)
# ----------------------------------------------------------------------------
def rect(y0, x0, h, w):
    m = np.zeros((PAD_H, PAD_W), dtype=np.uint8)
    m[y0:y0 + h, x0:x0 + w] = 1
    return m


def disc(cy, cx, r):
    yy, xx = np.mgrid[:PAD_H, :PAD_W]
    return ((yy - cy)**2 + (xx - cx)**2 <= r * r).astype(np.uint8)


def box_of(mask):
    """xyxy box, right/bottom exclusive (as mmdet's mask2bbox)."""
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        return [0., 0., 0., 0.]
    return [xs.min(), ys.min(), xs.max() + 1., ys.max() + 1.]


def gt_instances(masks, labels, bboxes=None):
    masks = np.stack(masks) if len(masks) else np.zeros(
        (0, PAD_H, PAD_W), np.uint8)
    if bboxes is None:
        bboxes = [box_of(m) for m in masks]
    return InstanceData(
        bboxes=torch.tensor(bboxes, dtype=torch.float32).reshape(-1, 4),
        labels=torch.tensor(labels, dtype=torch.long),
        masks=BitmapMasks(masks, PAD_H, PAD_W))


def hand_made_image():
    """Five instances on a 128 x 160 padded input.

    scale sqrt(w*h): 0 large rect ~66 (levels 2 and 3: two ranges), 1 small
    disc 13 (level 0), 2 rect 24.5 (levels 0 and 1), 3 rect next to 2 so their
    center regions collide on level 0/1 (4 overwrites 3 is checked by labels),
    4 empty mask with a non-empty box (must own nothing).
    """
    masks = [
        rect(20, 30, 60, 72),  # 0: 60 x 72 -> 65.7, levels 2, 3
        disc(100, 130, 6),  # 1: 13 x 13 -> 13, level 0
        rect(70, 10, 20, 30),  # 2: 20 x 30 -> 24.5, levels 0, 1
        rect(72, 16, 22, 26),  # 3: 22 x 26 -> 23.9, levels 0, 1; overlaps 2
        np.zeros((PAD_H, PAD_W), np.uint8),  # 4: empty mask
    ]
    bboxes = [box_of(m) for m in masks[:4]] + [[40., 40., 80., 80.]]
    labels = [0, 1, 2, 3, 4]
    return masks, labels, bboxes


def solo_targets(head, inst):
    """mmdet's (labels, pos_masks) per level, as (G, G) tensors."""
    _, labels, pos_masks, _ = head._get_targets_single(
        inst, featmap_sizes=FEAT_SIZE)
    grids = head.num_grids
    return labels, [p.view(g, g) for p, g in zip(pos_masks, grids)]


def our_owners(inst, grids=NUM_GRIDS):
    masks = inst.masks.to_tensor(dtype=torch.bool, device='cpu')
    return instance_cell_map(masks, inst.bboxes, SCALE_RANGES, grids,
                             POS_SCALE, (PAD_H, PAD_W))


def check_against_solo(masks, labels, bboxes, num_grids=NUM_GRIDS):
    """Owner maps == SOLO's assignment, per instance and for the union."""
    ref = mmdet_head(num_grids)
    inst = gt_instances(masks, labels, bboxes)
    owners = our_owners(inst, num_grids)
    assert [tuple(o.shape) for o in owners] == [(g, g) for g in num_grids]

    # one instance alone: SOLO's positive cells of k
    alone = []
    for k in range(len(masks)):
        _, pos = solo_targets(ref, inst[[k]])
        alone.append(pos)
    for lvl in range(len(num_grids)):
        # later instances overwrite earlier ones
        expected = torch.full_like(owners[lvl], -1)
        for k in range(len(masks)):
            expected[alone[k][lvl]] = k
        assert torch.equal(owners[lvl], expected), f'level {lvl}'

    # all instances: union == pos_masks, labels == labels of our owners
    solo_labels, solo_pos = solo_targets(ref, inst)
    for lvl in range(len(num_grids)):
        assert torch.equal(owners[lvl] >= 0, solo_pos[lvl]), f'level {lvl}'
        own = owners[lvl]
        expected_labels = torch.full_like(own, NUM_CLASSES)
        expected_labels[own >= 0] = inst.labels[own[own >= 0]]
        assert torch.equal(solo_labels[lvl], expected_labels), f'level {lvl}'
    return owners, alone


def test_hand_made_image_matches_solo():
    masks, labels, bboxes = hand_made_image()
    owners, alone = check_against_solo(masks, labels, bboxes)

    def levels_owned(k):
        return [lvl for lvl, o in enumerate(owners) if (o == k).any()]

    # the scale ranges the test was designed for
    assert levels_owned(0) == [2, 3]  # two scale ranges, two levels
    assert levels_owned(1) == [0]
    assert levels_owned(2) == [0, 1]
    assert levels_owned(3) == [0, 1]
    assert levels_owned(4) == []  # empty mask owns nothing
    # 2 and 3 collide: 3 (later) takes cells 2 would own alone
    assert (alone[2][0] & alone[3][0]).any()
    assert ((owners[0] == 3) & alone[2][0]).any()
    # instance 2 still owns something where they do not collide
    assert (owners[0] == 2).any()


def test_hand_made_image_order_reversed():
    """Reversed order: the other instance wins the shared cells."""
    masks, labels, bboxes = hand_made_image()
    owners, alone = check_against_solo(masks[::-1], labels[::-1],
                                       bboxes[::-1])
    # 3 -> index 1, 2 -> index 2: now 2 (later) overwrites 3
    shared = alone[1][0] & alone[2][0]
    assert shared.any()
    assert (owners[0][shared] == 2).all()


@pytest.mark.parametrize('seed', range(12))
def test_random_images_match_solo(seed):
    """Random rectangles and discs of all sizes, many collisions."""
    rng = np.random.RandomState(seed)
    masks, labels = [], []
    for _ in range(rng.randint(1, 7)):
        if rng.rand() < 0.5:
            h, w = rng.randint(2, 120), rng.randint(2, 150)
            masks.append(
                rect(rng.randint(0, PAD_H - h), rng.randint(0, PAD_W - w), h,
                     w))
        else:
            masks.append(
                disc(rng.uniform(0, PAD_H), rng.uniform(0, PAD_W),
                     rng.uniform(1, 50)))
        labels.append(int(rng.randint(NUM_CLASSES)))
    masks = [m for m in masks if m.any()] or [rect(5, 5, 9, 9)]
    labels = labels[:len(masks)]
    check_against_solo(masks, labels, [box_of(m) for m in masks])


def test_embed_grid_40_matches_solo_with_40_grids():
    """G = 40 at every level is SOLO's rule on a 40 x 40 category grid."""
    masks, labels, bboxes = hand_made_image()
    check_against_solo(masks, labels, bboxes, num_grids=[40] * 5)
    head = embed_head(embed_grid=40)
    inst = gt_instances(masks, labels, bboxes)
    owners = head.get_targets(inst, (PAD_H, PAD_W))
    ref_owners = our_owners(inst, [40] * 5)
    assert all(torch.equal(a, b) for a, b in zip(owners, ref_owners))


def test_head_targets_match_solo_and_never_cross_images():
    """The head's targets + sampling: identities are (image, instance)."""
    head = embed_head('num_grids')
    ref = mmdet_head()
    masks, labels, bboxes = hand_made_image()
    img0 = gt_instances(masks, labels, bboxes)
    # image 1: the same instances in another order (same instance indices
    # mean different objects), plus one more
    img1 = gt_instances(masks[:4][::-1] + [rect(0, 0, 30, 30)],
                        [3, 2, 1, 0, 4])
    batch = [img0, img1]
    batch_owners = [head.get_targets(gt, (PAD_H, PAD_W)) for gt in batch]
    for gt, owners in zip(batch, batch_owners):
        _, pos = solo_targets(ref, gt)
        for lvl in range(5):
            assert torch.equal(owners[lvl] >= 0, pos[lvl])

    # embeddings encode (image, level, y, x) so we can trace every sample
    grids = head.embed_branch.grids
    mlvl = []
    for lvl, g in enumerate(grids):
        e = torch.zeros(2, 4, g, g)
        e[:, 0] = torch.arange(2.)[:, None, None]
        e[:, 1] = lvl
        e[:, 2] = torch.arange(g)[None, :, None].float()
        e[:, 3] = torch.arange(g)[None, None, :].float()
        mlvl.append(e)
    embeds, ids = sample_cell_embeddings(mlvl, batch_owners)
    num_cells = sum(int((o >= 0).sum()) for owners in batch_owners
                    for o in owners)
    assert embeds.shape == (num_cells, 4) and ids.shape == (num_cells, )
    img_of_id = {}
    inst_of_id = {}
    for (img, lvl, y, x), i in zip(embeds.long().tolist(), ids.tolist()):
        inst = int(batch_owners[img][lvl][y, x])
        assert inst >= 0
        # one identity <-> one (image, instance) pair
        assert img_of_id.setdefault(i, img) == img
        assert inst_of_id.setdefault(i, inst) == inst
    pairs = {(img_of_id[i], inst_of_id[i]) for i in img_of_id}
    assert len(pairs) == len(img_of_id)
    expected_pairs = {(b, int(k)) for b, owners in enumerate(batch_owners)
                      for o in owners for k in o.unique() if k >= 0}
    assert pairs == expected_pairs


def test_no_instances():
    inst = gt_instances([], [])
    owners = our_owners(inst)
    assert all((o == -1).all() for o in owners)
    head = embed_head()
    owners = head.get_targets(inst, (PAD_H, PAD_W))
    embeds, ids = sample_cell_embeddings(
        [torch.randn(1, 8, g, g) for g in NUM_GRIDS], [owners],
        max_per_instance=16)
    assert embeds.shape == (0, 8) and ids.shape == (0, )


def test_instance_levels_inclusive_bounds():
    # scale exactly 32 is in (1, 32), (16, 64) and (32, 128); 16 is in
    # (1, 32) and (16, 64)
    boxes = torch.tensor([[0., 0., 32., 32.], [0., 0., 16., 16.],
                          [0., 0., 300., 300.], [0., 0., 0.5, 0.5]])
    got = instance_levels(boxes, SCALE_RANGES)
    expected = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 0, 0, 0],
                             [0, 0, 0, 0, 1], [0, 0, 0, 0, 0]]).bool()
    assert torch.equal(got, expected)


def test_center_region_cells_hand_computed():
    # 20 x 20 square at rows 40..59, cols 60..79 on 128 x 160, G = 16
    mask = torch.zeros(PAD_H, PAD_W, dtype=torch.bool)
    mask[40:60, 60:80] = True
    bbox = torch.tensor([60., 40., 80., 60.])
    # center of mass (49.5, 69.5); cell = floor(49.5 / 8) = 6,
    # floor(69.5 / 10) = 6; half ranges 0.2 * 10 = 2 px ->
    # rows floor(47.5 / 8) = 5 .. floor(51.5 / 8) = 6,
    # cols floor(67.5 / 10) = 6 .. floor(71.5 / 10) = 7
    assert center_region_cells(mask, bbox, 16, 0.2,
                               (PAD_H, PAD_W)) == (5, 6, 6, 7)
    # a huge pos_scale is clipped to the 3 x 3 cells around the center
    assert center_region_cells(mask, bbox, 16, 5.0,
                               (PAD_H, PAD_W)) == (5, 7, 5, 7)
