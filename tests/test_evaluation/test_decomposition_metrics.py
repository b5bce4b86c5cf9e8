# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The decomposition metrics on hand-built videos with known answers."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmdet.structures.mask import BitmapMasks
from mmengine.evaluator import Evaluator
from mmengine.structures import InstanceData

from mmsolotrack.evaluation.metrics import (FrameSegmMetric,
                                            OracleAssociationMetric)
from mmsolotrack.testing.masks import box_mask
from mmsolotrack.testing.vis_samples import make_video, run_metric

H, W = 24, 32
LEFT = box_mask(H, W, 2, 2, 10, 10)
RIGHT = box_mask(H, W, 20, 12, 30, 22)
MIDDLE = box_mask(H, W, 12, 4, 18, 10)
CLASSES = ('a', 'b')


def _with_frame_preds(video, preds):
    """preds: per frame a list of (mask, label, score[, det_label])."""
    for frame, frame_preds in zip(video.video_data_samples, preds):
        masks = torch.from_numpy(np.stack([p[0] for p in frame_preds]))
        inst = InstanceData(
            masks=masks,
            labels=torch.tensor([p[1] for p in frame_preds]),
            scores=torch.tensor([p[2] for p in frame_preds]))
        if all(len(p) > 3 for p in frame_preds):
            inst.det_labels = torch.tensor([p[3] for p in frame_preds])
        frame.pred_instances = inst
    return video


GTS = [
    dict(instance_id=1, label=0, masks={0: LEFT, 1: LEFT}),
    dict(instance_id=2, label=1, masks={0: RIGHT, 1: RIGHT}),
]


def test_frame_metric_by_hand():
    # per frame: the first object found with its label, the second found
    # under the wrong label, one false positive of class 1 at low score
    preds = [[(LEFT, 0, 0.9, 1), (RIGHT, 0, 0.8, 1), (MIDDLE, 1, 0.3, 1)]] * 2
    video = _with_frame_preds(make_video(1, 1, 2, (H, W), GTS, []), preds)
    out = run_metric(FrameSegmMetric(), [video], CLASSES)
    # class a: its TP ranks above its FP -> AP 1; class b: only an FP -> 0
    assert out['frame/segm_AP'] == pytest.approx(0.5)
    assert out['frame/segm_AP50'] == pytest.approx(0.5)
    # both objects found before the false positive
    assert out['frame/segm_agnostic_AP'] == pytest.approx(1.0)
    assert out['frame/recall50'] == 1.0
    assert out['frame/cls_acc'] == 0.5
    assert out['frame/det_cls_acc'] == 0.5  # det label 1 right for object 2
    assert out['frame/score_tp_p50'] == pytest.approx(0.85)
    assert out['frame/score_fp_p50'] == pytest.approx(0.3)
    assert out['frame/preds_per_frame'] == 3.0


def test_frame_metric_low_iou_is_a_miss():
    shifted = box_mask(H, W, 6, 2, 14, 10)  # IoU 4x8 / (2 * 64 - 32) = 1/3
    preds = [[(shifted, 0, 0.9), (RIGHT, 1, 0.8)]] * 2
    video = _with_frame_preds(make_video(1, 1, 2, (H, W), GTS, []), preds)
    out = run_metric(FrameSegmMetric(), [video], CLASSES)
    assert out['frame/recall50'] == 0.5
    assert out['frame/cls_acc'] == 1.0
    assert 'frame/det_cls_acc' not in out
    # the false positive outranks the hit: precision 1/2 up to recall 1/2
    # (101-point interpolation: 51 of 101 points at 0.5)
    assert out["frame/segm_agnostic_AP50"] == pytest.approx(
        0.5 * 51 / 101, abs=1e-4)
    video = _with_frame_preds(make_video(1, 1, 2, (H, W), GTS, []), preds)
    assert run_metric(FrameSegmMetric(iou_thr=0.3), [video],
                      CLASSES)['frame/recall50'] == 1.0


SWAP_GTS = [  # the two objects swap places after frame 1
    dict(instance_id=1, label=0,
         masks={0: LEFT, 1: LEFT, 2: RIGHT, 3: RIGHT}),
    dict(instance_id=2, label=0,
         masks={0: RIGHT, 1: RIGHT, 2: LEFT, 3: LEFT}),
]


def _with_gt_embeddings(video, embed_of):
    """embed_of(instance_id, mask) -> (D, ) embedding."""
    for t, frame in enumerate(video.video_data_samples):
        insts = frame.metainfo['instances']
        masks = np.stack([
            SWAP_GTS[i['instance_id'] - 1]['masks'][t] for i in insts
        ]).astype(np.uint8)
        emb = torch.stack([
            embed_of(i['instance_id'], masks[k]) for k, i in enumerate(insts)
        ])
        frame.gt_instances = InstanceData(
            masks=BitmapMasks(masks, H, W),
            labels=torch.tensor([i['bbox_label'] for i in insts]),
            instances_ids=torch.tensor([i['instance_id'] for i in insts]),
            embeddings=F.normalize(emb.float(), dim=1))
    return video


def _oracle(embed_of):
    video = _with_gt_embeddings(
        make_video(1, 1, 4, (H, W), SWAP_GTS, []), embed_of)
    return run_metric(
        OracleAssociationMetric(
            tracker=dict(type='EmbeddingTracker', match_thr=0.5)), [video],
        CLASSES)


def test_oracle_association_perfect_embeddings_give_ap_1():
    out = _oracle(lambda i, m: torch.eye(4)[i])
    assert out['oracle_assoc/segm_AP'] == pytest.approx(1.0)
    assert out['oracle_assoc/segm_AR10'] == pytest.approx(1.0)
    assert out['oracle_assoc/segm_AR1'] == pytest.approx(0.5)  # 1 of 2


def test_oracle_association_loses_what_embeddings_confuse():
    # embeddings that encode the position instead of the identity: every
    # object is followed into the other's place after the swap
    out = _oracle(lambda i, m: torch.eye(4)[int(m[:, :16].any())])
    assert out['oracle_assoc/segm_AP'] < 0.5


def test_oracle_association_needs_gt_embeddings():
    video = make_video(1, 1, 2, (H, W), GTS, [])
    for frame in video.video_data_samples:
        frame.gt_instances = InstanceData(
            masks=BitmapMasks(np.stack([LEFT, RIGHT]).astype(np.uint8), H,
                              W),
            labels=torch.tensor([0, 1]))
    with pytest.raises(KeyError, match='with_gt_embeddings'):
        run_metric(OracleAssociationMetric(), [video], CLASSES)
