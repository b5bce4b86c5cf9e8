# Copyright (c) mmsolotrack contributors. All rights reserved.
"""VideoInferencer's speed options: bf16 autocast of the network's
forwards and channels-last layout, from arguments or ``inference_cfg``."""
import copy
import glob
import os.path as osp

import pytest
import torch
from torch import nn

from mmsolotrack.apis import VideoInferencer, init_model, read_video_frames
from mmsolotrack.models.utils.autocast import (autocast_forwards,
                                              network_modules)
from ..conftest import REPO

CONFIG = osp.join(
    REPO,
    'configs/solotrack/solotrack_solov2-r18-tiny_fpn_1xb4-24e_synthvis.py')
FAST = {'model.detector.test_cfg.max_per_img': 5}


@pytest.fixture(scope='module')
def tiny_model():
    torch.manual_seed(0)
    return init_model(CONFIG, cfg_options=FAST)


@pytest.fixture(scope='module')
def frames(synthvis_root):
    folder = sorted(
        glob.glob(osp.join(synthvis_root, 'val', 'JPEGImages', '*')))[0]
    return list(read_video_frames(folder))[:4]


def _track(model, frames, **options):
    inferencer = VideoInferencer(model, **options)
    out = []
    for frame in frames:
        sample = inferencer(frame)
        out.append((sample.pred_instances, sample.pred_track_instances))
    return inferencer, out


def test_bf16_gives_the_fp32_tracks(tiny_model, frames):
    """Same ids and labels on a random-weight model that keeps 5 instances
    per frame. Masks and scores are not bounded: with random weights the
    mask probabilities sit near the threshold over most of the frame and
    the scores near each other (differences up to 0.14 measured), which
    says nothing about a trained model; the network outputs are bounded in
    the test below."""
    _, ref = _track(copy.deepcopy(tiny_model), frames)
    inferencer, got = _track(copy.deepcopy(tiny_model), frames, amp=True)
    assert inferencer.amp == 'bfloat16'
    assert sum(len(t) for _, t in ref) > 0, 'no track: nothing compared'
    score_diff = 0.0
    for (pred_a, track_a), (pred_b, track_b) in zip(ref, got):
        # the same tracks (ids, labels), compared by id: two instances with
        # close scores may come out in the other order
        a, b = (track.instances_id.argsort() for track in (track_a, track_b))
        track_a, track_b = track_a[a], track_b[b]
        assert track_b.instances_id.tolist() == track_a.instances_id.tolist()
        assert track_b.labels.tolist() == track_a.labels.tolist()
        # post-processing and tracker stay in float32
        for value in (pred_b.scores, pred_b.embeddings, track_b.scores):
            assert value.dtype == torch.float32
        if len(track_a):
            score_diff = max(score_diff,
                             float((track_a.scores - track_b.scores).abs().max()))
    assert score_diff > 0, 'scores bit-equal: the forward was not in bf16'


def test_bf16_network_outputs_within_cosine_bound(frames):
    """FPN features and embedding grids of the model with its own init
    (Kaiming backbone, as the benchmark times it) under bf16 autocast:
    float32 out, every location within cosine 0.999 of fp32 (measured
    min 0.9998 on SynthVIS val frames), not bit-equal."""
    torch.manual_seed(0)
    model = init_model(CONFIG, init_weights=True)
    x = VideoInferencer(model).preprocess(frames[0], 0)['inputs'][:, 0]
    outs = {}
    for amp in (None, 'bfloat16'):
        with torch.no_grad(), autocast_forwards(network_modules(model), amp):
            feats = model.detector.extract_feat(x)
            outs[amp] = list(feats) + list(model.track_head(feats))
    for ref, got in zip(outs[None], outs['bfloat16']):
        assert got.dtype == torch.float32
        assert not torch.equal(ref, got)
        cos = torch.nn.functional.cosine_similarity(ref, got, dim=1)
        assert float(cos.min()) >= 0.999


def test_channels_last_gives_the_same_tracks(tiny_model, frames):
    _, ref = _track(copy.deepcopy(tiny_model), frames)
    model = copy.deepcopy(tiny_model)
    _, got = _track(model, frames, channels_last=True)
    conv = model.detector.backbone.conv1.weight
    assert conv.is_contiguous(memory_format=torch.channels_last)
    assert not conv.is_contiguous()
    for (_, track_a), (_, track_b) in zip(ref, got):
        a, b = (track.instances_id.argsort() for track in (track_a, track_b))
        track_a, track_b = track_a[a], track_b[b]
        assert track_b.instances_id.tolist() == track_a.instances_id.tolist()
        assert torch.allclose(track_a.scores, track_b.scores, atol=1e-5)


def test_inference_cfg_sets_the_defaults(tiny_model):
    model = copy.deepcopy(tiny_model)
    model.cfg.inference_cfg = dict(amp='bfloat16', channels_last=True)
    inferencer = VideoInferencer(model)
    assert (inferencer.amp, inferencer.channels_last) == ('bfloat16', True)
    # arguments win over the config
    inferencer = VideoInferencer(model, amp=False, channels_last=False)
    assert (inferencer.amp, inferencer.channels_last) == (None, False)
    model.cfg.inference_cfg = dict(amp='int8')
    with pytest.raises(ValueError, match='amp'):
        VideoInferencer(model)
    model.cfg.inference_cfg = dict(fp16=True)
    with pytest.raises(KeyError, match='fp16'):
        VideoInferencer(model)


def test_autocast_forwards_wraps_and_restores(tiny_model):
    conv = nn.Conv2d(3, 4, 3)
    x = torch.randn(1, 3, 8, 8)
    with autocast_forwards([conv], 'bfloat16'):
        y = conv(x)
        assert y.dtype == torch.float32  # cast back
        assert not torch.equal(y, conv(x).new_zeros(0))
    assert 'forward' not in conv.__dict__
    assert not torch.equal(y, conv(x))  # bf16 rounding is visible
    # an instance wrapper that was there before is put back
    marker = []
    conv.forward = lambda inp: (marker.append(1), nn.Conv2d.forward(
        conv, inp))[1]
    previous = conv.__dict__['forward']
    with autocast_forwards([conv], 'bfloat16'):
        conv(x)
    assert conv.__dict__['forward'] is previous and marker == [1]
    with pytest.raises(ValueError, match='amp dtype'):
        with autocast_forwards([conv], 'half'):
            pass
    names = {type(m).__name__ for m in network_modules(tiny_model)}
    assert {'ResNet', 'FPN', 'SOLOV2Head', 'SOLOEmbedHead'} <= names
