# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Identity switches of a video instance tracker (CLEAR-MOT style IDSW).

Per frame, predicted track masks are matched one-to-one to ground-truth
masks (Hungarian on mask IoU; a pair matches when IoU >= ``iou_thr``, so a
half overlap matches at the default 0.5, as in CLEAR-MOT). A switch is
counted when a ground-truth identity is matched to a different track than
the last time it was matched. Reported per 100 frames so that data sets of
different lengths compare.
"""
from typing import Dict, List, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from mmsolotrack.models.trackers.association import (encode_masks_rle,
                                                     mask_iou_rle,
                                                     match_max_iou,
                                                     segmentation_to_rle)
from mmsolotrack.registry import METRICS


def count_id_switches(frames: Sequence[dict], iou_thr: float = 0.5) -> dict:
    """Count identity switches over one video.

    Args:
        frames (Sequence[dict]): per frame ``gt_ids`` (G, ), ``gt_rles``
            (G RLEs), ``pred_ids`` (P, ), ``pred_rles`` (P RLEs).
        iou_thr (float): Minimum mask IoU of a match, inclusive: a pair at
            exactly ``iou_thr`` matches.

    Returns:
        dict: ``switches``, ``matches``, ``gts`` and ``frames``.
    """
    last_track: Dict[int, int] = {}
    switches = matches = gts = 0
    for frame in frames:
        gts += len(frame['gt_ids'])
        if not len(frame['gt_ids']) or not len(frame['pred_ids']):
            continue
        match = match_max_iou(
            mask_iou_rle(frame['pred_rles'], frame['gt_rles']), iou_thr)
        for p in np.flatnonzero(match >= 0):
            g = match[p]
            gid, tid = int(frame['gt_ids'][g]), int(frame['pred_ids'][p])
            matches += 1
            if gid in last_track and last_track[gid] != tid:
                switches += 1
            last_track[gid] = tid
    return dict(switches=switches, matches=matches, gts=gts,
                frames=len(frames))


@METRICS.register_module()
class IDSwitchMetric(BaseMetric):
    """Identity switches per 100 frames, from the VIS test loop's outputs.

    Args:
        iou_thr (float): Minimum mask IoU for a prediction to match a ground
            truth instance (inclusive: IoU == iou_thr matches). Defaults to
            0.5.
        collect_device (str): As for :class:`mmengine.evaluator.BaseMetric`.
        prefix (str, optional): Defaults to ``'track'``.
    """

    default_prefix = 'track'

    def __init__(self, iou_thr: float = 0.5, **kwargs) -> None:
        super().__init__(**kwargs)
        self.iou_thr = iou_thr

    def process(self, data_batch: dict, data_samples: Sequence) -> None:
        for video in data_samples:
            samples = video['video_data_samples'] if isinstance(
                video, dict) else video.video_data_samples
            frames = []
            for sample in samples:
                height, width = sample.metainfo['ori_shape'][:2]
                instances = sample.metainfo.get('instances', [])
                pred = sample.pred_track_instances
                frames.append(
                    dict(
                        gt_ids=[inst['instance_id'] for inst in instances],
                        gt_rles=[
                            segmentation_to_rle(inst['mask'], height, width)
                            for inst in instances
                        ],
                        pred_ids=pred.instances_id.cpu().numpy(),
                        pred_rles=encode_masks_rle(pred.masks)))
            self.results.append(count_id_switches(frames, self.iou_thr))

    def compute_metrics(self, results: List[dict]) -> dict:
        total = {
            k: sum(r[k] for r in results)
            for k in ('switches', 'matches', 'gts', 'frames')
        }
        return dict(
            idsw_per_100_frames=round(
                100. * total['switches'] / max(total['frames'], 1), 3),
            idsw=total['switches'],
            match_rate=round(total['matches'] / max(total['gts'], 1), 4))
