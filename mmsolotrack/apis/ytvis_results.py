# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Collect a streamed video's tracks as YouTube-VIS results.

Per track only run-length-encoded masks (one per frame it appears in), a
score sum, a frame count and a score sum per category are kept; the
per-frame masks are never held decoded.
"""
from typing import Dict, List

import torch
from mmengine.structures import InstanceData

from mmsolotrack.models.trackers.association import (encode_masks_rle,
                                                     rle_to_json)

__all__ = ['YTVISTrackCollector']


class YTVISTrackCollector:
    """Accumulate ``pred_track_instances`` of consecutive frames of a video.

    :meth:`results` gives the official YouTube-VIS result layout: one entry
    per track ``{video_id, category_id, score, segmentations}``, where
    ``segmentations`` has one COCO RLE (``counts`` as str) or None per
    frame, ``score`` is the mean of the track's per-frame scores and
    ``category_id`` (= label + 1, as :class:`YouTubeVISMetric` numbers
    categories) is the score-weighted vote of its per-frame labels.

    Args:
        video_id (int): The ``video_id`` written in the results.
            Defaults to 1.
    """

    def __init__(self, video_id: int = 1) -> None:
        self.video_id = video_id
        self.num_frames = 0
        self._rles: Dict[int, Dict[int, dict]] = {}
        self._score_sum: Dict[int, float] = {}
        self._votes: Dict[int, Dict[int, float]] = {}

    def add(self, track_instances: InstanceData) -> None:
        """Add the next frame's tracked instances.

        Args:
            track_instances (InstanceData): ``masks`` (K, H, W) bool,
                ``scores`` (K,), ``labels`` (K,), ``instances_id`` (K,).
        """
        frame = self.num_frames
        ids = _as_list(track_instances.instances_id, int)
        if len(set(ids)) != len(ids):
            raise ValueError(f'frame {frame}: a track id occurs twice in '
                             f'pred_track_instances: {ids}')
        if ids:
            rles = encode_masks_rle(track_instances.masks)  # K of (H, W)
            scores = _as_list(track_instances.scores, float)
            labels = _as_list(track_instances.labels, int)
            for i, track_id in enumerate(ids):
                self._rles.setdefault(track_id,
                                      {})[frame] = rle_to_json(rles[i])
                self._score_sum[track_id] = (
                    self._score_sum.get(track_id, 0.0) + scores[i])
                votes = self._votes.setdefault(track_id, {})
                votes[labels[i]] = votes.get(labels[i], 0.0) + scores[i]
        self.num_frames += 1

    def results(self) -> List[dict]:
        """The YouTube-VIS results of the frames added so far.

        Returns:
            list[dict]: One entry per track, by increasing track id.
        """
        out = []
        for track_id in sorted(self._rles):
            frames = self._rles[track_id]
            votes = self._votes[track_id]
            out.append(
                dict(video_id=self.video_id,
                     category_id=max(votes, key=votes.get) + 1,
                     score=self._score_sum[track_id] / len(frames),
                     segmentations=[
                         frames.get(t) for t in range(self.num_frames)
                     ]))
        return out


def _as_list(values, kind) -> list:
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().tolist()
    return [kind(v) for v in values]
