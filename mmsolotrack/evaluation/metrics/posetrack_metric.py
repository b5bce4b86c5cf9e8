# Copyright (c) mmsolotrack contributors. All rights reserved.
"""PoseTrack multi-person pose tracking metrics (mAP, MOTA) for the loop.

The math is :mod:`mmsolotrack.evaluation.functional.posetrack_eval`; this
class only collects the predicted poses of each frame, reads the ground
truth from the PoseTrack 2018 json(s) and, optionally, writes the results
in the layout the official evaluation (poseval) reads.
"""
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from mmsolotrack.datasets.posetrack_json import (prediction_annotation,
                                                 read_posetrack18,
                                                 write_posetrack_results)
from mmsolotrack.registry import METRICS
from ..functional import (PCKH_THRESHOLD, POSETRACK_JOINTS, evaluate_posetrack,
                          posetrack_frames)

#: Where a frame's predicted people may be, in the order looked up.
PRED_FIELDS = ('pred_track_instances', 'pred_instances')
#: Names of the predicted track ids, in the order looked up.
TRACK_ID_FIELDS = ('instances_id', 'track_ids')


def _get(obj, key, default=None):
    """``obj[key]`` for dicts, ``obj.key`` for data elements."""
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _numpy(value) -> np.ndarray:
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def frame_people(sample) -> tuple:
    """The image id and predicted people of one frame's data sample.

    The sample carries ``img_id`` (the PoseTrack image id) and
    ``pred_track_instances`` (or ``pred_instances``) with ``keypoints``
    (N, K, 2), ``keypoint_scores`` (N, K), the track ids ``instances_id``
    (N, ) (or ``track_ids``) and optionally person ``scores`` (N, ).

    Returns:
        tuple[int, list[dict]]: image id and result-format annotations.
    """
    img_id = _get(sample, 'img_id')
    if img_id is None and _get(sample, 'metainfo') is not None:
        img_id = _get(sample, 'metainfo').get('img_id')
    if img_id is None:
        raise KeyError('PoseTrackMetric: a data sample has no img_id (the '
                       'PoseTrack image id of its frame)')
    pred = next((_get(sample, f)
                 for f in PRED_FIELDS if _get(sample, f) is not None), None)
    if pred is None:
        raise KeyError(f'PoseTrackMetric: the sample of image {img_id} has '
                       f'none of {PRED_FIELDS}')
    keypoints = _get(pred, 'keypoints')
    if keypoints is None:
        raise KeyError(f'PoseTrackMetric: the predictions of image {img_id} '
                       "have no 'keypoints'")
    keypoints = _numpy(keypoints)
    keypoints = keypoints.reshape(len(keypoints), -1, 2) if len(
        keypoints) else np.zeros((0, 0, 2))  # a frame with nobody
    ids = next((_get(pred, f)
                for f in TRACK_ID_FIELDS if _get(pred, f) is not None), None)
    if ids is None:
        raise KeyError(f'PoseTrackMetric: the predictions of image {img_id} '
                       f'have none of {TRACK_ID_FIELDS} (track ids)')
    ids = _numpy(ids).reshape(-1)
    kpt_scores = _get(pred, 'keypoint_scores')
    kpt_scores = (
        np.ones(keypoints.shape[:2]) if kpt_scores is None else
        _numpy(kpt_scores).reshape(keypoints.shape[:2]))
    scores = _get(pred, 'scores')
    scores = None if scores is None else _numpy(scores).reshape(-1)
    people = [
        prediction_annotation(
            int(img_id),
            int(ids[n]),
            keypoints[n],
            kpt_scores[n],
            ann_id=int(img_id) * 1000 + n,
            score=None if scores is None else float(scores[n]))
        for n in range(len(keypoints))
    ]
    return int(img_id), people


@METRICS.register_module()
class PoseTrackMetric(BaseMetric):
    """Per-joint AP (mAP) and CLEAR-MOT (MOTA) of PoseTrack.

    ``process`` takes whole videos (``video_data_samples``, as mmdet's VIS
    test loop gives them) or single frames; each frame's predicted people
    are read by :func:`frame_people`. Ground truth comes from ``ann_file``
    (a PoseTrack 2018 json, or a folder of them as PoseTrack ships its val
    split); its image ids link the predictions to their frames.

    Returned keys (``evaluate`` prepends ``posetrack/``): ``mAP``,
    ``MOTA``, ``MOTP``, ``precision``, ``recall`` (x100; the "Total"
    columns of poseval), ``num_misses``, ``num_false_positives``,
    ``num_switches``, ``num_objects`` (summed over joints), and per poseval
    column (Head, Shou, Elb, Wri, Hip, Knee, Ankl) ``AP_<col>`` and
    ``MOTA_<col>``. NaN where undefined (e.g. no GT joint at all).

    Args:
        ann_file (str): PoseTrack 2018 GT json or folder of jsons.
        dist_thr (float): PCKh threshold (fraction of the head size).
            Defaults to 0.5.
        joint_names (Sequence[str]): joints evaluated. Defaults to
            PoseTrack's 15.
        outfile_prefix (str, optional): folder to write the results to, one
            json per GT video, in the layout poseval reads.
        format_only (bool): only write the results; needs
            ``outfile_prefix``. Defaults to False.
        collect_device (str): As for :class:`mmengine.evaluator.BaseMetric`.
        prefix (str, optional): Defaults to ``'posetrack'``.
    """

    default_prefix = 'posetrack'

    def __init__(self,
                 ann_file: str,
                 dist_thr: float = PCKH_THRESHOLD,
                 joint_names: Sequence[str] = POSETRACK_JOINTS,
                 outfile_prefix: Optional[str] = None,
                 format_only: bool = False,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if format_only and not outfile_prefix:
            raise ValueError('PoseTrackMetric: format_only=True needs '
                             'outfile_prefix (where to write the results)')
        if not dist_thr > 0:
            raise ValueError(f'PoseTrackMetric: dist_thr must be > 0, got '
                             f'{dist_thr!r}')
        self.ann_file = ann_file
        self.dist_thr = float(dist_thr)
        self.joint_names = tuple(joint_names)
        self.outfile_prefix = outfile_prefix
        self.format_only = format_only

    def process(self, data_batch, data_samples: Sequence) -> None:
        # one result per sample: ``evaluate(size)`` keeps ``size`` results
        for sample in data_samples:
            frames = _get(sample, 'video_data_samples')
            frames = [sample] if frames is None else frames
            self.results.append([frame_people(f) for f in frames])

    def compute_metrics(self, results: List[list]) -> Dict[str, float]:
        predictions: Dict[int, List[dict]] = {}
        for img_id, people in (f for result in results for f in result):
            predictions.setdefault(img_id, []).extend(people)
        gt_videos = read_posetrack18(self.ann_file)
        if self.outfile_prefix:
            paths = write_posetrack_results(self.outfile_prefix, gt_videos,
                                            predictions)
            print_log(
                f'PoseTrack results ({len(paths)} videos) written to '
                f'{osp.abspath(self.outfile_prefix)}', 'current')
        if self.format_only:
            return {}
        known = {f['image']['id'] for v in gt_videos for f in v['frames']}
        unknown = sorted(set(predictions) - known)
        if unknown:
            raise KeyError(f'PoseTrackMetric: predictions for image ids '
                           f'{unknown[:5]} that {self.ann_file} does not '
                           'have')
        frames = posetrack_frames(gt_videos, predictions, self.joint_names)
        out = evaluate_posetrack(frames, self.joint_names, self.dist_thr)
        ap, mot = out['ap'], out['mot']
        metrics = dict(
            mAP=ap['mAP'],
            MOTA=mot['total']['MOTA'],
            MOTP=mot['total']['MOTP'],
            precision=mot['total']['precision'],
            recall=mot['total']['recall'])
        for key in ('num_misses', 'num_false_positives', 'num_switches',
                    'num_objects'):
            metrics[key] = int(mot['total'][key])
        for group, value in ap['groups'].items():
            metrics[f'AP_{group}'] = value
        for group, value in mot['groups'].items():
            metrics[f'MOTA_{group}'] = value
        return metrics
