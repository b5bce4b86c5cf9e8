# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Multi-person pose estimation and tracking metrics of PoseTrack (poseval).

Written from the definitions of the official PoseTrack evaluation (poseval,
as used for PoseTrack 2017 / 2018): per-joint AP (mAP) and per-joint
CLEAR-MOT (MOTA with its misses, false positives and ID switches, MOTP,
precision, recall). Nothing here reads files; see
:mod:`mmsolotrack.datasets.posetrack_json` for the json side and
:func:`posetrack_frames` for turning it into the arrays used here.

Shape shorthand: G ground-truth people and P predicted people in a frame,
J joints (15 for PoseTrack: the 17 keypoint slots less the two ears, which
PoseTrack leaves unannotated).

The protocol, per frame (as poseval does it):

1. Normalised distance ``d[p, g, j] = ||pred - gt|| / head_size[g]``, with
   ``head_size = 0.6 * diagonal of the GT head box`` (``bbox_head``), and
   ``inf`` where the joint is missing in either pose. A predicted joint is
   correct when ``d <= dist_thr`` (0.5: PCKh@0.5, inclusive).
2. People assignment: ``pck[p, g]`` = correct joints of p on g / annotated
   joints of g. Each prediction keeps only its best GT (first on ties);
   each GT then takes the prediction with the highest kept ``pck`` (first
   on ties), none if that is 0. This is poseval's greedy rule, not a
   Hungarian assignment: a prediction that loses its best GT to another
   prediction is not re-assigned, all its joints become false positives.
3. AP entries: every predicted joint of an assigned prediction is a true
   positive when correct on its GT, else a false positive; every joint of an
   unassigned prediction is a false positive. The number of positives of
   joint j is the number of annotated GT joints j.
4. AP per joint: predictions of all frames sorted by joint score, precision
   / recall curve, VOC all-point interpolated AP (x100). mAP = mean over the
   joints that have ground truth.
5. CLEAR-MOT per joint and video (py-motmetrics' ``MOTAccumulator`` rules):
   GT joints and predicted joints are the objects and hypotheses, a pair may
   match only when ``d <= dist_thr`` and costs ``d``; matches of the
   previous frame are kept while still valid, the rest is assigned by the
   Hungarian algorithm (most matches, then least total distance); an ID
   switch is a GT track matched to a predicted track id other than the one
   it was last matched to (also across frames where it was missed).
   ``MOTA_j = 100 * (1 - (misses + switches + false positives) / GT
   joints)``, ``MOTP_j = 100 * (1 - mean d of the matches)``, precision
   and recall of the matched joints. Totals, as poseval's "Total" column:
   the mean of the per-joint values over the joints that have ground
   truth; the summed counts are returned too.

Frames: a frame is evaluated when it has at least one GT person (poseval
drops frames without GT people and *their predictions*, so predictions on
such a frame are neither true nor false positives). Ignore regions remove
the points inside them (strict interior) from GT and predictions; people left
without points are removed.

Deviations from poseval (each a poseval quirk or bug, not a definition):

- poseval's tracking evaluation drops the last frame of every sequence
  (``imgidxs[:-1]``); here every evaluated frame counts.
- On an evaluated frame with no prediction at all (or, after ignore
  regions, no GT), poseval feeds the MOT accumulator one placeholder GT
  object and one placeholder hypothesis per joint (track id 0, never
  matched): +1 object, +1 miss and +1 false positive per joint whatever the
  frame holds. Here the real GT joints are counted as misses (and the real
  predictions as false positives).
- poseval's MOTP sums the accumulator's whole distance column; with
  py-motmetrics >= 1.2 that also adds the 'RAW' events (every candidate
  pair), so its MOTP depends on the motmetrics version. Here only the
  matched pairs count.
- Score ties: poseval sorts with numpy's default (unstable) argsort and
  reverses it; here the sort is stable (the earlier entry first). AP only
  differs when tied scores carry different labels.
- A joint without any GT: poseval's AP is 0 when nothing predicts it and NaN
  otherwise; here it is NaN (left out of mAP) in both cases. (PoseTrack's
  15 joints always have GT.)
- poseval decides that a keypoint is annotated / predicted unless
  ``x == y == v == 0``; :func:`posetrack_frames` takes the same rule.
- poseval pairs a result file with the GT file of the same name and their
  frames by position (the result must repeat the GT's ``images``);
  :func:`posetrack_frames` pairs predictions with frames by image id (the
  writer still repeats the GT's ``images``, so poseval can read its files).
- Ignore regions: poseval tests points with shapely (strict interior, in
  float64); here OpenCV's ``pointPolygonTest`` (strict interior, polygon in
  float32): a point within about 1e-5 px of an edge may fall differently.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .clear_mot import ClearMOTAccumulator, clear_mot_summary

#: The 15 joints PoseTrack evaluates, in the PoseTrack 2018 keypoint order.
POSETRACK_JOINTS = ('nose', 'head_bottom', 'head_top', 'left_shoulder',
                    'right_shoulder', 'left_elbow', 'right_elbow',
                    'left_wrist', 'right_wrist', 'left_hip', 'right_hip',
                    'left_knee', 'right_knee', 'left_ankle', 'right_ankle')
#: The 17 keypoint slots of a PoseTrack 2018 json (ears left unannotated).
POSETRACK18_KEYPOINTS = POSETRACK_JOINTS[:3] + (
    'left_ear', 'right_ear') + POSETRACK_JOINTS[3:]
#: poseval's table columns: joint group -> joints averaged.
POSETRACK_JOINT_GROUPS = {
    'Head': ('head_top', 'head_bottom', 'nose'),
    'Shou': ('left_shoulder', 'right_shoulder'),
    'Elb': ('left_elbow', 'right_elbow'),
    'Wri': ('left_wrist', 'right_wrist'),
    'Hip': ('left_hip', 'right_hip'),
    'Knee': ('left_knee', 'right_knee'),
    'Ankl': ('left_ankle', 'right_ankle'),
}
#: PCKh threshold: a joint is correct within half the head size.
PCKH_THRESHOLD = 0.5
#: Score poseval gives a predicted joint without a score.
MIN_SCORE = -9999.0


def head_size(bbox_head: Sequence[float]) -> float:
    """poseval's reference length: 0.6 x the head box diagonal.

    Args:
        bbox_head (Sequence[float]): ``[x, y, w, h]`` of the GT head box.
    """
    return 0.6 * float(np.hypot(bbox_head[2], bbox_head[3]))


def pckh_distances(pred_xy: np.ndarray, pred_has: np.ndarray,
                   gt_xy: np.ndarray, gt_has: np.ndarray,
                   head_sizes: np.ndarray) -> np.ndarray:
    """Joint distances normalised by the GT head size.

    Args:
        pred_xy (np.ndarray): (P, J, 2) predicted joints.
        pred_has (np.ndarray): (P, J) bool, joint predicted.
        gt_xy (np.ndarray): (G, J, 2) GT joints.
        gt_has (np.ndarray): (G, J) bool, joint annotated.
        head_sizes (np.ndarray): (G, ) positive head sizes.

    Returns:
        np.ndarray: (P, G, J) float64, ``inf`` where either joint is absent.
    """
    diff = pred_xy[:, None].astype(np.float64) - gt_xy[None]
    dist = np.linalg.norm(
        diff, axis=-1) / np.asarray(head_sizes, np.float64)[None, :, None]
    dist[~(pred_has[:, None] & gt_has[None])] = np.inf
    return dist


def assign_poses(correct: np.ndarray, gt_has: np.ndarray) -> np.ndarray:
    """poseval's greedy assignment of predicted to GT people.

    Args:
        correct (np.ndarray): (P, G, J) bool, joint within the threshold.
        gt_has (np.ndarray): (G, J) bool, joint annotated.

    Returns:
        np.ndarray: (P, ) int, the GT index of each prediction or -1.
    """
    num_pred, num_gt = correct.shape[:2]
    gt_of_pred = np.full(num_pred, -1, np.int64)
    if not num_pred or not num_gt:
        return gt_of_pred
    pck = correct.sum(axis=2).astype(np.float64)  # (P, G)
    num_annotated = gt_has.sum(axis=1)  # (G, )
    pck = np.where(num_annotated > 0, pck / np.maximum(num_annotated, 1), pck)
    best = np.argmax(pck, axis=1)  # each prediction keeps its best GT only
    kept = np.zeros_like(pck)
    kept[np.arange(num_pred), best] = pck[np.arange(num_pred), best]
    winner = np.argmax(kept, axis=0)  # (G, ) each GT takes its best
    for g in np.flatnonzero(kept.max(axis=0) > 0):
        gt_of_pred[winner[g]] = g
    return gt_of_pred


def average_precision(scores: np.ndarray, labels: np.ndarray,
                      num_gt: int) -> Tuple[float, float, float]:
    """VOC all-point AP of one joint, and the final precision and recall.

    Args:
        scores (np.ndarray): (N, ) scores of the predicted joints.
        labels (np.ndarray): (N, ) bool, true positive.
        num_gt (int): Number of positives (annotated GT joints).

    Returns:
        tuple[float]: AP, precision and recall at the lowest score, x100.
        All NaN when ``num_gt == 0``; all 0 when nothing is predicted.
    """
    if num_gt == 0:
        return float('nan'), float('nan'), float('nan')
    if len(scores) == 0:
        return 0.0, 0.0, 0.0
    order = np.argsort(-np.asarray(scores, np.float64), kind='stable')
    tp = np.cumsum(np.asarray(labels, bool)[order])
    precision = tp / np.arange(1, len(tp) + 1)
    recall = tp / num_gt
    mpre = np.concatenate([[0.0], precision, [0.0]])
    mrec = np.concatenate([[0.0], recall, [1.0]])
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]  # precision envelope
    steps = np.flatnonzero(mrec[1:] != mrec[:-1]) + 1
    ap = np.sum((mrec[steps] - mrec[steps - 1]) * mpre[steps])
    return 100.0 * ap, 100.0 * precision[-1], 100.0 * recall[-1]


def match_pose_frame(frame: dict, dist_thr: float = PCKH_THRESHOLD) -> dict:
    """Everything the metrics need from one frame.

    Args:
        frame (dict): ``gt_xy`` (G, J, 2), ``gt_has`` (G, J),
            ``gt_head_sizes`` (G, ), ``gt_ids`` (G, ), ``pred_xy``
            (P, J, 2), ``pred_has`` (P, J), ``pred_scores`` (P, J),
            ``pred_ids`` (P, ) (ids only needed for tracking).
        dist_thr (float): PCKh threshold. Defaults to 0.5.

    Returns:
        dict: ``dist`` (P, G, J), ``correct`` (P, G, J) bool,
        ``gt_of_pred`` (P, ), ``labels`` (P, J) bool (AP label of each
        predicted joint; meaningless where not predicted).
    """
    dist = pckh_distances(frame['pred_xy'], frame['pred_has'], frame['gt_xy'],
                          frame['gt_has'], frame['gt_head_sizes'])
    correct = dist <= dist_thr
    gt_of_pred = assign_poses(correct, frame['gt_has'])
    num_pred, num_joints = frame['pred_has'].shape
    labels = np.zeros((num_pred, num_joints), bool)
    assigned = gt_of_pred >= 0
    labels[assigned] = correct[np.flatnonzero(assigned), gt_of_pred[assigned]]
    return dict(
        dist=dist, correct=correct, gt_of_pred=gt_of_pred, labels=labels)


def _nanmean(values) -> float:
    values = np.asarray(values, np.float64)
    values = values[~np.isnan(values)]
    return float(values.mean()) if len(values) else float('nan')


def posetrack_ap(videos: Sequence[Sequence[dict]],
                 joint_names: Sequence[str] = POSETRACK_JOINTS,
                 dist_thr: float = PCKH_THRESHOLD) -> dict:
    """Per-joint AP over all frames of all videos.

    Args:
        videos (Sequence[Sequence[dict]]): per video, its evaluated frames
            (see :func:`match_pose_frame`).
        joint_names (Sequence[str]): J names, for the returned keys.
        dist_thr (float): PCKh threshold. Defaults to 0.5.

    Returns:
        dict: ``AP``, ``precision``, ``recall`` (joint name -> value x100)
        and ``mAP``, ``mean_precision``, ``mean_recall`` (means over the
        joints with GT), ``num_gt`` (joint -> positives).
    """
    num_joints = len(joint_names)
    scores: List[list] = [[] for _ in range(num_joints)]
    labels: List[list] = [[] for _ in range(num_joints)]
    num_gt = np.zeros(num_joints, np.int64)
    for frame in (f for video in videos for f in video):
        num_gt += frame['gt_has'].sum(axis=0)
        result = match_pose_frame(frame, dist_thr)
        for j in range(num_joints):
            has = frame['pred_has'][:, j]
            scores[j].extend(frame['pred_scores'][has, j].tolist())
            labels[j].extend(result['labels'][has, j].tolist())
    out = dict(AP={}, precision={}, recall={}, num_gt={})
    for j, name in enumerate(joint_names):
        ap, pre, rec = average_precision(
            np.array(scores[j]), np.array(labels[j], bool), int(num_gt[j]))
        out['AP'][name], out['precision'][name] = ap, pre
        out['recall'][name], out['num_gt'][name] = rec, int(num_gt[j])
    out['mAP'] = _nanmean(list(out['AP'].values()))
    out['mean_precision'] = _nanmean(list(out['precision'].values()))
    out['mean_recall'] = _nanmean(list(out['recall'].values()))
    return out


def joint_mot_inputs(frame: dict, result: dict, joint: int,
                     dist_thr: float) -> tuple:
    """The CLEAR-MOT update of one joint in one frame.

    Returns:
        tuple: GT track ids (Gj, ), predicted track ids (Pj, ) and the
        (Gj, Pj) distances, NaN where the pair may not match.
    """
    gt_rows = np.flatnonzero(frame['gt_has'][:, joint])
    pred_rows = np.flatnonzero(frame['pred_has'][:, joint])
    dist = result['dist'][pred_rows][:, gt_rows, joint].T  # (Gj, Pj)
    dist = np.where(dist <= dist_thr, dist, np.nan)
    return (np.asarray(frame['gt_ids'])[gt_rows],
            np.asarray(frame['pred_ids'])[pred_rows], dist)


def posetrack_mota(videos: Sequence[Sequence[dict]],
                   joint_names: Sequence[str] = POSETRACK_JOINTS,
                   dist_thr: float = PCKH_THRESHOLD) -> dict:
    """Per-joint CLEAR-MOT, one accumulator per joint and video.

    Args:
        videos (Sequence[Sequence[dict]]): per video, its evaluated frames
            in temporal order, with ``gt_ids`` and ``pred_ids``.
        joint_names (Sequence[str]): J names, for the returned keys.
        dist_thr (float): PCKh threshold. Defaults to 0.5.

    Returns:
        dict: see :func:`clear_mot_summary`.
    """
    counts = {name: ClearMOTAccumulator().counts() for name in joint_names}
    for video in videos:
        accumulators = [ClearMOTAccumulator() for _ in joint_names]
        for frame in video:
            result = match_pose_frame(frame, dist_thr)
            for j, acc in enumerate(accumulators):
                acc.update(*joint_mot_inputs(frame, result, j, dist_thr))
        for name, acc in zip(joint_names, accumulators):
            for key, value in acc.counts().items():
                counts[name][key] += value
    return clear_mot_summary(counts)


def group_means(per_joint: Dict[str, float],
                groups: Optional[dict] = None) -> Dict[str, float]:
    """poseval's table columns (Head, Shou, ...) from per-joint values.

    Groups none of whose joints are in ``per_joint`` are left out.
    """
    groups = POSETRACK_JOINT_GROUPS if groups is None else groups
    return {
        group: _nanmean([per_joint[n] for n in names if n in per_joint])
        for group, names in groups.items()
        if any(n in per_joint for n in names)
    }


def evaluate_posetrack(videos: Sequence[Sequence[dict]],
                       joint_names: Sequence[str] = POSETRACK_JOINTS,
                       dist_thr: float = PCKH_THRESHOLD) -> dict:
    """Pose AP and tracking CLEAR-MOT of PoseTrack on arrays.

    Args:
        videos (Sequence[Sequence[dict]]): per video its evaluated frames in
            temporal order (see :func:`match_pose_frame`; build them from jsons
            with :func:`posetrack_frames`).
        joint_names (Sequence[str]): J names. Defaults to PoseTrack's 15.
        dist_thr (float): PCKh threshold. Defaults to 0.5.

    Returns:
        dict: ``ap`` (:func:`posetrack_ap`) and ``mot``
        (:func:`clear_mot_summary`), each also with ``groups``
        (poseval's Head / Shou / ... columns).
    """
    ap = posetrack_ap(videos, joint_names, dist_thr)
    mot = posetrack_mota(videos, joint_names, dist_thr)
    ap['groups'] = group_means(ap['AP'])
    mot['groups'] = group_means(mot['MOTA'])
    return dict(ap=ap, mot=mot)
