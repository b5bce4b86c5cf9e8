# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The boundaries the EmbeddingTracker docstring states: duplicates before
the max_per_frame cut, a pair at exactly match_thr matched, a duplicate at
exactly dedup_iou_thr kept, and the memory momentum's direction."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData

from mmsolotrack.models.trackers.association import match_by_similarity
from mmsolotrack.models.trackers.embedding_tracker import EmbeddingTracker
from mmsolotrack.testing.tracker_videos import make_frame, orthonormal_bank


def test_class_agnostic_duplicates_start_one_track():
    """One object segmented twice under two categories (SOLO's class-aware
    matrix NMS keeps both) gives one track; a distinct object still gets
    its own."""
    bank = orthonormal_bank(3, 8)
    tracker = EmbeddingTracker(init_score_thr=0.3, dedup_iou_thr=0.7)
    video = [[(0, 10, 10, 0.6, 1), (0, 10, 10, 0.5, 2), (1, 40, 40, 0.55, 1)]
             for _ in range(3)]
    for frame_id, objs in enumerate(video):
        if frame_id == 0:
            tracker.reset()
        out = tracker.track(make_frame(frame_id, objs, bank, noise=0.0))
        assert sorted(out.instances_id.tolist()) == [0, 1]
        assert sorted(out.scores.tolist()) == pytest.approx([0.55, 0.6])
    keep_all = EmbeddingTracker(init_score_thr=0.3)
    keep_all.reset()
    out = keep_all.track(make_frame(0, video[0], bank, noise=0.0))
    assert len(out) == 3


def _sample(frame_id, masks, scores, embeddings):
    """One frame from explicit (N, H, W) masks, scores and embeddings."""
    n = len(scores)
    sample = DetDataSample(metainfo=dict(frame_id=frame_id))
    sample.pred_instances = InstanceData(
        masks=masks,
        scores=torch.tensor(scores, dtype=torch.float32),
        labels=torch.zeros(n, dtype=torch.long),
        embeddings=torch.tensor(embeddings, dtype=torch.float32))
    return sample


def _masks(*boxes, h=8, w=8):
    """(N, h, w) bool masks, one per (x0, y0, x1, y1) box (exclusive)."""
    masks = torch.zeros((len(boxes), h, w), dtype=torch.bool)
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        masks[i, y0:y1, x0:x1] = True
    return masks


def test_memory_momentum_weights_the_old_memory():
    """m <- normalise(a m + (1 - a) x): with a = 0.8 the memory stays close
    to the first embedding (an inverted momentum would move it to x)."""
    tracker = EmbeddingTracker(momentum=0.8, match_thr=-1.0)
    tracker.reset()
    tracker.track(_sample(0, _masks((0, 0, 2, 2)), [0.9], [[1., 0.]]))
    out = tracker.track(_sample(1, _masks((0, 0, 2, 2)), [0.9], [[0., 1.]]))
    assert out.instances_id.tolist() == [0]
    expected = F.normalize(torch.tensor([[0.8, 0.2]]), dim=1)
    torch.testing.assert_close(tracker.tracks[0].embeddings, expected)


def test_pair_at_exactly_match_thr_is_matched():
    assert match_by_similarity(np.array([[0.5]]), 0.5)[0].tolist() == [0]
    below = np.nextafter(0.5, 0.0)
    assert match_by_similarity(np.array([[below]]), 0.5)[0].tolist() == []
    # in the tracker: identical unit embeddings have similarity exactly 1
    for match_thr, ids in ((1.0, [0]), (np.nextafter(1.0, 2.0), [1])):
        tracker = EmbeddingTracker(match_thr=float(match_thr))
        tracker.reset()
        tracker.track(_sample(0, _masks((0, 0, 2, 2)), [0.9], [[1., 0.]]))
        out = tracker.track(
            _sample(1, _masks((0, 0, 2, 2)), [0.9], [[1., 0.]]))
        assert out.instances_id.tolist() == ids, match_thr


def test_duplicate_at_exactly_dedup_iou_thr_is_kept():
    # a 2 x 2 mask and the half of it: IoU exactly 0.5
    masks = _masks((0, 0, 2, 2), (0, 0, 1, 2))
    for thr, kept in ((0.5, [0, 1]), (float(np.nextafter(0.5, 0.0)), [0])):
        tracker = EmbeddingTracker(dedup_iou_thr=thr)
        tracker.reset()
        out = tracker.track(
            _sample(0, masks, [0.9, 0.8], [[1., 0.], [0., 1.]]))
        assert out.instances_id.tolist() == kept, thr


def test_duplicates_are_dropped_before_the_max_per_frame_cut():
    """A duplicate of the best instance must not take the place of a
    distinct object: suppress first, then keep ``max_per_frame``."""
    masks = _masks((0, 0, 3, 3), (0, 0, 3, 3), (5, 5, 8, 8))
    tracker = EmbeddingTracker(max_per_frame=2, dedup_iou_thr=0.7)
    tracker.reset()
    out = tracker.track(
        _sample(0, masks, [0.9, 0.8, 0.7], [[1., 0.], [1., 0.], [0., 1.]]))
    assert out.scores.tolist() == pytest.approx([0.9, 0.7])
    assert out.instances_id.tolist() == [0, 1]
