# Copyright (c) mmsolotrack contributors. All rights reserved.
"""SOLOEmbedHead (the track head): shapes, losses, sampling, pooling."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmdet.models.dense_heads import SOLOHead
from mmdet.structures import DetDataSample
from mmdet.structures.mask import BitmapMasks
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData

from mmsolotrack.models.task_modules import (instance_cell_map,
                                             sample_cell_embeddings)
from mmsolotrack.models.tracking_heads import SOLOEmbedHead

PAD_H, PAD_W = 128, 160
IN_CH, FEAT_CH, STACKED, DIMS = 16, 16, 2, 8
# FPN outputs for a 128 x 160 input, strides 4 .. 64
FEAT_SIZES = [(32, 40), (16, 20), (8, 10), (4, 5), (2, 3)]
NUM_GRIDS = [24, 20, 16, 12, 8]
SCALE_RANGES = ((1, 32), (16, 64), (32, 128), (64, 256), (128, 2048))
EMBED_LOSS_KEYS = {
    'loss_embed_instance', 'loss_embed_center', 'loss_embed_entropy'
}
GN = dict(type='GN', num_groups=4, requires_grad=True)


def make_head(**kw):
    torch.manual_seed(0)
    args = dict(
        in_channels=IN_CH,
        feat_channels=FEAT_CH,
        stacked_convs=STACKED,
        norm_cfg=GN,
        scale_ranges=SCALE_RANGES,
        pos_scale=0.2,
        embed_dims=DIMS,
        embed_grid=12)
    args.update(kw)
    return SOLOEmbedHead(**args)


def feats(batch=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    return tuple(
        torch.randn(batch, IN_CH, h, w, generator=g) for h, w in FEAT_SIZES)


def metas(batch=2):
    return [
        dict(
            img_shape=(PAD_H, PAD_W),
            ori_shape=(PAD_H, PAD_W),
            pad_shape=(PAD_H, PAD_W),
            batch_input_shape=(PAD_H, PAD_W)) for _ in range(batch)
    ]


def rect_mask(y0, x0, h, w, shape=(PAD_H, PAD_W)):
    m = np.zeros(shape, np.uint8)
    m[y0:y0 + h, x0:x0 + w] = 1
    return m


def gt(rects):
    """InstanceData of rectangles (y0, x0, h, w) on the padded input."""
    masks = np.stack([rect_mask(*r) for r in rects]) if rects else np.zeros(
        (0, PAD_H, PAD_W), np.uint8)
    boxes = [[x0, y0, x0 + w, y0 + h] for y0, x0, h, w in rects]
    return InstanceData(
        bboxes=torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4),
        labels=torch.zeros(len(rects), dtype=torch.long),
        masks=BitmapMasks(masks, PAD_H, PAD_W))


# a few instances: small (levels 0, 1), medium (level 2), large (3, 4)
RECTS_A = [(10, 10, 20, 24), (60, 40, 50, 60), (40, 90, 12, 14)]
RECTS_B = [(5, 5, 110, 150), (70, 20, 20, 20)]


def count_params(module):
    return sum(p.numel() for p in module.parameters())


# ----------------------------------------------------------------------------
# forward
# ----------------------------------------------------------------------------
@pytest.mark.parametrize('embed_grid,grids', [(12, [12] * 5),
                                              (NUM_GRIDS, NUM_GRIDS)])
def test_forward_shapes_and_unit_norm(embed_grid, grids):
    head = make_head(embed_grid=embed_grid)
    embeds = head(feats())
    assert [tuple(e.shape) for e in embeds] == [(2, DIMS, g, g)
                                                for g in grids]
    for e in embeds:
        assert torch.allclose(e.norm(dim=1), torch.ones(()), atol=1e-5)


def test_forward_resizes_levels_as_solo():
    """resize_feats=True: the branch sees SOLO's resized levels (mmdet's
    SOLOHead.resize_feats); False: the levels as given."""
    head = make_head()
    x = feats()
    with DefaultScope.overwrite_default_scope('mmdet'):  # its default losses
        solo = SOLOHead(num_classes=1, in_channels=IN_CH,
                        feat_channels=FEAT_CH, stacked_convs=1, norm_cfg=GN)
    ref = head.embed_branch(solo.resize_feats(x))
    for a, b in zip(head(x), ref):
        assert torch.equal(a, b)
    head.resize_feats = False
    plain = head(x)
    assert torch.equal(plain[1], ref[1])  # middle levels are not resized
    assert not torch.allclose(plain[0], ref[0])
    for a, b in zip(plain, head.embed_branch(x)):
        assert torch.equal(a, b)


def test_wrong_number_of_levels():
    with pytest.raises(ValueError, match='feature levels'):
        make_head()(feats()[:3])


def test_bad_arguments():
    with pytest.raises(ValueError, match="embed_cells must be 'center' or"):
        make_head(embed_cells='box')
    for bad in (0, 'forty', 'num_grids', [12, 12], [12, 12, 12, 12, 0]):
        with pytest.raises(ValueError, match='embed_grid'):
            make_head(embed_grid=bad)
    with pytest.raises(ValueError, match='max_samples_per_instance'):
        make_head(max_samples_per_instance=0)


def test_parameter_count():
    head = make_head()
    # stacked x (3x3 conv F_in -> F, no bias + GN gamma/beta) + 3x3 conv F->D
    expected = (9 * IN_CH * FEAT_CH + 2 * FEAT_CH) + \
        (STACKED - 1) * (9 * FEAT_CH * FEAT_CH + 2 * FEAT_CH) + \
        (9 * FEAT_CH * DIMS + DIMS)
    assert count_params(head) == expected
    assert count_params(make_head(stacked_convs=3)) == \
        expected + 9 * FEAT_CH * FEAT_CH + 2 * FEAT_CH
    # the losses hold no weights
    assert all(k.startswith('embed_branch.') for k in head.state_dict())


# ----------------------------------------------------------------------------
# losses
# ----------------------------------------------------------------------------
def run_loss(head, batch_gt, seed=0, batch_metas=None):
    x = feats(len(batch_gt), seed)
    return head.loss_by_feat(head(x), batch_gt,
                             batch_metas or metas(len(batch_gt)))


def total(losses):
    return sum(v for v in losses.values())


def test_loss_keys_finite_and_gradients():
    head = make_head()
    losses = run_loss(head, [gt(RECTS_A), gt(RECTS_B)])
    assert set(losses) == EMBED_LOSS_KEYS
    for k, v in losses.items():
        assert v.dim() == 0 and torch.isfinite(v), k
        assert v.abs() > 0, k  # five identities: every loss is active
    total(losses).backward()
    grads = [p.grad for p in head.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert any(g.abs().sum() > 0 for g in grads)


def test_loss_from_data_samples_equals_loss_by_feat():
    """``loss(x, samples)`` unpacks and pads the masks, then the same."""
    head = make_head()
    samples = []
    for rects, meta in zip((RECTS_A, RECTS_B), metas()):
        s = DetDataSample(metainfo=meta)
        s.gt_instances = gt(rects)
        samples.append(s)
    torch.manual_seed(3)
    got = head.loss(feats(), samples)
    torch.manual_seed(3)
    ref = run_loss(head, [gt(RECTS_A), gt(RECTS_B)])
    assert got.keys() == ref.keys()
    for k in ref:
        torch.testing.assert_close(got[k], ref[k])


def test_losses_are_the_registered_modules_on_sampled_cells():
    head = make_head(max_samples_per_instance=None)
    x = feats()
    mlvl = head(x)
    batch = [gt(RECTS_A), gt(RECTS_B)]
    losses = head.loss_by_feat(mlvl, batch, metas())
    owners = [head.get_targets(g, (PAD_H, PAD_W)) for g in batch]
    embeds, ids = sample_cell_embeddings(mlvl, owners)
    for name in EMBED_LOSS_KEYS:
        torch.testing.assert_close(losses[name],
                                   getattr(head, name)(embeds, ids))


def test_loss_with_losses_disabled():
    head = make_head(loss_entropy=None, loss_center=None)
    losses = run_loss(head, [gt(RECTS_A), gt(RECTS_B)])
    assert set(losses) == {'loss_embed_instance'}


@pytest.mark.parametrize(
    'batch', [[[], []], [[(60, 40, 50, 60)]], [[(60, 40, 50, 60)], []]],
    ids=['empty', 'one_image_one_instance', 'one_of_two_images'])
def test_fewer_than_two_identities_give_zero_with_graph(batch):
    head = make_head()
    losses = run_loss(head, [gt(r) for r in batch])
    assert set(losses) == EMBED_LOSS_KEYS
    for k, v in losses.items():
        assert v.item() == 0.0 and v.requires_grad, k
    total(losses).backward()
    for name, p in head.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name


def test_two_images_one_instance_each_are_two_identities():
    head = make_head(loss_entropy=None)
    r = [(60, 40, 50, 60)]
    losses = run_loss(head, [gt(r), gt(r)])
    assert losses['loss_embed_instance'] > 0
    assert losses['loss_embed_center'] > 0


def owner_maps(grids, cells):
    """Owner maps with ``cells[k]`` cells for instance k (level 0 first)."""
    owners = [torch.full((g, g), -1, dtype=torch.long) for g in grids]
    flat = [o.view(-1) for o in owners]
    pos = 0
    for k, n in enumerate(cells):
        for _ in range(n):
            lvl, i = divmod(pos, grids[0]**2)
            flat[lvl][i] = k
            pos += 1
    return owners


def test_views_in_one_identity_group_share_identities():
    """Image 0 and its view (group 0) share instance identities by index;
    image 1 (group 1) never shares one with them. Through the losses: the
    same box in two images of one group is one identity (losses exactly 0);
    in two groups it is two (> 0)."""
    grids = [12] * 5
    batch_owners = [owner_maps(grids, [4, 2]), owner_maps(grids, [3]),
                    owner_maps(grids, [1, 5])]
    mlvl = [torch.randn(3, DIMS, g, g) for g in grids]
    _, ids = sample_cell_embeddings(mlvl, batch_owners, groups=[0, 1, 0])
    assert torch.bincount(ids).tolist() == [4 + 1, 2 + 5, 3]
    _, ids = sample_cell_embeddings(mlvl, batch_owners)
    assert torch.bincount(ids).tolist() == [4, 2, 3, 1, 5]
    head = make_head(max_samples_per_instance=None, loss_entropy=None)
    r = [(60, 40, 50, 60)]
    meta = metas(2)
    for m in meta:
        m['identity_group'] = 7
    losses = run_loss(head, [gt(r), gt(r)], batch_metas=meta)
    assert losses['loss_embed_instance'] == 0  # one identity, two images
    meta[1]['identity_group'] = 8
    apart = run_loss(head, [gt(r), gt(r)], batch_metas=meta)
    assert apart['loss_embed_instance'] > 0


@pytest.mark.parametrize('limit', [1, 4, 16])
def test_max_samples_per_instance_caps_cells(limit):
    grids = [12] * 5
    # image 0: 200 (spread over two levels), 3 and 1 cells;
    # image 1: 7 and 30 cells
    batch_owners = [owner_maps(grids, [200, 3, 1]), owner_maps(grids, [7, 30])]
    # embedding (image, level, y, x): trace every sample back to its cell
    mlvl = []
    for lvl, g in enumerate(grids):
        e = torch.zeros(2, 4, g, g)
        e[:, 0] = torch.arange(2.)[:, None, None]
        e[:, 1] = lvl
        e[:, 2] = torch.arange(g)[None, :, None].float()
        e[:, 3] = torch.arange(g)[None, None, :].float()
        mlvl.append(e)
    torch.manual_seed(1)
    embeds, ids = sample_cell_embeddings(mlvl, batch_owners,
                                         max_per_instance=limit)
    cells = [200, 3, 1, 7, 30]
    assert torch.bincount(ids, minlength=5).tolist() == [
        min(c, limit) for c in cells]
    seen = set()
    for (img, lvl, y, x), i in zip(embeds.long().tolist(), ids.tolist()):
        assert (img, lvl, y, x) not in seen  # no cell twice
        seen.add((img, lvl, y, x))
        k = int(batch_owners[img][lvl][y, x])
        assert i == k + (3 if img == 1 else 0)
    # the sample is random: another draw picks other cells of instance 0
    torch.manual_seed(2)
    embeds2, ids2 = sample_cell_embeddings(mlvl, batch_owners,
                                           max_per_instance=limit)
    if limit < 200:
        assert not torch.equal(embeds[ids == 0], embeds2[ids2 == 0])
    # no cap: every cell
    _, ids = sample_cell_embeddings(mlvl, batch_owners)
    assert torch.bincount(ids).tolist() == cells


# ----------------------------------------------------------------------------
# inference: pooling the detector's masks
# ----------------------------------------------------------------------------
def unit_grids(grids, seed=3):
    g = torch.Generator().manual_seed(seed)
    return [
        F.normalize(torch.randn(1, DIMS, s, s, generator=g), dim=1)
        for s in grids
    ]


def brute_pool(embeds, mask, levels):
    """Mean of the cells whose centers fall in the mask (input = mask)."""
    acc, n = torch.zeros(DIMS), 0
    for lvl, e in enumerate(embeds):
        if not levels[lvl]:
            continue
        g = e.shape[-1]
        for gy in range(g):
            for gx in range(g):
                if mask[int((gy + 0.5) * PAD_H / g), int(
                        (gx + 0.5) * PAD_W / g)]:
                    acc += e[0, :, gy, gx]
                    n += 1
    assert n > 0
    return acc / acc.norm()


def brute_center_pool(mlvl, mask, box, levels, grids, ranges=SCALE_RANGES):
    """Mean of the cells each level's embedding target gives the mask."""
    owners = instance_cell_map(mask[None], box[None], ranges, grids, 0.2,
                               (PAD_H, PAD_W))
    cells = [e[0][:, o == 0] for e, o, on in zip(mlvl, owners, levels) if on]
    acc = torch.cat(cells, dim=1).mean(dim=1)
    return acc / acc.norm()


@pytest.mark.parametrize('embed_cells', ['mask', 'center'])
def test_add_embeddings_pools_each_mask(embed_cells):
    head = make_head(embed_grid=16, embed_cells=embed_cells)
    rects = [(16, 24, 48, 56), (88, 80, 32, 40)]
    masks = torch.from_numpy(np.stack([rect_mask(*r) for r in rects]))
    mlvl = unit_grids([16] * 5)
    res = InstanceData(masks=masks.float(), scores=torch.ones(2))
    out = head.add_embeddings(mlvl, [res], metas(1))[0]
    assert out is res and res.embeddings.shape == (2, DIMS)
    for k, (y0, x0, h, w) in enumerate(rects):
        s = math.sqrt(h * w)
        levels = [lo <= s <= hi for lo, hi in SCALE_RANGES]
        box = torch.tensor([x0, y0, x0 + w, y0 + h], dtype=torch.float32)
        ref = brute_pool(mlvl, masks[k].bool(), levels) \
            if embed_cells == 'mask' else brute_center_pool(
                mlvl, masks[k].bool(), box, levels, [16] * 5)
        torch.testing.assert_close(res.embeddings[k], ref, atol=1e-5,
                                   rtol=0)


def test_targets_and_pooling_follow_the_heads_own_scale_ranges():
    """The levels an instance is learned on and pooled from are those of
    the head's ``scale_ranges`` (SOLO's rule, not the defaults): a 40 x 40
    object is on levels 0 and 1 with ranges doubled for a 2x input, on
    levels 1 and 2 with SOLO's default ranges."""
    doubled = ((1, 64), (32, 128), (64, 256), (128, 512), (256, 4096))
    head = make_head(embed_grid=16, scale_ranges=doubled)
    owners = head.get_targets(gt([(40, 50, 40, 40)]), (PAD_H, PAD_W))
    assert [bool((o == 0).any()) for o in owners] == [
        True, True, False, False, False]
    mlvl = unit_grids([16] * 5)
    mask = torch.from_numpy(rect_mask(40, 50, 40, 40)).bool()
    box = torch.tensor([50., 40., 90., 80.])
    got = head.pool_embeddings([e[0] for e in mlvl], mask[None],
                               metas(1)[0])[0]
    ref = brute_center_pool(mlvl, mask, box, [True, True] + [False] * 3,
                            [16] * 5, doubled)
    torch.testing.assert_close(got, ref, atol=1e-5, rtol=0)
    default = brute_center_pool(mlvl, mask, box, [False, True, True, False,
                                                  False], [16] * 5)
    assert not torch.allclose(got, default, atol=1e-3)


def test_rescaled_masks_pool_the_same_cells():
    """Masks at ori_shape (half the input): the same embeddings."""
    head = make_head(embed_grid=16)
    mlvl = unit_grids([16] * 5)
    full = torch.from_numpy(rect_mask(16, 24, 48, 56))[None].bool()
    half = torch.from_numpy(rect_mask(8, 12, 24, 28,
                                      (PAD_H // 2, PAD_W // 2)))[None].bool()
    meta = metas(1)[0]
    a = head.pool_embeddings([e[0] for e in mlvl], full, meta)
    b = head.pool_embeddings([e[0] for e in mlvl], half, meta)
    torch.testing.assert_close(a, b)


def test_predict_forwards_and_pools_nothing_detected():
    head = make_head()
    res = InstanceData(masks=torch.zeros(0, PAD_H, PAD_W, dtype=torch.bool),
                       scores=torch.zeros(0))
    out = head.predict(feats(1), [res], metas(1))[0]
    assert out.embeddings.shape == (0, DIMS)
