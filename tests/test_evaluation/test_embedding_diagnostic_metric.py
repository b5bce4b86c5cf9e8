# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Embedding diagnostic: rank-1 and cosine gap on hand-made embeddings.

2-D unit embeddings at hand-picked angles, so every cosine and every nearest
neighbour is known in advance.
"""
import math

import numpy as np
import pytest
import torch
from mmdet.structures import DetDataSample, TrackDataSample
from mmengine.evaluator import Evaluator
from mmengine.structures import InstanceData

from mmsolotrack.evaluation.metrics import EmbeddingDiagnosticMetric
from mmsolotrack.evaluation.metrics.embedding_diagnostic_metric import \
    embedding_retrieval_stats


def unit(deg):
    return [math.cos(math.radians(deg)), math.sin(math.radians(deg))]


def cosd(deg):
    return math.cos(math.radians(deg))


# identity A (id 7) and B (id 3) over frames 0, 1, 2 (angles in degrees)
ANGLES = {7: [0, 20, 50], 3: [90, 70, 60]}


def video(angles=ANGLES, num_frames=3):
    """TrackDataSample whose gt_instances carry embeddings and ids."""
    frames = []
    for t in range(num_frames):
        # None: the identity is absent from that frame
        ids = [i for i in angles
               if t < len(angles[i]) and angles[i][t] is not None]
        frame = DetDataSample(metainfo=dict(frame_id=t))
        frame.gt_instances = InstanceData(
            embeddings=torch.tensor([unit(angles[i][t]) for i in ids],
                                    dtype=torch.float32).reshape(-1, 2),
            instances_ids=torch.tensor(ids, dtype=torch.long))
        frames.append(frame)
    track = TrackDataSample()
    track.video_data_samples = frames
    return track


# By hand (cross-frame candidates only):
#   A0 (0):  A1 20, A2 50, B1 70, B2 60      -> A1 right
#   A1 (20): A0 20, A2 30, B0 70, B2 40      -> A0 right
#   A2 (50): A0 50, A1 30, B0 40, B1 20      -> B1 WRONG
#   B0 (90): A1 70, A2 40, B1 20, B2 30      -> B1 right
#   B1 (70): A0 70, A2 20, B0 20, B2 10      -> B2 right
#   B2 (60): A0 60, A1 40, B0 30, B1 10      -> B1 right
RANK1 = 5 / 6
COS_SAME = (cosd(20) + cosd(50) + cosd(30) + cosd(20) + cosd(30) +
            cosd(10)) / 6
COS_DIFF = (cosd(70) + cosd(60) + cosd(70) + cosd(40) + cosd(40) +
            cosd(20)) / 6


def test_retrieval_stats_hand_computed():
    emb, ids, frames = [], [], []
    for i, angs in ANGLES.items():
        for t, a in enumerate(angs):
            emb.append(unit(a))
            ids.append(i)
            frames.append(t)
    stats = embedding_retrieval_stats(
        np.array(emb), np.array(ids), np.array(frames))
    assert stats['queries'] == 6 and stats['hits'] == 5
    assert stats['same_count'] == 12 and stats['diff_count'] == 12
    assert stats['same_sum'] / 12 == pytest.approx(COS_SAME, abs=1e-12)
    assert stats['diff_sum'] / 12 == pytest.approx(COS_DIFF, abs=1e-12)


def test_metric_on_video_samples():
    metric = EmbeddingDiagnosticMetric()
    metric.process({}, [video()])
    res = metric.compute_metrics(metric.results)
    assert res['rank1'] == pytest.approx(RANK1, abs=1e-4)
    assert res['cos_same'] == pytest.approx(COS_SAME, abs=1e-4)
    assert res['cos_diff'] == pytest.approx(COS_DIFF, abs=1e-4)
    assert res['cos_gap'] == pytest.approx(COS_SAME - COS_DIFF, abs=1e-4)


def test_metric_through_mmengine_evaluator():
    """As in the VIS test loop: the Evaluator hands over to_dict() output."""
    evaluator = Evaluator(EmbeddingDiagnosticMetric())
    evaluator.process(data_samples=[video()], data_batch={})
    res = evaluator.evaluate(1)
    assert res['embed/rank1'] == pytest.approx(RANK1, abs=1e-4)
    assert res['embed/cos_gap'] == pytest.approx(COS_SAME - COS_DIFF,
                                                 abs=1e-4)


def test_videos_are_separate():
    """Same ids in another video are other objects; pooled over videos."""
    # video 2: one identity, perfectly retrieved; its id 7 sits at angle
    # 50 + 1, right next to video 1's A2 (which would flip A2's answer if
    # videos were mixed)
    other = {7: [51, 52], 9: [140, 150]}
    metric = EmbeddingDiagnosticMetric()
    metric.process({}, [video()])
    metric.process({}, [video(other, num_frames=2)])
    res = metric.compute_metrics(metric.results)
    # video 2: 4 queries, all right; same pairs 7: 1, 9: 10 degrees;
    # different pairs 51-150 (99), 52-140 (88), both directions
    hits, queries = 5 + 4, 6 + 4
    same = (12 * COS_SAME + 2 * cosd(1) + 2 * cosd(10)) / 16
    diff = (12 * COS_DIFF + 2 * cosd(99) + 2 * cosd(88)) / 16
    assert res['rank1'] == pytest.approx(hits / queries, abs=1e-4)
    assert res['cos_same'] == pytest.approx(same, abs=1e-4)
    assert res['cos_diff'] == pytest.approx(diff, abs=1e-4)


def test_no_queries_returns_minus_one():
    metric = EmbeddingDiagnosticMetric()
    # single-frame videos: no instance has a candidate in another frame
    metric.process({}, [video(num_frames=1)])
    metric.process({}, [video({5: [10]}, num_frames=1)])
    res = metric.compute_metrics(metric.results)
    assert res == dict(rank1=-1.0, cos_same=-1.0, cos_diff=-1.0,
                       cos_gap=-1.0)


def test_frames_without_instances():
    """Objects leave the frame: empty frames are skipped, not a crash."""
    # frame 1 is empty; A: 0 -> 20, B: 90 -> 70: every query right
    metric = EmbeddingDiagnosticMetric()
    metric.process({}, [video({7: [0, None, 20], 3: [90, None, 70]})])
    res = metric.compute_metrics(metric.results)
    assert res['rank1'] == 1.0
    assert res['cos_same'] == pytest.approx(cosd(20), abs=1e-4)
    assert res['cos_diff'] == pytest.approx((cosd(70) + cosd(70)) / 2,
                                            abs=1e-4)
    # a video with no instance at all counts no query
    metric = EmbeddingDiagnosticMetric()
    metric.process({}, [video({}, num_frames=2)])
    assert metric.compute_metrics(metric.results)['rank1'] == -1.0


def test_missing_embeddings_is_a_clear_error():
    track = video()
    del track.video_data_samples[0].gt_instances.embeddings
    metric = EmbeddingDiagnosticMetric()
    with pytest.raises(KeyError, match='with_gt_embeddings'):
        metric.process({}, [track])
