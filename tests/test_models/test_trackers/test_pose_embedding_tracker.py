# Copyright (c) mmsolotrack contributors. All rights reserved.
"""PoseEmbeddingTracker scenarios: people who cross keep their ids.

A person is a box (x0, y0, x0 + 20, y0 + 40) with 17 keypoints inside it
and an identity embedding from an orthonormal bank plus noise.
"""
import pytest
import torch
import torch.nn.functional as F
from mmengine.structures import BaseDataElement, InstanceData

from mmsolotrack.models.trackers import PoseEmbeddingTracker
from mmsolotrack.testing.tracker_videos import orthonormal_bank

K, D = 17, 16


def frame(frame_id, people, bank, noise=0.05, seed=0):
    """people: (identity, x0, y0, score) per person."""
    g = torch.Generator().manual_seed(seed * 1000 + frame_id)
    n = len(people)
    boxes = torch.tensor([[x, y, x + 20., y + 40.] for _, x, y, _ in people]
                         ).reshape(n, 4)
    kpts = boxes[:, None, :2] + torch.rand(n, K, 2, generator=g) * \
        torch.tensor([20., 40.])
    ids = torch.tensor([p[0] for p in people], dtype=torch.long)
    emb = bank[ids] + noise * torch.randn(n, D, generator=g)
    pred = InstanceData(
        keypoints=kpts, keypoint_scores=torch.ones(n, K), bboxes=boxes,
        scores=torch.tensor([p[3] for p in people]),
        embeddings=F.normalize(emb, dim=1))
    return BaseDataElement(metainfo=dict(frame_id=frame_id),
                           pred_instances=pred)


def run(tracker, video, bank):
    tracker.reset()
    out = []
    for t, people in enumerate(video):
        res = tracker.track(frame(t, people, bank))
        # person identity -> track id, read through the score (unique)
        score_to_person = {p[3]: p[0] for p in people}
        out.append({score_to_person[round(float(s), 4)]: int(i)
                    for s, i in zip(res.scores, res.instances_id)})
    return out


def crossing_video():
    """Two people walk through each other, 15 px per annotated frame with
    20 px wide boxes: after the crossing each one's box overlaps the other
    one's last box more than its own."""
    video = []
    for t in range(8):
        a = 10 + 15 * t
        b = 115 - 15 * t
        video.append([(0, a, 20, 0.9), (1, b, 22, 0.8)])
    return video


def test_crossing_people_keep_their_ids():
    bank = orthonormal_bank(2, D)
    tracker = PoseEmbeddingTracker(init_score_thr=0.5, match_thr=0.5)
    out = run(tracker, crossing_video(), bank)
    assert all(o == out[0] for o in out), out
    assert sorted(out[0].values()) == [0, 1]


def test_box_iou_alone_swaps_them():
    """The same scenario with box IoU only: an identity switch (so the
    scenario does test what the embedding brings)."""
    bank = orthonormal_bank(2, D)
    tracker = PoseEmbeddingTracker(
        embed_weight=0.0, iou_weight=1.0, match_thr=0.05)
    out = run(tracker, crossing_video(), bank)
    assert any(o != out[0] for o in out)


def test_embedding_plus_iou_keeps_ids():
    bank = orthonormal_bank(2, D)
    tracker = PoseEmbeddingTracker(embed_weight=1.0, iou_weight=0.5)
    out = run(tracker, crossing_video(), bank)
    assert all(o == out[0] for o in out), out


def test_occluded_person_comes_back_with_its_id():
    bank = orthonormal_bank(3, D)
    video = [[(0, 10, 10, 0.9), (1, 60, 10, 0.8), (2, 110, 10, 0.7)]] * 2
    video += [[(0, 10, 10, 0.9), (2, 110, 10, 0.7)]] * 3  # 1 hidden
    video += [[(0, 10, 10, 0.9), (1, 20, 10, 0.8), (2, 110, 10, 0.7)]]
    tracker = PoseEmbeddingTracker(num_frames_retain=5)
    out = run(tracker, video, bank)
    assert out[-1] == out[0]
    # retained for fewer frames than it was hidden: a new id
    tracker = PoseEmbeddingTracker(num_frames_retain=2)
    out = run(tracker, video, bank)
    assert out[-1][1] != out[0][1] and out[-1][0] == out[0][0]


def test_outputs_follow_the_people_and_reset_restarts_ids():
    bank = orthonormal_bank(2, D)
    tracker = PoseEmbeddingTracker()
    tracker.reset()
    f = frame(0, [(0, 10, 10, 0.6), (1, 60, 10, 0.9), (1, 0, 0, 0.1)], bank)
    res = tracker.track(f)
    pred = f.pred_instances
    # highest score first, the low-score person dropped
    assert res.scores.tolist() == pytest.approx([0.9, 0.6])
    assert torch.equal(res.keypoints, pred.keypoints[[1, 0]])
    assert torch.equal(res.bboxes, pred.bboxes[[1, 0]])
    assert res.instances_id.tolist() == [0, 1]
    tracker.reset()
    res = tracker.track(frame(0, [(1, 60, 10, 0.9)], bank))
    assert res.instances_id.tolist() == [0]


def test_box_nms_drops_duplicates_before_association():
    bank = orthonormal_bank(2, D)
    tracker = PoseEmbeddingTracker(box_nms_thr=0.5)
    tracker.reset()
    res = tracker.track(frame(0, [(0, 10, 10, 0.9), (1, 11, 10, 0.8)], bank))
    assert res.scores.tolist() == pytest.approx([0.9])


def test_missing_embeddings_is_a_clear_error():
    tracker = PoseEmbeddingTracker()
    tracker.reset()
    f = frame(0, [(0, 10, 10, 0.9)], orthonormal_bank(1, D))
    del f.pred_instances.embeddings
    with pytest.raises(KeyError, match="no 'embeddings'"):
        tracker.track(f)


def test_unsure_keypoints_are_unpredicted():
    bank = orthonormal_bank(1, D)
    tracker = PoseEmbeddingTracker(keypoint_score_thr=0.5)
    tracker.reset()
    f = frame(0, [(0, 10, 10, 0.9)], bank)
    f.pred_instances.keypoint_scores[0, :5] = 0.2
    res = tracker.track(f)
    assert torch.isnan(res.keypoints[0, :5]).all()
    assert torch.equal(res.keypoints[0, 5:], f.pred_instances.keypoints[0, 5:])
