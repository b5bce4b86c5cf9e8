# Copyright (c) mmsolotrack contributors. All rights reserved.
"""From PoseTrack 2018 json entries to the arrays of :mod:`.posetrack_eval`.

Which frames count and which points are kept follows poseval: a frame is
evaluated when it has at least one GT person; a keypoint is present unless
``x == y == v == 0``; points strictly inside an ignore region are dropped
from GT and predictions, and in frames with ignore regions people left
without points are dropped.
"""
from typing import Dict, List, Sequence

import cv2
import numpy as np

from mmsolotrack.datasets.posetrack_json import (PoseTrackFormatError,
                                                 keypoint_array)
from .posetrack_eval import MIN_SCORE, POSETRACK_JOINTS, head_size


def joint_columns(keypoint_names: Sequence[str], joint_names: Sequence[str],
                  source: str) -> np.ndarray:
    """Index of each evaluated joint among the file's keypoints.

    Raises:
        PoseTrackFormatError: a joint is not among ``keypoint_names``.
    """
    missing = [n for n in joint_names if n not in keypoint_names]
    if missing:
        raise PoseTrackFormatError(
            f"{source}: categories[0]['keypoints'] lacks {missing} (has "
            f'{list(keypoint_names)})')
    return np.array([list(keypoint_names).index(n) for n in joint_names])


def ignore_polygons(image: dict) -> List[np.ndarray]:
    """(N, 2) float32 polygons of ``ignore_regions_x`` / ``_y``."""
    xs, ys = image.get('ignore_regions_x',
                       []), image.get('ignore_regions_y', [])
    return [
        np.stack([np.asarray(x, np.float32),
                  np.asarray(y, np.float32)],
                 axis=1) for x, y in zip(xs, ys) if len(x) >= 3
    ]


def _inside_any(xy: np.ndarray, polygons: List[np.ndarray]) -> np.ndarray:
    """(N, ) bool: strictly inside one of the polygons."""
    out = np.zeros(len(xy), bool)
    for poly in polygons:
        contour = poly.reshape(-1, 1, 2)
        out |= np.array([
            cv2.pointPolygonTest(contour, (float(x), float(y)), False) > 0
            for x, y in xy
        ], bool)
    return out


def people_arrays(people: Sequence[dict], columns: np.ndarray,
                  polygons: List[np.ndarray], source: str,
                  is_gt: bool) -> dict:
    """Arrays of the people of one frame (GT or predictions).

    Returns:
        dict: ``xy`` (N, J, 2), ``has`` (N, J) bool, ``ids`` (N, ), and
        ``head_sizes`` (N, ) for GT or ``scores`` (N, J) for predictions.
    """
    kind = 'GT' if is_gt else 'predicted'
    xy, has, ids, extra = [], [], [], []
    for ann in people:
        if 'track_id' not in ann:
            raise PoseTrackFormatError(
                f'{source}: {kind} annotation {ann.get("id")} (image '
                f'{ann["image_id"]}) has no \'track_id\'')
        kpts = keypoint_array(ann)[columns]
        present = ~np.all(kpts == 0, axis=1)
        if polygons:
            present &= ~_inside_any(kpts[:, :2], polygons)
            if not present.any():
                continue
        if is_gt:
            if 'bbox_head' not in ann:
                raise PoseTrackFormatError(
                    f'{source}: GT annotation {ann.get("id")} (image '
                    f"{ann['image_id']}) has no 'bbox_head' (the head box "
                    'gives the PCKh reference length)')
            size = head_size(ann['bbox_head'])
            if not size > 0:
                raise PoseTrackFormatError(
                    f'{source}: GT annotation {ann.get("id")} has an empty '
                    f"'bbox_head' {ann['bbox_head']}")
            extra.append(size)
        else:
            scores = ann.get('scores')
            extra.append(
                np.full(len(columns), MIN_SCORE) if scores is
                None else np.asarray(scores, np.float64)[columns])
        xy.append(kpts[:, :2])
        has.append(present)
        ids.append(int(ann['track_id']))
    num_joints = len(columns)
    out = dict(
        xy=np.array(xy, np.float64).reshape(-1, num_joints, 2),
        has=np.array(has, bool).reshape(-1, num_joints),
        ids=np.array(ids, np.int64))
    if is_gt:
        out['head_sizes'] = np.array(extra, np.float64)
    else:
        out['scores'] = np.array(extra, np.float64).reshape(-1, num_joints)
    return out


def posetrack_frames(gt_videos: Sequence[dict],
                     predictions: Dict[int, List[dict]],
                     joint_names: Sequence[str] = POSETRACK_JOINTS,
                     pred_keypoint_names: Sequence[str] = None) -> list:
    """The evaluated frames of every GT video, as arrays.

    Args:
        gt_videos (Sequence[dict]): from
            :func:`mmsolotrack.datasets.posetrack_json.read_posetrack18`.
        predictions (dict[int, list[dict]]): image id -> predicted people
            (result-format annotations); images without an entry have none.
        joint_names (Sequence[str]): joints to evaluate. Defaults to
            PoseTrack's 15.
        pred_keypoint_names (Sequence[str], optional): keypoint order of the
            predictions. Defaults to the GT file's.

    Returns:
        list[list[dict]]: per video its evaluated frames in ``frame_id``
        order, as :func:`.posetrack_eval.match_pose_frame` takes them (plus
        ``image_id``).
    """
    videos = []
    for video in gt_videos:
        source = video['source']
        gt_cols = joint_columns(video['keypoint_names'], joint_names, source)
        pred_cols = joint_columns(
            pred_keypoint_names or video['keypoint_names'], joint_names,
            'predictions')
        frames = []
        for frame in video['frames']:
            if not frame['people']:
                continue  # poseval drops frames without GT people
            image = frame['image']
            polygons = ignore_polygons(image)
            gt = people_arrays(frame['people'], gt_cols, polygons, source,
                               True)
            pred = people_arrays(
                predictions.get(image['id'], []), pred_cols, polygons,
                f'predictions for image {image["id"]}', False)
            frames.append(
                dict(
                    image_id=image['id'],
                    gt_xy=gt['xy'],
                    gt_has=gt['has'],
                    gt_ids=gt['ids'],
                    gt_head_sizes=gt['head_sizes'],
                    pred_xy=pred['xy'],
                    pred_has=pred['has'],
                    pred_ids=pred['ids'],
                    pred_scores=pred['scores']))
        videos.append(frames)
    return videos
