# Copyright (c) mmsolotrack contributors. All rights reserved.
"""SOLOV2EmbedHead / SOLOEmbedHead: shapes, losses, sampling, predictions."""
import math

import numpy as np
import pytest
import torch
from mmdet.models.dense_heads import SOLOHead, SOLOV2Head
from mmdet.structures.mask import BitmapMasks, mask2bbox
from mmengine.config import ConfigDict
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData

from mmsolotrack.models.dense_heads import SOLOEmbedHead, SOLOV2EmbedHead

PAD_H, PAD_W = 128, 160
IN_CH, FEAT_CH, STACKED, DIMS = 16, 16, 2, 8
NUM_CLASSES = 3
MASK_OUT = 16
# FPN outputs for a 128 x 160 input, strides 4 .. 64
FEAT_SIZES = [(32, 40), (16, 20), (8, 10), (4, 5), (2, 3)]
NUM_GRIDS = [24, 20, 16, 12, 8]
SCALE_RANGES = ((1, 32), (16, 64), (32, 128), (64, 256), (128, 2048))
EMBED_LOSS_KEYS = {
    'loss_embed_instance', 'loss_embed_center', 'loss_embed_entropy'
}
GN = dict(type='GN', num_groups=4, requires_grad=True)
TEST_CFG = ConfigDict(
    nms_pre=100,
    score_thr=0.1,
    mask_thr=0.5,
    filter_thr=0.05,
    kernel='gaussian',
    sigma=2.0,
    max_per_img=10)


@pytest.fixture(autouse=True)
def mmdet_scope():
    """mmdet's SOLO heads default to unprefixed mmdet loss types: build them
    in mmdet's scope, whatever scope an earlier test left behind."""
    with DefaultScope.overwrite_default_scope('mmdet'):
        yield


def common_kwargs():
    return dict(
        num_classes=NUM_CLASSES,
        in_channels=IN_CH,
        feat_channels=FEAT_CH,
        stacked_convs=STACKED,
        strides=[8, 8, 16, 32, 32],
        scale_ranges=SCALE_RANGES,
        pos_scale=0.2,
        num_grids=NUM_GRIDS,
        cls_down_index=0,
        norm_cfg=GN,
        test_cfg=TEST_CFG)


def v2_kwargs():
    return dict(
        **common_kwargs(),
        mask_feature_head=dict(
            feat_channels=8,
            start_level=0,
            end_level=3,
            out_channels=MASK_OUT,
            mask_stride=4,
            norm_cfg=GN))


def v2_head(**kw):
    torch.manual_seed(0)
    kw.setdefault('embed_dims', DIMS)
    kw.setdefault('embed_grid', 12)
    return SOLOV2EmbedHead(**v2_kwargs(), **kw)


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


def rect_mask(y0, x0, h, w):
    m = np.zeros((PAD_H, PAD_W), np.uint8)
    m[y0:y0 + h, x0:x0 + w] = 1
    return m


def gt(rects, labels=None):
    """InstanceData of rectangles (y0, x0, h, w) on the padded input."""
    masks = np.stack([rect_mask(*r) for r in rects]) if rects else np.zeros(
        (0, PAD_H, PAD_W), np.uint8)
    boxes = [[x0, y0, x0 + w, y0 + h] for y0, x0, h, w in rects]
    return InstanceData(
        bboxes=torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4),
        labels=torch.tensor(
            labels if labels is not None else [i % NUM_CLASSES
                                               for i in range(len(rects))],
            dtype=torch.long),
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
                                              ('num_grids', NUM_GRIDS)])
def test_forward_shapes_and_unit_norm(embed_grid, grids):
    head = v2_head(embed_grid=embed_grid)
    outs = head(feats())
    assert len(outs) == 4
    kernels, cls, mask_feats, embeds = outs
    assert [tuple(c.shape) for c in cls] == [(2, NUM_CLASSES, g, g)
                                             for g in NUM_GRIDS]
    assert [tuple(e.shape) for e in embeds] == [(2, DIMS, g, g)
                                                for g in grids]
    for e in embeds:
        assert torch.allclose(e.norm(dim=1), torch.ones(()), atol=1e-5)


def test_bad_embed_cells():
    with pytest.raises(ValueError, match="embed_cells must be 'center' or"):
        v2_head(embed_cells='box')


def test_bad_embed_grid():
    with pytest.raises(ValueError, match='embed_grid'):
        v2_head(embed_grid=0)
    with pytest.raises(ValueError, match='embed_grid'):
        v2_head(embed_grid='forty')


def test_embedding_branch_parameter_count():
    head = v2_head()
    # stacked x (3x3 conv F_in -> F, no bias + GN gamma/beta) + 3x3 conv F->D
    expected = (9 * IN_CH * FEAT_CH + 2 * FEAT_CH) + \
        (STACKED - 1) * (9 * FEAT_CH * FEAT_CH + 2 * FEAT_CH) + \
        (9 * FEAT_CH * DIMS + DIMS)
    assert count_params(head.embed_branch) == expected
    plain = SOLOV2Head(**v2_kwargs())
    assert count_params(head) - count_params(plain) == expected
    # 3 stacked convs of the branch on its own
    head3 = v2_head(embed_stacked_convs=3)
    assert count_params(head3) - count_params(plain) == \
        expected + 9 * FEAT_CH * FEAT_CH + 2 * FEAT_CH


# ----------------------------------------------------------------------------
# losses
# ----------------------------------------------------------------------------
def run_loss(head, batch_gt, seed=0):
    x = feats(len(batch_gt), seed)
    outs = head(x)
    losses = head.loss_by_feat(*outs, batch_gt_instances=batch_gt,
                               batch_img_metas=metas(len(batch_gt)))
    return losses, outs


def total(losses):
    return sum(v for v in losses.values())


def test_loss_keys_and_finite():
    head = v2_head()
    losses, _ = run_loss(head, [gt(RECTS_A), gt(RECTS_B)])
    assert set(losses) == {'loss_mask', 'loss_cls'} | EMBED_LOSS_KEYS
    for k, v in losses.items():
        assert v.dim() == 0 and torch.isfinite(v), k
    # five identities: every embedding loss is active
    for k in EMBED_LOSS_KEYS:
        assert losses[k].abs() > 0, k
    total(losses).backward()
    branch_grads = [p.grad for p in head.embed_branch.parameters()]
    assert all(g is not None and torch.isfinite(g).all()
               for g in branch_grads)
    assert any(g.abs().sum() > 0 for g in branch_grads)


def test_loss_with_losses_disabled():
    head = v2_head(loss_entropy=None, loss_center=None)
    losses, _ = run_loss(head, [gt(RECTS_A), gt(RECTS_B)])
    assert set(losses) == {'loss_mask', 'loss_cls', 'loss_embed_instance'}


def test_empty_ground_truth():
    head = v2_head()
    losses, _ = run_loss(head, [gt([]), gt([])])
    assert EMBED_LOSS_KEYS <= set(losses)
    for k in EMBED_LOSS_KEYS:
        assert losses[k].item() == 0.0, k
        assert losses[k].requires_grad, k
    for k, v in losses.items():
        assert torch.isfinite(v), k
    total(losses).backward()
    for name, p in head.named_parameters():
        if p.grad is not None:
            assert torch.isfinite(p.grad).all(), name


ONE_RECT = [(60, 40, 50, 60)]


@pytest.mark.parametrize(
    'batch', [[ONE_RECT], [ONE_RECT, []]],
    ids=['one_image', 'one_of_two_images'])
def test_one_instance_gives_zero_embedding_losses(batch):
    head = v2_head()
    losses, _ = run_loss(head, [gt(r) for r in batch])
    for k in EMBED_LOSS_KEYS:
        assert losses[k].item() == 0.0, k
    total(losses).backward()
    for name, p in head.named_parameters():
        if p.grad is not None:
            assert torch.isfinite(p.grad).all(), name


def test_two_images_one_instance_each_are_two_identities():
    """The same box in two images: two identities, so L_ins != 0."""
    head = v2_head(loss_entropy=None)
    r = [(60, 40, 50, 60)]
    losses, _ = run_loss(head, [gt(r), gt(r)])
    assert losses['loss_embed_instance'] > 0
    assert losses['loss_embed_center'] > 0


def test_views_in_one_identity_group_share_identities():
    """Image 0 and its view (group 0) share instance identities by index;
    image 1 (group 1) never shares one with them. Through the losses: the
    same box in two images of one group is one identity, and with a single
    identity the losses are exactly 0; in two groups it is two (> 0)."""
    head = v2_head(max_samples_per_instance=None, loss_entropy=None)
    grids = list(head.embed_branch.grids)
    batch_owners = [owner_maps(grids, [4, 2]), owner_maps(grids, [3]),
                    owner_maps(grids, [1, 5])]
    mlvl = [torch.randn(3, DIMS, g, g) for g in grids]
    _, ids = head.sample_embeddings(mlvl, batch_owners, groups=[0, 1, 0])
    assert torch.bincount(ids).tolist() == [4 + 1, 2 + 5, 3]
    _, ids = head.sample_embeddings(mlvl, batch_owners)
    assert torch.bincount(ids).tolist() == [4, 2, 3, 1, 5]
    # through the losses: identity_group in the image metas
    r = [(60, 40, 50, 60)]
    meta = metas(2)
    for m in meta:
        m['identity_group'] = 7
    x = feats(2)
    losses = head.loss_by_feat(*head(x), batch_gt_instances=[gt(r), gt(r)],
                               batch_img_metas=meta)
    assert losses['loss_embed_instance'] == 0  # one identity, two images
    meta[1]['identity_group'] = 8
    apart = head.loss_by_feat(*head(x), batch_gt_instances=[gt(r), gt(r)],
                              batch_img_metas=meta)
    assert apart['loss_embed_instance'] > 0


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


@pytest.mark.parametrize('limit', [1, 4, 16])
def test_max_samples_per_instance_caps_cells(limit):
    head = v2_head(max_samples_per_instance=limit)
    grids = list(head.embed_branch.grids)
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
    embeds, ids = head.sample_embeddings(mlvl, batch_owners)
    cells = [200, 3, 1, 7, 30]
    counts = torch.bincount(ids, minlength=5).tolist()
    assert counts == [min(c, limit) for c in cells]
    seen = set()
    for (img, lvl, y, x), i in zip(embeds.long().tolist(), ids.tolist()):
        assert (img, lvl, y, x) not in seen  # no cell twice
        seen.add((img, lvl, y, x))
        k = int(batch_owners[img][lvl][y, x])
        assert i == k + (3 if img == 1 else 0)
    # the sample is random: another draw picks other cells of instance 0
    torch.manual_seed(2)
    embeds2, ids2 = head.sample_embeddings(mlvl, batch_owners)
    if limit < 200:
        assert not torch.equal(embeds[ids == 0], embeds2[ids2 == 0])


def test_no_cap():
    head = v2_head(max_samples_per_instance=None)
    grids = list(head.embed_branch.grids)
    owners = owner_maps(grids, [150, 2])
    embeds, ids = head.sample_embeddings(
        [torch.randn(1, DIMS, g, g) for g in grids], [owners])
    assert torch.bincount(ids).tolist() == [150, 2]
    with pytest.raises(ValueError, match='max_samples_per_instance'):
        v2_head(max_samples_per_instance=0)


# ----------------------------------------------------------------------------
# prediction
# ----------------------------------------------------------------------------
def crafted_outputs(head, instances):
    """Head outputs whose predictions are known rectangles.

    ``instances``: (level, cell_y, cell_x, label, (y0, x0, h, w) in mask
    feature pixels). Mask feature channel k is rectangle k's indicator, the
    last channel is constant 1; the kernel of the chosen cell reads channel k
    so its mask logit is +10 inside the rectangle and -10 outside.
    """
    fh, fw = PAD_H // 4, PAD_W // 4
    mask_feats = torch.zeros(1, MASK_OUT, fh, fw)
    mask_feats[:, -1] = 1.
    kernels = [torch.zeros(1, MASK_OUT, g, g) for g in NUM_GRIDS]
    cls = [torch.full((1, NUM_CLASSES, g, g), -10.) for g in NUM_GRIDS]
    for k, (lvl, cy, cx, label, (y0, x0, h, w)) in enumerate(instances):
        mask_feats[0, k, y0:y0 + h, x0:x0 + w] = 1.
        kernels[lvl][0, k, cy, cx] = 20.
        kernels[lvl][0, -1, cy, cx] = -10.
        cls[lvl][0, label, cy, cx] = 5.
    g = torch.Generator().manual_seed(3)
    embeds = [
        torch.nn.functional.normalize(
            torch.randn(1, DIMS, s, s, generator=g), dim=1)
        for s in head.embed_branch.grids
    ]
    return kernels, cls, mask_feats, embeds


def brute_pool(embeds, mask, levels):
    """Mean of the cells whose centers fall in the mask (input = mask)."""
    acc, n = torch.zeros(DIMS), 0
    for lvl, e in enumerate(embeds):
        if not levels[lvl]:
            continue
        g = e.shape[-1]
        for gy in range(g):
            for gx in range(g):
                y = int((gy + 0.5) * PAD_H / g)
                x = int((gx + 0.5) * PAD_W / g)
                if mask[y, x]:
                    acc += e[0, :, gy, gx]
                    n += 1
    assert n > 0
    return acc / acc.norm()


def brute_center_pool(mlvl, mask, levels, grids):
    """Mean of the cells each level's embedding target gives the mask."""
    from mmsolotrack.models.task_modules import instance_cell_map
    box = mask2bbox(mask[None]).float()
    owners = instance_cell_map(mask[None], box, SCALE_RANGES, grids, 0.2,
                               (PAD_H, PAD_W))
    cells = [e[0][:, o == 0] for e, o, on in zip(mlvl, owners, levels) if on]
    acc = torch.cat(cells, dim=1).mean(dim=1)
    return acc / acc.norm()


@pytest.mark.parametrize('embed_cells', ['mask', 'center'])
def test_predict_by_feat_embeddings_and_boxes(embed_cells):
    head = v2_head(embed_grid=16, embed_cells=embed_cells)
    head.eval()
    # (level, cell y, cell x, label, rectangle in mask-feature pixels)
    instances = [(2, 4, 4, 1, (4, 6, 12, 14)),
                 (0, 18, 17, 2, (22, 20, 8, 10))]
    outs = crafted_outputs(head, instances)
    results = head.predict_by_feat(*outs, batch_img_metas=metas(1))
    res = results[0]
    assert len(res) == 2
    order = res.labels.argsort()
    res = res[order]
    assert res.labels.tolist() == [1, 2]
    assert res.embeddings.shape == (2, DIMS)
    assert torch.allclose(res.embeddings.norm(dim=1), torch.ones(2),
                          atol=1e-5)
    for k, (_, _, _, _, (y0, x0, h, w)) in enumerate(instances):
        mask = res.masks[k].bool()
        ys, xs = torch.nonzero(mask, as_tuple=True)
        box = [xs.min().item(), ys.min().item(), xs.max().item() + 1,
               ys.max().item() + 1]
        assert res.bboxes[k].tolist() == box
        assert (res.bboxes[k] > 0).any()
        # the rectangle in input pixels (stride 4), up to bilinear blur
        assert np.allclose(box, [4 * x0, 4 * y0, 4 * (x0 + w), 4 * (y0 + h)],
                           atol=3)
        # embedding: mean of the cells inside the mask (or of its center
        # region) at its levels
        bw, bh = box[2] - box[0], box[3] - box[1]
        s = math.sqrt(bw * bh)
        levels = [lo <= s <= hi for lo, hi in SCALE_RANGES]
        assert any(levels)
        ref = brute_pool(outs[3], mask, levels) if embed_cells == 'mask' \
            else brute_center_pool(outs[3], mask, levels, [16] * 5)
        assert torch.allclose(res.embeddings[k], ref, atol=1e-5)


def test_predict_by_feat_rescaled_masks():
    """Masks at ori_shape: boxes in original pixels, embeddings still D."""
    head = v2_head(embed_grid=16)
    head.eval()
    instances = [(2, 4, 4, 1, (4, 6, 12, 14))]
    outs = crafted_outputs(head, instances)
    meta = metas(1)
    meta[0]['ori_shape'] = (PAD_H // 2, PAD_W // 2)
    res = head.predict_by_feat(*outs, batch_img_metas=meta)[0]
    assert res.masks.shape[-2:] == (PAD_H // 2, PAD_W // 2)
    assert np.allclose(res.bboxes[0].tolist(), [12, 8, 40, 32], atol=2)
    # same embedding as from the full-size masks
    full = head.predict_by_feat(
        *crafted_outputs(head, instances), batch_img_metas=metas(1))[0]
    assert torch.allclose(res.embeddings, full.embeddings, atol=1e-5)


def test_predict_by_feat_nothing_detected():
    head = v2_head()
    head.eval()
    outs = crafted_outputs(head, [])
    res = head.predict_by_feat(*outs, batch_img_metas=metas(1))[0]
    assert len(res) == 0
    assert res.embeddings.shape == (0, DIMS)
    assert res.bboxes.shape == (0, 4)


def test_predict_end_to_end_shapes():
    head = v2_head()
    head.eval()
    with torch.no_grad():
        outs = head(feats(2))
        # a confident category branch so that something is kept
        outs[1][0][:, 0, 3, 3] = 8.
        results = head.predict_by_feat(*outs, batch_img_metas=metas(2))
    for res in results:
        assert res.embeddings.shape == (len(res), DIMS)
        if len(res):
            assert torch.allclose(res.embeddings.norm(dim=1),
                                  torch.ones(len(res)), atol=1e-5)


# ----------------------------------------------------------------------------
# SOLO (v1)
# ----------------------------------------------------------------------------
def v1_head(**kw):
    torch.manual_seed(0)
    return SOLOEmbedHead(
        **common_kwargs(), embed_dims=DIMS, embed_grid=12, **kw)


def test_solo_v1_forward_loss_params():
    head = v1_head()
    x = feats()
    mask_preds, cls, embeds = head(x)
    assert [tuple(e.shape) for e in embeds] == [(2, DIMS, 12, 12)] * 5
    for e in embeds:
        assert torch.allclose(e.norm(dim=1), torch.ones(()), atol=1e-5)
    losses = head.loss_by_feat(
        mask_preds, cls, embeds, batch_gt_instances=[gt(RECTS_A),
                                                     gt(RECTS_B)],
        batch_img_metas=metas())
    assert set(losses) == {'loss_mask', 'loss_cls'} | EMBED_LOSS_KEYS
    assert all(torch.isfinite(v) for v in losses.values())
    assert all(losses[k] != 0 for k in EMBED_LOSS_KEYS)
    total(losses).backward()
    # the branch adds exactly the conv stack + embedding conv
    plain = SOLOHead(**common_kwargs())
    expected = (9 * IN_CH * FEAT_CH + 2 * FEAT_CH) + \
        (STACKED - 1) * (9 * FEAT_CH * FEAT_CH + 2 * FEAT_CH) + \
        (9 * FEAT_CH * DIMS + DIMS)
    assert count_params(head) - count_params(plain) == expected


def test_solo_v1_empty_ground_truth():
    head = v1_head()
    mask_preds, cls, embeds = head(feats())
    losses = head.loss_by_feat(
        mask_preds, cls, embeds, batch_gt_instances=[gt([]), gt([])],
        batch_img_metas=metas())
    for k in EMBED_LOSS_KEYS:
        assert losses[k].item() == 0.0
    total(losses).backward()
    for name, p in head.named_parameters():
        if p.grad is not None:
            assert torch.isfinite(p.grad).all(), name


def test_solo_v1_predict():
    head = v1_head()
    head.eval()
    with torch.no_grad():
        mask_preds, cls, embeds = head(feats(1))
        for c in cls:
            c.zero_()  # only the one cell below is detected
        cls[2][:, 1, 5, 5] = 0.99  # scores after sigmoid (eval forward)
        mask_preds[2][:, 5 * NUM_GRIDS[2] + 5] = 0.
        # mask predictions are at stride 4: rows 40..79, cols 48..107
        mask_preds[2][:, 5 * NUM_GRIDS[2] + 5, 10:20, 12:27] = 1.
        res = head.predict_by_feat(
            mask_preds, cls, embeds, batch_img_metas=metas(1))[0]
    assert len(res) >= 1
    assert res.embeddings.shape == (len(res), DIMS)
    assert len(res) == 1 and res.labels.tolist() == [1]
    ys, xs = torch.nonzero(res.masks[0], as_tuple=True)
    box = [xs.min().item(), ys.min().item(), xs.max().item() + 1,
           ys.max().item() + 1]
    assert res.bboxes[0].tolist() == box
    assert np.allclose(box, [48, 40, 108, 80], atol=3)
    assert torch.allclose(res.embeddings.norm(dim=1), torch.ones(1))
