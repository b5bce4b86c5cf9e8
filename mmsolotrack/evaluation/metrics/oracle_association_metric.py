# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Tracking AP of association alone: ground-truth masks and labels, the
model's embeddings.

Every frame's ground-truth instances (masks, labels, score 1) are tracked
with the embeddings the model pools inside the ground-truth masks, and the
resulting tracks are scored with the YouTube-VIS AP. By default the tracks
are the model's own: ``SOLOTrack(with_gt_embeddings=True)`` runs a copy of
its tracker on the ground truth (``oracle_track_instances``); given a
``tracker`` config, the metric runs that tracker on
``gt_instances.embeddings`` itself. Segmentation and classification are
perfect by construction, so whatever is lost is lost by association: perfect
embeddings give AP 1.0, embeddings that confuse identities lose it.
"""
from typing import Optional, Sequence

from mmdet.structures import DetDataSample

from mmsolotrack.models.trackers import track_ground_truth
from mmsolotrack.registry import METRICS, MODELS
from .youtube_vis_metric import YouTubeVISMetric


@METRICS.register_module()
class OracleAssociationMetric(YouTubeVISMetric):
    """YouTube-VIS AP of tracks built from ground-truth masks.

    Args:
        tracker (dict, optional): A tracker to associate with here (its
            score thresholds are set to 0: every instance scores 1). None
            (default) reads the model's ``oracle_track_instances``.
        prefix (str, optional): Defaults to ``'oracle_assoc'``.
        **kwargs: As for :class:`YouTubeVISMetric` (``class_agnostic`` is
            meaningless here: labels are the ground truth's).
    """

    default_prefix: Optional[str] = 'oracle_assoc'

    def __init__(self,
                 tracker: Optional[dict] = None,
                 metric_items: Sequence[str] = ('AP', 'AP50', 'AP75',
                                                'AR1', 'AR10'),
                 **kwargs) -> None:
        super().__init__(metric_items=metric_items, **kwargs)
        self.tracker = MODELS.build(tracker) if tracker else None
        if self.tracker is not None:
            self.tracker.det_score_thr = 0.0
            self.tracker.init_score_thr = 0.0

    def process_video(self, data_samples) -> None:
        frames = []
        if self.tracker is not None:
            self.tracker.reset()
        for t in range(len(data_samples)):
            frame = data_samples[t]
            if self.tracker is None:
                if 'oracle_track_instances' not in frame:
                    raise KeyError(
                        'OracleAssociationMetric needs the model\'s '
                        'oracle_track_instances: build SOLOTrack with '
                        '`with_gt_embeddings=True` (or give the metric a '
                        '`tracker`)')
                oracle = DetDataSample(metainfo=frame.metainfo)
                oracle.pred_track_instances = frame.oracle_track_instances
                frames.append(oracle)
                continue
            oracle = DetDataSample(metainfo=frame.metainfo)
            oracle.pred_track_instances = track_ground_truth(
                self.tracker, frame, frame_id=t)
            frames.append(oracle)
        super().process_video(frames)
