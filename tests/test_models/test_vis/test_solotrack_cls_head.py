# Copyright (c) mmsolotrack contributors. All rights reserved.
"""SOLOTrack with a crop classifier (relabelling, its loss) and the oracle
association tracks of ``with_gt_embeddings``."""
import copy
import os.path as osp

import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample, TrackDataSample
from mmdet.structures.mask import BitmapMasks
from mmengine.config import Config
from mmengine.structures import InstanceData

from .test_solotrack import (H, REPO, W, build, confident, image_sample,
                             light, random_images, regression_batch)

QUICKSTART = osp.join(REPO, 'configs', 'solotrack',
                      'solotrack_solov2-r18-tiny_fpn_1xb4-2400i_synthvis.py')


def quickstart_model_cfg():
    return light(Config.fromfile(QUICKSTART).model)


@pytest.mark.parametrize('mode', ['geometric', 'product', 'detector'])
def test_predictions_are_relabelled_by_the_classifier(mode):
    cfg = quickstart_model_cfg()
    cfg.cls_score = mode
    model = confident(build(cfg))
    model.eval()
    batch = dict(inputs=random_images(2, seed=3),
                 data_samples=[image_sample([]), image_sample([])])
    with torch.no_grad():
        data = model.data_preprocessor(batch, False)
        out = model(**data, mode='predict')
    for i, sample in enumerate(out):
        pred = sample.pred_instances
        assert len(pred) > 0
        top, labels = pred.cls_probs.max(1)
        assert torch.equal(pred.labels, labels)
        # the confident class-0 prior made every detection class 0
        assert bool((pred.det_labels == 0).all())
        expected = dict(
            geometric=(pred.det_scores * top).sqrt(),
            product=pred.det_scores * top,
            detector=pred.det_scores)[mode]
        torch.testing.assert_close(pred.scores, expected)
        # the probabilities are the classifier's on these masks
        probs = model.cls_head.predict(
            data['inputs'][i:i + 1], pred.masks,
            torch.zeros(len(pred), dtype=torch.long))
        torch.testing.assert_close(pred.cls_probs, probs)


def test_bad_cls_score_is_refused():
    cfg = quickstart_model_cfg()
    cfg.cls_score = 'max'
    with pytest.raises(ValueError, match='cls_score'):
        build(cfg)


def test_classifier_loss_trains_the_classifier_only():
    model = build(quickstart_model_cfg())
    data = model.data_preprocessor(regression_batch(), True)
    losses = model(**data, mode='loss')
    assert 'loss_crop_cls' in losses and 'acc_crop_cls' in losses
    assert float(losses['loss_crop_cls']) > 0
    losses['loss_crop_cls'].backward()
    cls_grads = [p.grad for p in model.cls_head.parameters()]
    assert all(g is not None for g in cls_grads)
    assert any(float(g.abs().sum()) > 0 for g in cls_grads)
    assert all(p.grad is None or float(p.grad.abs().sum()) == 0
               for p in model.detector.parameters())


def _video_with_gt(num_frames=3):
    """Two static rectangles with identities 7 and 9 on every frame."""
    frames = []
    rects = [(10, 10, 30, 40), (60, 80, 40, 50)]
    for t in range(num_frames):
        sample = image_sample(rects)
        sample.set_metainfo(dict(frame_id=t, video_id=0,
                                 video_length=num_frames))
        sample.gt_instances.instances_ids = torch.tensor([7, 9])
        frames.append(sample)
    return dict(inputs=random_images(1, seed=4, frames=num_frames),
                data_samples=[TrackDataSample(video_data_samples=frames)])


def test_oracle_tracks_follow_the_ground_truth_with_the_model_tracker():
    cfg = quickstart_model_cfg()
    cfg.with_gt_embeddings = True
    model = build(cfg)
    model.eval()
    thresholds = (model.tracker.det_score_thr, model.tracker.init_score_thr)
    with torch.no_grad():
        video = model(**model.data_preprocessor(_video_with_gt(), False),
                      mode='predict')[0]
    ids = []
    for t in range(len(video)):
        oracle = video[t].oracle_track_instances
        assert len(oracle) == 2  # every ground-truth instance is tracked
        assert bool((oracle.scores == 1).all())
        # the same two static objects keep their two tracks
        ids.append(sorted(oracle.instances_id.tolist()))
    assert ids == [[0, 1]] * len(video)
    # the model's own tracker is untouched
    assert (model.tracker.det_score_thr,
            model.tracker.init_score_thr) == thresholds
    assert model._oracle_tracker is not model.tracker
    assert model._oracle_tracker.match_thr == model.tracker.match_thr


def test_a_one_class_segmenter_learns_objects_and_the_classifier_names():
    """With ``num_classes=1`` the segmenter is trained on labels 0 (every
    object is its one class; labels 1-4 would otherwise be background),
    while the classifier still sees the true labels."""
    cfg = quickstart_model_cfg()
    cfg.detector.mask_head.num_classes = 1
    cfg.view_aug = None  # the reference below is the batch alone
    model = build(cfg)
    assert model.class_agnostic_detector
    data = model.data_preprocessor(regression_batch(), True)
    labels = [s.gt_instances.labels.clone() for s in data['data_samples']]
    assert any(bool((lab > 0).any()) for lab in labels)
    torch.manual_seed(0)
    losses = model(**data, mode='loss')
    # the caller's labels are untouched (the classifier trains on them)
    for sample, lab in zip(data['data_samples'], labels):
        assert torch.equal(sample.gt_instances.labels, lab)
    zeroed = copy.deepcopy(data['data_samples'])
    for sample in zeroed:
        sample.gt_instances.labels = torch.zeros_like(
            sample.gt_instances.labels)
    torch.manual_seed(0)
    x = model.detector.extract_feat(data['inputs'])
    ref = model.detector.mask_head.loss(x, zeroed)
    ref.update(model.track_head.loss(x, zeroed))
    for key in ('loss_cls', 'loss_mask', 'loss_embed_instance'):
        torch.testing.assert_close(losses[key], ref[key])
    # a segmenter with the 5 classes keeps them
    cfg.detector.mask_head.num_classes = 5
    assert not build(cfg).class_agnostic_detector
