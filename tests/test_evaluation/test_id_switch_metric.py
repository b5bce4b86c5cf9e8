# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Identity switches on hand-made videos with known answers."""
import numpy as np
import pycocotools.mask as mask_util
import torch
from mmdet.structures import DetDataSample, TrackDataSample
from mmengine.structures import InstanceData

from mmsolotrack.evaluation.metrics import IDSwitchMetric, count_id_switches

H, W = 16, 24
LEFT = (slice(2, 8), slice(2, 8))
RIGHT = (slice(8, 14), slice(14, 20))


def _mask(region):
    m = np.zeros((H, W), np.uint8)
    m[region] = 1
    return m


def _rle(region):
    return mask_util.encode(np.asfortranarray(_mask(region)))


def _frame(gt, pred):
    """gt / pred: lists of (id, region)."""
    return dict(
        gt_ids=[i for i, _ in gt],
        gt_rles=[_rle(r) for _, r in gt],
        pred_ids=np.array([i for i, _ in pred]),
        pred_rles=[_rle(r) for _, r in pred])


def test_perfect_tracking_has_no_switch():
    frames = [_frame([(1, LEFT), (2, RIGHT)], [(7, LEFT), (9, RIGHT)])] * 4
    assert count_id_switches(frames) == dict(
        switches=0, matches=8, gts=8, frames=4)


def test_swap_halfway_counts_two_switches():
    # A (id 1) stays left, B (id 2) right; the tracks swap after frame 1
    frames = [_frame([(1, LEFT), (2, RIGHT)], [(0, LEFT), (1, RIGHT)])] * 2
    frames += [_frame([(1, LEFT), (2, RIGHT)], [(1, LEFT), (0, RIGHT)])] * 2
    assert count_id_switches(frames)['switches'] == 2


def test_gap_then_same_track_is_not_a_switch():
    frames = [
        _frame([(1, LEFT)], [(5, LEFT)]),
        _frame([(1, LEFT)], []),  # missed, not a switch
        _frame([(1, LEFT)], [(5, LEFT)]),
        _frame([(1, LEFT)], [(6, LEFT)]),  # new id: one switch
    ]
    assert count_id_switches(frames) == dict(
        switches=1, matches=3, gts=4, frames=4)


def test_low_iou_is_no_match():
    shifted = (slice(2, 8), slice(6, 12))  # IoU 2/10 with LEFT
    frames = [_frame([(1, LEFT)], [(3, shifted)])]
    assert count_id_switches(frames)['matches'] == 0
    assert count_id_switches(frames, iou_thr=0.1)['matches'] == 1


def test_iou_exactly_at_the_threshold_matches():
    # the left half of LEFT: 18 of its 36 pixels, IoU exactly 0.5
    half = (slice(2, 8), slice(2, 5))
    assert mask_util.iou([_rle(half)], [_rle(LEFT)], [0])[0, 0] == 0.5
    frames = [_frame([(1, LEFT)], [(3, LEFT)]),
              _frame([(1, LEFT)], [(4, half)])]
    assert count_id_switches(frames, iou_thr=0.5) == dict(
        switches=1, matches=2, gts=2, frames=2)
    # one pixel less is below the threshold: no match, no switch
    less = _mask(half)
    less[2, 2] = 0
    frames[1]['pred_rles'] = [mask_util.encode(np.asfortranarray(less))]
    assert count_id_switches(frames, iou_thr=0.5) == dict(
        switches=0, matches=1, gts=2, frames=2)


def test_metric_through_data_samples():
    """The registered metric reads the VIS test loop's TrackDataSample."""
    frames = []
    for t in range(4):
        pred_left_id, pred_right_id = (0, 1) if t < 2 else (1, 0)
        sample = DetDataSample(
            metainfo=dict(
                ori_shape=(H, W),
                instances=[
                    dict(instance_id=1, mask=_as_json_rle(LEFT)),
                    dict(instance_id=2, mask=_as_json_rle(RIGHT))
                ]))
        pred = InstanceData()
        pred.masks = torch.from_numpy(np.stack([_mask(LEFT),
                                                _mask(RIGHT)])).bool()
        pred.instances_id = torch.tensor([pred_left_id, pred_right_id])
        sample.pred_track_instances = pred
        frames.append(sample)
    video = TrackDataSample()
    video.video_data_samples = frames
    metric = IDSwitchMetric()
    metric.process({}, [video])
    assert metric.compute_metrics(metric.results) == dict(
        idsw_per_100_frames=50.0, idsw=2, match_rate=1.0)


def _as_json_rle(region):
    rle = _rle(region)
    return dict(size=rle['size'], counts=rle['counts'].decode())
