# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The tracker's outputs feed mmdet's YouTubeVISMetric and
TrackLocalVisualizer as they are."""
import numpy as np
import pycocotools.mask as mask_util
import pytest
from mmdet.evaluation import YouTubeVISMetric
from mmdet.structures import DetDataSample
from mmdet.visualization import TrackLocalVisualizer

from mmsolotrack.models.trackers.embedding_tracker import EmbeddingTracker
from mmsolotrack.testing.tracker_videos import (H, W, orthonormal_bank,
                                                run_video, square)

# Two objects (labels 1 and 2); B is gone in frame 1, nobody in frame 2.
METRIC_VIDEO = [[(0, 4, 4, 0.9, 1), (1, 40, 30, 0.8, 2)], [(0, 8, 4, 0.9, 1)],
                [], [(0, 12, 4, 0.9, 1), (1, 36, 30, 0.7, 2)]]


def tracked_samples(video):
    """Per frame a DetDataSample with ``pred_track_instances`` as the VIS
    model would hand it to the metric and the visualizer."""
    tracker = EmbeddingTracker(iou_weight=0.2)
    outs, _ = run_video(tracker, video, orthonormal_bank(2, 32))
    samples = []
    for frame_id, out in enumerate(outs):
        sample = DetDataSample(
            metainfo=dict(
                frame_id=frame_id,
                video_id=7,
                img_id=70 + frame_id,
                ori_shape=(H, W)))
        sample.pred_track_instances = out
        samples.append(sample)
    return samples


def test_outputs_feed_youtube_vis_metric():
    video = METRIC_VIDEO
    samples = tracked_samples(video)
    metric = YouTubeVISMetric(format_only=True)
    metric.dataset_meta = dict(classes=('a', 'b', 'c'))
    metric.process_video(samples)
    preds, _ = metric.results[0]
    assert sorted(p['category_id'] for p in preds) == [2, 3]
    for pred in preds:
        identity = pred['category_id'] - 2  # label 1 is A, label 2 is B
        assert pred['video_id'] == 7
        assert len(pred['segmentations']) == 4
        for frame_id, objs in enumerate(video):
            seg = pred['segmentations'][frame_id]
            here = [o for o in objs if o[0] == identity]
            if not here:
                assert seg is None
                continue
            want = square(here[0][1], here[0][2]).numpy()
            assert np.array_equal(mask_util.decode(seg).astype(bool), want)


def test_outputs_feed_track_visualizer(tmp_path):
    # TrackLocalVisualizer colours instances with seaborn.
    pytest.importorskip('seaborn')
    samples = tracked_samples(METRIC_VIDEO)
    visualizer = TrackLocalVisualizer(name=f'vis_{tmp_path.name}')
    visualizer.dataset_meta = dict(classes=('a', 'b', 'c'))
    out_file = tmp_path / 'frame0.jpg'
    visualizer.add_datasample(
        'frame0',
        np.zeros((H, W, 3), dtype=np.uint8),
        samples[0],
        draw_gt=False,
        out_file=str(out_file))
    assert out_file.stat().st_size > 0
