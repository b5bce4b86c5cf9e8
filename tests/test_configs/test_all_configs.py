# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Every shipped config builds its model and runs one loss step on CPU.

The list of configs is globbed at collection time, so a new file under
``configs/`` (outside ``_base_``) is picked up without editing this test.
Pretrained backbone weights are dropped (no downloads). The batch follows the
kind of model the config builds:

* ``SOLOTrack``: one still image 128 x 160 with 2 instances, plus one
  unlabelled 2-frame clip when the model has a ``loss_cycle``;
* another video model (``BaseMOTModel``, e.g. MaskTrack R-CNN, trained with
  identities): one 2-frame clip with ground truth and ``instances_ids``;
* a plain detector (e.g. ``mmdet.SOLOv2``): the still image alone;
* ``EmbedPoseTrack`` (pose configs): the still image with 2 people of 17
  keypoints, as mmpose's YOLOX-Pose pipeline packs them.
"""
import glob
import os.path as osp
import re

import numpy as np
import pytest
import torch
from mmdet.models.mot import BaseMOTModel
from mmdet.structures import DetDataSample, TrackDataSample
from mmdet.structures.mask import BitmapMasks
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope
from mmengine.structures import InstanceData

import mmsolotrack  # noqa: F401
from mmsolotrack.models import EmbedPoseTrack, SOLOTrack

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_ROOT = osp.join(REPO, 'configs')
H, W = 128, 160
RECTS = [(10, 12, 40, 50), (60, 70, 50, 64)]  # (y, x, h, w)


def _all_configs():
    paths = glob.glob(osp.join(CONFIG_ROOT, '**', '*.py'), recursive=True)
    rel = sorted(osp.relpath(p, CONFIG_ROOT) for p in paths)
    return [r for r in rel if '_base_' not in r.split(osp.sep)]


def _params():
    params = []
    for rel in _all_configs():
        # full-size backbones: slower on CPU (still a 128 x 160 input)
        big = re.search(r'r(50|101)', osp.basename(rel)) is not None
        params.append(
            pytest.param(rel, id=rel, marks=[pytest.mark.slow] if big else []))
    return params


def _drop_pretrained(node):
    """Remove every ``init_cfg`` that loads weights (no downloads)."""
    if isinstance(node, dict):
        init = node.get('init_cfg')
        inits = init if isinstance(init, list) else [init]
        if any(isinstance(i, dict) and i.get('type') == 'Pretrained'
               for i in inits):
            node['init_cfg'] = None
        for value in node.values():
            _drop_pretrained(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _drop_pretrained(value)


def _gt(with_ids=False):
    masks = np.zeros((len(RECTS), H, W), np.uint8)
    for i, (y, x, h, w) in enumerate(RECTS):
        masks[i, y:y + h, x:x + w] = 1
    gt = InstanceData(
        bboxes=torch.tensor([[x, y, x + w, y + h] for y, x, h, w in RECTS],
                            dtype=torch.float32),
        labels=torch.tensor([0, 1]),
        masks=BitmapMasks(masks, H, W))
    if with_ids:
        gt.instances_ids = torch.tensor([3, 8])
    return gt


def _meta(**extra):
    return dict(
        img_shape=(H, W), ori_shape=(H, W), scale_factor=(1., 1.), **extra)


def _image(seed=0):
    g = torch.Generator().manual_seed(seed)
    img = torch.randint(0, 256, (3, H, W), generator=g, dtype=torch.uint8)
    sample = DetDataSample(metainfo=_meta())
    sample.gt_instances = _gt()
    return img, sample


def _clip(with_gt, seed=1):
    g = torch.Generator().manual_seed(seed)
    frames = torch.randint(
        0, 256, (2, 3, H, W), generator=g, dtype=torch.uint8)
    track = TrackDataSample()
    samples = []
    for t in range(2):
        frame = DetDataSample(metainfo=_meta(frame_id=t))
        if with_gt:
            frame.gt_instances = _gt(with_ids=True)
        samples.append(frame)
    track.video_data_samples = samples
    if with_gt:
        track.set_metainfo(dict(key_frames_inds=[0], ref_frames_inds=[1]))
    return frames, track


def _pose_image(seed=0):
    from mmpose.structures import PoseDataSample
    g = torch.Generator().manual_seed(seed)
    img = (torch.rand(3, H, W, generator=g) * 255).to(torch.uint8)
    sample = PoseDataSample(metainfo=_meta(input_size=(W, H)))
    boxes = torch.tensor([[x, y, x + w, y + h] for y, x, h, w in RECTS],
                         dtype=torch.float32)
    kpts = boxes[:, None, :2] + torch.rand(2, 17, 2, generator=g) * (
        boxes[:, None, 2:] - boxes[:, None, :2])
    sample.gt_instance_labels = InstanceData(
        bboxes=boxes, labels=torch.zeros(2, dtype=torch.long),
        keypoints=kpts, keypoints_visible=torch.ones(2, 17),
        keypoints_visible_weights=torch.ones(2, 17),
        areas=(boxes[:, 2:] - boxes[:, :2]).prod(1))
    return img, sample


def _batch(model):
    if isinstance(model, EmbedPoseTrack):
        img, sample = _pose_image()
        return dict(inputs=[img], data_samples=[sample])
    img, sample = _image()
    if isinstance(model, SOLOTrack):
        batch = dict(inputs=[img], data_samples=[sample])
        if model.loss_cycle is not None:
            frames, track = _clip(with_gt=False)
            batch['inputs'].append(frames)
            batch['data_samples'].append(track)
        return batch
    if isinstance(model, BaseMOTModel):
        frames, track = _clip(with_gt=True)
        return dict(inputs=[frames], data_samples=[track])
    return dict(inputs=[img], data_samples=[sample])


@pytest.mark.parametrize('config', _params())
def test_config_builds_and_runs_a_loss_step(config):
    cfg = Config.fromfile(osp.join(CONFIG_ROOT, config))
    assert 'model' in cfg, f'{config} has no model'
    init_default_scope(cfg.get('default_scope', 'mmsolotrack'))
    _drop_pretrained(cfg.model)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()

    data = model.data_preprocessor(_batch(model), True)
    losses = model(**data, mode='loss')
    if isinstance(model, SOLOTrack):
        assert {'loss_mask', 'loss_cls'} <= set(losses)
        assert any(k.startswith('loss_embed') for k in losses)
        assert ('loss_cycle' in losses) == (model.loss_cycle is not None)
    if isinstance(model, EmbedPoseTrack):
        assert {'loss_kpt', 'loss_obj'} <= set(losses)
        assert any(k.startswith('loss_embed') for k in losses)
    total, log_vars = model.parse_losses(losses)
    assert torch.isfinite(total), log_vars
    for name, value in log_vars.items():
        assert np.isfinite(float(value)), (name, value)
    total.backward()
    grads = [(n, p.grad) for n, p in model.named_parameters()
             if p.grad is not None]
    assert grads, 'no parameter received a gradient'
    for name, grad in grads:
        assert torch.isfinite(grad).all(), name


def test_configs_are_found():
    found = _all_configs()
    assert 'solotrack/solotrack_solov2-r18-tiny_fpn_1xb4-24e_synthvis.py' \
        in found
    assert not any('_base_' in f for f in found)
