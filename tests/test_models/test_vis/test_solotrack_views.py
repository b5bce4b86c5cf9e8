# Copyright (c) mmsolotrack contributors. All rights reserved.
"""SOLOTrack's cross-view pairs (``view_aug``) on the tiny config."""
import copy

import pytest
import torch
from mmdet.structures.mask import mask2bbox

from .test_solotrack import build, regression_batch, tiny_cfg

STILL = dict(type='RandomViewAugment', scale_range=(1., 1.), max_shift=0.,
             brightness=0., contrast=0., channel_gain=0.)


def losses_of(model_cfg):
    model = build(model_cfg)
    data = model.data_preprocessor(regression_batch(), True)
    torch.manual_seed(0)
    return {k: v.item() for k, v in model(**data, mode='loss').items()}


def test_identical_views_double_the_batch_and_pair_the_instances():
    """With a view that changes nothing, the segmenter's losses are those of
    the batch alone (the mask loss is a mean over positives; the focal loss
    is a sum over num_pos + 1: 2S / (2P + 1), a little above S / (P + 1)),
    while the embedding losses change: each instance now has its copy as a
    positive."""
    cfg = tiny_cfg().model
    plain = losses_of(cfg)
    viewed = copy.deepcopy(cfg)
    viewed.view_aug = STILL
    paired = losses_of(viewed)
    assert set(paired) == set(plain)
    assert paired['loss_mask'] == pytest.approx(plain['loss_mask'], rel=1e-4)
    assert plain['loss_cls'] < paired['loss_cls'] < 1.05 * plain['loss_cls']
    assert abs(paired['loss_embed_instance'] -
               plain['loss_embed_instance']) > 0.05


def test_views_carry_their_masks_boxes_and_identity_groups():
    cfg = tiny_cfg().model
    cfg.view_aug = dict(type='RandomViewAugment', max_shift=0.2)
    model = build(cfg)
    data = model.data_preprocessor(regression_batch(), True)
    samples = data['data_samples']
    x = model.detector.extract_feat(data['inputs'])
    torch.manual_seed(1)
    x_all, out = model._add_views(data['inputs'], x, samples)
    assert [f.shape[0] for f in x_all] == [4] * len(x)
    assert [s.metainfo['identity_group'] for s in out] == [0, 1, 0, 1]
    for b, sample in enumerate(samples):
        orig, view = out[b], out[b + 2]
        assert orig.gt_instances.masks is sample.gt_instances.masks
        vmasks = view.gt_instances.masks.to_tensor(torch.bool, 'cpu')
        assert vmasks.shape == orig.gt_instances.masks.to_tensor(
            torch.bool, 'cpu').shape
        assert torch.equal(view.gt_instances.bboxes, mask2bbox(vmasks))
        assert torch.equal(view.gt_instances.labels,
                           sample.gt_instances.labels)
        # the view moved the objects: not the original masks
        assert not torch.equal(
            vmasks, sample.gt_instances.masks.to_tensor(torch.bool, 'cpu'))
    assert 'identity_group' not in samples[0].metainfo  # inputs untouched
