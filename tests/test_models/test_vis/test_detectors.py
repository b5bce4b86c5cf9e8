# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The track head beside each stock mmdet segmenter (SOLOv2, SOLO, Decoupled
SOLO, RTMDet-Ins): one training step and one tracked video, the backbone run
once per image."""
import pytest
import torch
from mmengine.config import ConfigDict

from .detectors import DETECTORS, solotrack_cfg
from .test_solotrack import (build, clip_sample, image_sample, random_images,
                             with_cycle)


def confident(model, bias=3.0):
    """Random weights that find objects: class 0 fires everywhere, and the
    mask branches (whose prior bias makes every mask empty) fire too, so
    every frame has instances to track."""
    det = model.detector
    with torch.no_grad():
        head = getattr(det, 'mask_head', None)
        if head is not None:  # SOLO family
            head.conv_cls.bias[0] = bias
            for name in ('conv_mask_list', 'conv_mask_list_x',
                         'conv_mask_list_y'):
                for conv in getattr(head, name, []):
                    conv.bias.fill_(1.0)
        else:  # RTMDet-Ins: the last dynamic conv's bias is the last param
            for conv in det.bbox_head.rtm_cls:
                conv.bias[0] = bias
            for conv in det.bbox_head.rtm_kernel:
                conv.bias[-1] = 5.0
    return model


def count_backbone_calls(model):
    calls = []
    handle = model.detector.backbone.register_forward_hook(
        lambda module, args, out: calls.append(args[0].shape[0]))
    return calls, handle


@pytest.fixture(params=sorted(DETECTORS), ids=sorted(DETECTORS))
def model_cfg(request):
    return ConfigDict(solotrack_cfg(DETECTORS[request.param]()))


def test_one_training_step(model_cfg):
    model = build(with_cycle(model_cfg, min_score=0.0))
    batch = dict(
        inputs=random_images(2, seed=0) + random_images(1, 1, frames=2),
        data_samples=[
            image_sample([(10, 10, 30, 40), (60, 70, 50, 60),
                          (80, 10, 20, 20)]),
            image_sample([(20, 30, 70, 90)]),
            clip_sample(2)
        ])
    data = model.data_preprocessor(batch, True)
    calls, handle = count_backbone_calls(model)
    losses = model(**data, mode='loss')
    handle.remove()
    assert calls == [4]  # 2 images + 2 clip frames, in one forward
    embed_keys = {'loss_embed_instance', 'loss_embed_center',
                  'loss_embed_entropy', 'loss_cycle'}
    assert embed_keys <= set(losses)
    assert len(set(losses) - embed_keys) >= 2  # the detector's own losses
    total, _ = model.parse_losses(losses)
    assert torch.isfinite(total)
    optim = torch.optim.SGD(model.parameters(), lr=0.01)
    before = {k: v.clone() for k, v in model.track_head.state_dict().items()}
    optim.zero_grad()
    total.backward()
    for module in (model.track_head, model.detector.neck):
        assert any(p.grad is not None and p.grad.abs().sum() > 0
                   for p in module.parameters())
    optim.step()
    after = model.track_head.state_dict()
    assert any(not torch.equal(before[k], after[k]) for k in before)


def test_one_tracked_video(model_cfg):
    model = confident(build(model_cfg))
    model.eval()
    frames = 3
    batch = dict(inputs=random_images(1, seed=5, frames=frames),
                 data_samples=[clip_sample(frames)])
    calls, handle = count_backbone_calls(model)
    with torch.no_grad():
        video = model(**model.data_preprocessor(batch, False),
                      mode='predict')[0]
    handle.remove()
    assert calls == [1] * frames  # once per frame, for both heads
    dims = model.track_head.embed_dims
    for t in range(frames):
        pred = video[t].pred_instances
        assert len(pred) > 0
        assert pred.masks.dtype == torch.bool
        assert pred.embeddings.shape == (len(pred), dims)
        torch.testing.assert_close(pred.embeddings.norm(dim=1),
                                   torch.ones(len(pred)))
        assert pred.bboxes.shape == (len(pred), 4)
        track = video[t].pred_track_instances
        assert len(track) > 0
        assert len(track.instances_id.unique()) == len(track)
    # identities carry over: frame 1 continues tracks of frame 0
    ids = [set(video[t].pred_track_instances.instances_id.tolist())
           for t in range(frames)]
    assert ids[0] & ids[1]


def test_pseudo_instances_are_test_time_predictions(model_cfg):
    """Every detector's pseudo-instances come from its test-time forward
    (SOLO's own forward only applies the sigmoid in eval mode): scores are
    probabilities, masks are at the input size, N_min of them without a
    score floor; the heads are back in training mode after."""
    cfg = with_cycle(model_cfg, min_score=0.99)
    cfg.pseudo_cfg.update(min_instances=2, max_instances=4)
    model = confident(build(cfg))
    batch = dict(inputs=random_images(1, 1, frames=2),
                 data_samples=[clip_sample(2)])
    data = model.data_preprocessor(batch, True)
    with torch.no_grad():
        x = model.detector.extract_feat(data['inputs'])
    pseudo = model.pseudo_instances(x, data['data_samples'])
    assert model.detector.training and all(
        m.training for m in model.detector.modules())
    for inst in pseudo:
        assert len(inst) == 2
        assert bool(((inst.scores >= 0) & (inst.scores <= 1)).all())
        assert tuple(inst.masks.shape[-2:]) == (128, 160)
        assert bool(inst.masks.bool().flatten(1).any(1).all())
