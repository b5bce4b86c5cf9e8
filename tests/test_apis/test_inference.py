# Copyright (c) mmsolotrack contributors. All rights reserved.
"""init_model and streaming video inference with the tiny SOLOTrack."""
import argparse
import gc
import glob
import os.path as osp
import weakref

import cv2
import numpy as np
import pytest
import torch

from mmsolotrack.apis import (VideoInferencer, build_video_test_pipeline,
                              inference_video, init_model, read_video_frames)
from mmsolotrack.utils.checkpoint import UnsafeCheckpointError
from ..conftest import REPO

CONFIG = osp.join(
    REPO,
    'configs/solotrack/solotrack_solov2-r18-tiny_fpn_1xb4-24e_synthvis.py')
SYNTHVIS_CLASSES = ('circle', 'square', 'triangle', 'star', 'cross')
# frames are resized away from the pipeline's 256 x 160 so that "original
# size" and "network input size" differ
FRAME_W, FRAME_H = 300, 200
NUM_FRAMES = 4
# fewer instances per frame: quicker post-processing on a 2-core machine
FAST = {'model.detector.test_cfg.max_per_img': 5}


@pytest.fixture(scope='module')
def tiny_model():
    torch.manual_seed(0)
    return init_model(CONFIG, cfg_options=FAST)


@pytest.fixture(scope='module')
def val_frames(synthvis_root):
    folders = sorted(
        glob.glob(osp.join(synthvis_root, 'val', 'JPEGImages', '*')))
    assert folders, f'no SynthVIS val videos under {synthvis_root}'
    return [
        cv2.resize(frame, (FRAME_W, FRAME_H))
        for frame in read_video_frames(folders[0])
    ][:NUM_FRAMES]


def test_init_model_without_checkpoint(tiny_model):
    assert not tiny_model.training
    assert tiny_model.dataset_meta['classes'] == SYNTHVIS_CLASSES
    assert tiny_model.cfg.model.type == 'SOLOTrack'
    assert tiny_model.tracker is not None
    assert tiny_model.cfg.model.detector.test_cfg.max_per_img == 5
    assert next(tiny_model.parameters()).device.type == 'cpu'


def test_pipeline_reads_arrays_and_no_annotations(tiny_model):
    pipeline = build_video_test_pipeline(tiny_model.cfg)
    inner = [t['type'] for t in pipeline[0]['transforms']]
    assert inner == ['mmdet.LoadImageFromNDArray', 'mmdet.Resize']
    assert pipeline[-1]['type'] == 'mmdet.PackTrackInputs'
    # the model's own config is left as it was
    test_pipeline = tiny_model.cfg.test_dataloader.dataset.pipeline
    assert test_pipeline[0]['transforms'][0]['type'] == \
        'mmdet.LoadImageFromFile'


def test_inference_video_streams_tracks(tiny_model, val_frames):
    resets = []
    tracker = tiny_model.tracker
    tracker.reset = lambda: (resets.append(1), type(tracker).reset(tracker))
    try:
        first = _run(tiny_model, val_frames)
        assert len(resets) == 1, 'the tracker must reset at frame 0 only'
        second = _run(tiny_model, val_frames)
    finally:
        del tracker.reset
    assert sum(len(ids) for ids, _ in first) > 0, 'no track at all'
    # a second video starts afresh: same frames, same ids and masks
    for (ids1, masks1), (ids2, masks2) in zip(first, second):
        assert ids1 == ids2
        assert torch.equal(masks1, masks2)
    # ids of the first frame are the first ids of the video
    assert first[0][0] == list(range(len(first[0][0])))


def _run(model, frames):
    """(ids, masks) per frame; checks each sample and that none is kept."""
    out = []
    previous = None
    for t, sample in enumerate(inference_video(model, frames)):
        if previous is not None:
            gc.collect()
            assert previous() is None, f'frame {t - 1} result is still held'
        previous = weakref.ref(sample)
        assert sample.metainfo['frame_id'] == t
        assert tuple(sample.metainfo['ori_shape']) == (FRAME_H, FRAME_W)
        track = sample.pred_track_instances
        num = len(track)
        assert track.masks.shape == (num, FRAME_H, FRAME_W)
        assert track.masks.dtype == torch.bool
        assert track.bboxes.shape == (num, 4)
        assert track.instances_id.dtype == torch.long
        assert track.labels.dtype == torch.long
        assert track.scores.dtype.is_floating_point
        ids = track.instances_id.tolist()
        assert len(set(ids)) == num
        assert all(0 <= label < len(SYNTHVIS_CLASSES)
                   for label in track.labels.tolist())
        assert ((track.scores >= 0) & (track.scores <= 1)).all()
        if num:
            assert (track.bboxes[:, 2] <= FRAME_W).all()
            assert (track.bboxes[:, 3] <= FRAME_H).all()
        pred = sample.pred_instances
        assert pred.masks.shape[1:] == (FRAME_H, FRAME_W)
        assert pred.embeddings.shape[0] == len(pred)
        out.append((ids, track.masks.clone()))
        del sample, track, pred
    return out


def test_inferencer_rejects_bad_frame_by_index(tiny_model, val_frames):
    frames = [val_frames[0], np.zeros((FRAME_H, FRAME_W), np.uint8)]
    with pytest.raises(ValueError, match=r'frame 1: expected an \(H, W, 3\)'):
        for _ in inference_video(tiny_model, frames):
            pass


def test_inferencer_reset_restarts_frame_ids(tiny_model, val_frames):
    inferencer = VideoInferencer(tiny_model)
    ids = [inferencer(f).metainfo['frame_id'] for f in val_frames[:2]]
    assert inferencer.frame_id == 2
    inferencer.reset()
    ids.append(inferencer(val_frames[0]).metainfo['frame_id'])
    assert ids == [0, 1, 0]


def _save(path, model, meta):
    torch.save({'state_dict': model.state_dict(), 'meta': meta}, str(path))


def test_checkpoint_loads_weights_and_meta(tmp_path, tiny_model):
    classes = ('a', 'b', 'c', 'd', 'e')
    palette = [(0, 0, 255), (0, 255, 0), (255, 0, 0), (1, 2, 3), (4, 5, 6)]
    ckpt = tmp_path / 'tiny.pth'
    # numpy scalars are what a Runner writes into meta; they must load
    _save(
        ckpt, tiny_model,
        dict(dataset_meta=dict(classes=classes, palette=palette),
             epoch=np.int64(3),
             lr=np.float64(0.01)))
    torch.manual_seed(1)
    loaded = init_model(CONFIG, str(ckpt))
    assert loaded.dataset_meta['classes'] == classes
    assert [tuple(c) for c in loaded.dataset_meta['palette']] == palette
    expected = tiny_model.state_dict()
    got = loaded.state_dict()
    assert expected.keys() == got.keys()
    assert all(torch.equal(expected[k], got[k]) for k in expected)
    torch.manual_seed(1)
    fresh = init_model(CONFIG)
    assert not all(
        torch.equal(expected[k],
                    fresh.state_dict()[k]) for k in expected)


def test_checkpoint_without_meta_takes_config_classes(tmp_path, tiny_model):
    ckpt = tmp_path / 'no_meta.pth'
    torch.save({'state_dict': tiny_model.state_dict()}, str(ckpt))
    assert init_model(CONFIG, str(ckpt)).dataset_meta['classes'] == \
        SYNTHVIS_CLASSES


def test_checkpoint_with_foreign_type_is_refused(tmp_path, tiny_model):
    ckpt = tmp_path / 'foreign.pth'
    _save(ckpt, tiny_model, dict(args=argparse.Namespace(lr=0.1)))
    with pytest.raises(UnsafeCheckpointError, match='Namespace'):
        init_model(CONFIG, str(ckpt))


def test_missing_files_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.py'):
        init_model(str(tmp_path / 'nope.py'))
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        init_model(CONFIG, str(tmp_path / 'nope.pth'))


def test_drop_pretrained_init_is_recursive():
    from mmengine.config import Config
    from mmsolotrack.apis.inference import drop_pretrained_init
    cfg = Config.fromfile(
        osp.join(REPO, 'configs/solotrack/'
                 'solotrack_solov2-r50_fpn_8xb2-12e_coco-ytvis19.py'))
    assert cfg.model.detector.backbone.init_cfg.type == 'Pretrained'
    model = dict(
        a=dict(init_cfg=[dict(type='Pretrained', checkpoint='x'),
                         dict(type='Normal', std=0.01)]),
        b=[dict(init_cfg=dict(type='Pretrained', checkpoint='y'))])
    assert drop_pretrained_init(model) == 2
    assert model['a']['init_cfg'] == [dict(type='Normal', std=0.01)]
    assert model['b'][0]['init_cfg'] is None
    assert drop_pretrained_init(cfg.model) >= 1
    assert cfg.model.detector.backbone.init_cfg is None


def test_init_model_init_weights_sets_classifier_prior():
    """SOLO's classifier bias starts at the prior log(0.01 / 0.99) only when
    the modules' own initialisation runs; plain random weights do not."""
    prior = float(np.log(0.01 / 0.99))
    torch.manual_seed(0)
    raw = init_model(CONFIG)
    initialised = init_model(CONFIG, init_weights=True)
    raw_bias = raw.detector.mask_head.conv_cls.bias
    bias = initialised.detector.mask_head.conv_cls.bias
    assert torch.allclose(bias, torch.full_like(bias, prior), atol=1e-4)
    assert not torch.allclose(raw_bias, torch.full_like(bias, prior),
                              atol=1e-2)


def test_dataset_classes_of_an_mmdet_scope_config():
    """A bare dataset type is looked up in the config's own scope (an mmdet
    config, e.g. MaskTrack R-CNN's, names `CocoDataset`, not
    `mmdet.CocoDataset`); the mmsolotrack registry's prefix hint must not
    fire there."""
    from mmdet.datasets import CocoDataset
    from mmengine.config import Config

    from mmsolotrack.apis.inference import _dataset_meta_from_config
    cfg = Config(dict(default_scope='mmdet',
                      test_dataloader=dict(dataset=dict(type='CocoDataset'))))
    assert _dataset_meta_from_config(cfg)['classes'] == \
        CocoDataset.METAINFO['classes']
    # a dataset class without class names gives no meta, and no error
    cfg.test_dataloader.dataset.type = 'YouTubeVISDataset'
    assert _dataset_meta_from_config(cfg) == {}
