# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Does identity matter? Box-IoU versus appearance association of the GT.

For every pair of consecutive annotated frames of a video, the people of
the first frame are assigned to those of the second (Hungarian) by

- ``box_iou``: IoU of their ``bbox``; pairs with IoU <= ``min_iou`` are not
  linked (what an IoU tracker does), or
- ``appearance``: colour at the visible keypoints (mean of a 3 x 3 patch at
  each keypoint with v = 2, compared joint by joint where both show it,
  else by the mean colour),

and a person present in both frames is linked right when it is assigned to
itself. Only the files are read: what a tracker could see.
"""
import os.path as osp
from typing import List

import cv2
import numpy as np
from scipy.optimize import linear_sum_assignment

from ..posetrack_json import keypoint_array, read_posetrack18


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of (N, 4) and (M, 4) ``[x, y, w, h]`` boxes: (N, M)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    lo = np.maximum(a[:, None, :2], b[None, :, :2])
    hi = np.minimum(a[:, None, :2] + a[:, None, 2:],
                    b[None, :, :2] + b[None, :, 2:])
    inter = np.prod(np.clip(hi - lo, 0, None), axis=2)
    union = (
        np.prod(a[:, 2:], axis=1)[:, None] + np.prod(b[:, 2:], axis=1)[None] -
        inter)
    return inter / np.maximum(union, 1e-9)


def keypoint_colours(image: np.ndarray, ann: dict) -> np.ndarray:
    """(K, 3) mean colour around each visible keypoint, NaN elsewhere."""
    kpts = keypoint_array(ann)
    height, width = image.shape[:2]
    out = np.full((len(kpts), 3), np.nan)
    for k, (x, y, v) in enumerate(kpts):
        if v != 2:
            continue
        x, y = int(x), int(y)
        patch = image[max(y - 1, 0):min(y + 2, height),
                      max(x - 1, 0):min(x + 2, width)]
        out[k] = patch.reshape(-1, 3).mean(axis=0)
    return out


def appearance_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Distance of two (K, 3) keypoint colour descriptors."""
    both = ~np.isnan(a[:, 0]) & ~np.isnan(b[:, 0])
    if both.any():
        return float(np.linalg.norm(a[both] - b[both], axis=1).mean())
    return float(np.linalg.norm(np.nanmean(a, axis=0) - np.nanmean(b, axis=0)))


def _right_links(ids_a: List[int], ids_b: List[int], score: np.ndarray,
                 min_score: float) -> int:
    """People of both frames that a maximum-score assignment links to
    themselves."""
    rows, cols = linear_sum_assignment(-score)
    match = {
        ids_a[r]: ids_b[c]
        for r, c in zip(rows, cols) if score[r, c] > min_score
    }
    return sum(match.get(i) == i for i in set(ids_a) & set(ids_b))


def link_accuracy(root: str, split: str = 'val', min_iou: float = 0.1) -> dict:
    """Consecutive-frame association accuracy of a SynthPose split.

    Args:
        root (str): The data set folder.
        split (str): An annotated split. Defaults to 'val'.
        min_iou (float): Box-IoU links need IoU > this. Defaults to 0.1.

    Returns:
        dict: ``box_iou`` and ``appearance`` (fractions of right links) and
        ``links`` (people present in two consecutive frames).
    """
    right = dict(box_iou=0, appearance=0)
    links = 0
    for video in read_posetrack18(osp.join(root, 'annotations', split)):
        frames = video['frames']
        colours = []
        for frame in frames:
            image = cv2.imread(osp.join(root, frame['image']['file_name']))
            if image is None:
                raise FileNotFoundError(
                    f'{video["source"]}: cannot read '
                    f'{frame["image"]["file_name"]} under {root}')
            image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB).astype(float)
            colours.append(
                [keypoint_colours(image, p) for p in frame['people']])
        for t in range(len(frames) - 1):
            a, b = frames[t]['people'], frames[t + 1]['people']
            ids_a = [p['track_id'] for p in a]
            ids_b = [p['track_id'] for p in b]
            common = set(ids_a) & set(ids_b)
            if not common:
                continue
            links += len(common)
            iou = box_iou([p['bbox'] for p in a], [p['bbox'] for p in b])
            right['box_iou'] += _right_links(ids_a, ids_b, iou, min_iou)
            similarity = -np.array(
                [[appearance_distance(ca, cb) for cb in colours[t + 1]]
                 for ca in colours[t]])
            right['appearance'] += _right_links(ids_a, ids_b, similarity,
                                                -np.inf)
    return dict(
        box_iou=right['box_iou'] / max(links, 1),
        appearance=right['appearance'] / max(links, 1),
        links=links)
