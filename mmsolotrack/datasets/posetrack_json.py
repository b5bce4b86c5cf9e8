# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Reading and writing the PoseTrack 2018 json format.

A PoseTrack 2018 file (officially one per video) holds::

    images:      [{id, vid_id, frame_id, file_name, is_labeled, nframes,
                   [ignore_regions_x, ignore_regions_y]}, ...]
    annotations: [{id, image_id, track_id, category_id: 1,
                   keypoints: [x, y, v] * K, bbox_head: [x, y, w, h],
                   bbox: [x, y, w, h], [scores: [s] * K]}, ...]
    categories:  [{id: 1, name: 'person', keypoints: [K names],
                   skeleton: [[a, b], ...] (1-based)}]

Keypoints are the 17 slots of ``POSETRACK18_KEYPOINTS`` (the ears are
never annotated). ``v`` follows the COCO convention that PoseTrack's files
share: 0 not annotated (written as ``0, 0, 0``), > 0 annotated; the
official evaluation treats a keypoint as absent only when ``x == y == v ==
0``. Results for the official evaluation (poseval) use the same layout, one
file per GT video with the GT's ``images`` and ``categories``, and per
predicted person ``keypoints``, ``scores`` (one per keypoint) and
``track_id``.
"""
import json
import os
import os.path as osp
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Union

import numpy as np

#: The 17 keypoint slots of PoseTrack 2018, in file order.
POSETRACK18_KEYPOINTS = ('nose', 'head_bottom', 'head_top', 'left_ear',
                         'right_ear', 'left_shoulder', 'right_shoulder',
                         'left_elbow', 'right_elbow', 'left_wrist',
                         'right_wrist', 'left_hip', 'right_hip', 'left_knee',
                         'right_knee', 'left_ankle', 'right_ankle')
#: PoseTrack 2018's skeleton (1-based keypoint indices, as in its files).
POSETRACK18_SKELETON = ((16, 14), (14, 12), (17, 15), (15, 13), (12, 13), (6,
                                                                           12),
                        (7, 13), (6, 7), (6, 8), (7, 9), (8, 10), (9, 11),
                        (2, 3), (1, 2), (1, 3), (2, 4), (3, 5), (4, 6), (5, 7))

_IMAGE_KEYS = ('id', 'vid_id', 'frame_id')
_ANNOTATION_KEYS = ('image_id', 'keypoints')


class PoseTrackFormatError(ValueError):
    """A PoseTrack json lacks a key or holds a malformed value."""


def posetrack18_categories(
        keypoints: Sequence[str] = POSETRACK18_KEYPOINTS,
        skeleton: Sequence[Sequence[int]] = POSETRACK18_SKELETON) -> list:
    """The ``categories`` entry: one 'person' category."""
    return [
        dict(
            supercategory='person',
            id=1,
            name='person',
            keypoints=list(keypoints),
            skeleton=[list(pair) for pair in skeleton])
    ]


def _need(entry: dict, keys: Sequence[str], what: str, source: str) -> None:
    for key in keys:
        if key not in entry:
            ident = f' {entry["id"]}' if 'id' in entry else ''
            raise PoseTrackFormatError(
                f'{source}: {what}{ident} has no {key!r} (keys: '
                f'{sorted(entry)})')


def check_posetrack18(data: dict, source: str = '<dict>') -> int:
    """Validate a PoseTrack 2018 dict; return the keypoints per person K.

    Raises:
        PoseTrackFormatError: naming ``source`` and the missing key or the
            malformed value.
    """
    if not isinstance(data, dict):
        raise PoseTrackFormatError(f'{source}: a PoseTrack 2018 json is a '
                                   f'dict, got {type(data).__name__}')
    for key in ('images', 'annotations', 'categories'):
        if key not in data:
            raise PoseTrackFormatError(
                f'{source}: no {key!r} (keys: {sorted(data)}); is this a '
                'PoseTrack 2018 json?')
    if len(data['categories']
           ) != 1 or 'keypoints' not in data['categories'][0]:
        raise PoseTrackFormatError(
            f'{source}: categories must be one person category with '
            "'keypoints' (its keypoint names)")
    num_keypoints = len(data['categories'][0]['keypoints'])
    image_ids = set()
    for image in data['images']:
        _need(image, _IMAGE_KEYS, 'image', source)
        image_ids.add(image['id'])
    for ann in data['annotations']:
        _need(ann, _ANNOTATION_KEYS, 'annotation', source)
        if ann['image_id'] not in image_ids:
            raise PoseTrackFormatError(
                f'{source}: annotation {ann.get("id")} has image_id '
                f'{ann["image_id"]}, which no image has')
        if len(ann['keypoints']) != 3 * num_keypoints:
            raise PoseTrackFormatError(
                f'{source}: annotation {ann.get("id")} has '
                f'{len(ann["keypoints"])} keypoint values, expected 3 x '
                f'{num_keypoints} ([x, y, v] per category keypoint)')
        if 'scores' in ann and len(ann['scores']) != num_keypoints:
            raise PoseTrackFormatError(
                f'{source}: annotation {ann.get("id")} has '
                f'{len(ann["scores"])} scores, expected {num_keypoints}')
    return num_keypoints


def load_json(path: str) -> dict:
    """A json file, with its path in the error when it is not json."""
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except json.JSONDecodeError as err:
        raise PoseTrackFormatError(f'{path}: not valid json ({err})') from err


def split_videos(data: dict, source: str = '<dict>') -> List[dict]:
    """Group a PoseTrack 2018 dict by video.

    Returns:
        list[dict]: per ``vid_id`` (in order of appearance): ``vid_id``,
        ``source``, ``keypoint_names``, and ``frames`` sorted by
        ``frame_id``, each ``image`` (the image entry) and ``people`` (its
        annotations).
    """
    check_posetrack18(data, source)
    names = list(data['categories'][0]['keypoints'])
    people = defaultdict(list)
    for ann in data['annotations']:
        people[ann['image_id']].append(ann)
    videos: Dict[str, dict] = {}
    for image in data['images']:
        video = videos.setdefault(
            str(image['vid_id']),
            dict(
                vid_id=str(image['vid_id']),
                source=source,
                keypoint_names=names,
                frames=[]))
        video['frames'].append(dict(image=image, people=people[image['id']]))
    for video in videos.values():
        video['frames'].sort(key=lambda f: f['image']['frame_id'])
    return list(videos.values())


def read_posetrack18(path: str) -> List[dict]:
    """Read a PoseTrack 2018 json file, or every ``*.json`` of a folder.

    Returns:
        list[dict]: videos as :func:`split_videos` gives them.
    """
    if osp.isdir(path):
        files = sorted(
            osp.join(path, n) for n in os.listdir(path) if n.endswith('.json'))
        if not files:
            raise FileNotFoundError(f'{path}: no .json file in this folder')
    elif osp.isfile(path):
        files = [path]
    else:
        raise FileNotFoundError(f'{path}: no such PoseTrack json or folder')
    return [v for f in files for v in split_videos(load_json(f), f)]


def keypoint_array(ann: dict) -> np.ndarray:
    """``keypoints`` of an annotation as a (K, 3) float64 array."""
    return np.asarray(ann['keypoints'], np.float64).reshape(-1, 3)


def dump_json(obj, path: str) -> None:
    """Write json, making the folder if needed."""
    if osp.dirname(path):
        os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(obj, f)


def prediction_annotation(image_id: int,
                          track_id: int,
                          keypoints,
                          scores,
                          ann_id: int,
                          score: Optional[float] = None) -> dict:
    """One predicted person in the result format.

    Args:
        image_id (int): Its image.
        track_id (int): Its track.
        keypoints (array-like): (K, 2) positions; a row of NaN is an
            unpredicted keypoint (written as ``0, 0, 0``).
        scores (array-like): (K, ) keypoint scores.
        ann_id (int): Annotation id.
        score (float, optional): Person score.
    """
    kpts = np.asarray(keypoints, np.float64).reshape(-1, 2)
    flat = []
    for x, y in kpts:
        flat += [0.0, 0.0, 0] if np.isnan(x) or np.isnan(y) else [
            float(x), float(y), 1
        ]
    ann = dict(
        id=int(ann_id),
        image_id=int(image_id),
        track_id=int(track_id),
        category_id=1,
        keypoints=flat,
        scores=[float(s) for s in np.asarray(scores).reshape(-1)])
    if score is not None:
        ann['score'] = float(score)
    return ann


def write_posetrack_results(out_dir: str, gt_videos: Sequence[dict],
                            predictions: Dict[int, List[dict]]) -> List[str]:
    """Write results as poseval reads them: one json per GT video.

    Each file repeats the GT video's ``images`` and ``categories`` and holds
    the predicted people of its images. A video is named after its GT file
    when that file holds only it, else ``<vid_id>.json``.

    Args:
        out_dir (str): Output folder.
        gt_videos (Sequence[dict]): from :func:`read_posetrack18` (or
            :func:`split_videos`).
        predictions (dict[int, list[dict]]): image id -> its people as
            :func:`prediction_annotation` writes them.

    Returns:
        list[str]: the written paths.
    """
    per_source = defaultdict(int)
    for video in gt_videos:
        per_source[video['source']] += 1
    paths = []
    for video in gt_videos:
        name = (
            osp.basename(video['source']) if per_source[video['source']] == 1
            and video['source'].endswith('.json') else
            f'{video["vid_id"]}.json')
        images = [frame['image'] for frame in video['frames']]
        anns = [
            a for image in images for a in predictions.get(image['id'], [])
        ]
        path = osp.join(out_dir, name)
        dump_json(
            dict(
                images=images,
                annotations=anns,
                categories=posetrack18_categories(video['keypoint_names'])),
            path)
        paths.append(path)
    return paths


def predictions_by_image(
        results: Union[str, Sequence[dict]]) -> Dict[int, List[dict]]:
    """Image id -> predicted people, from result files or videos.

    Args:
        results (str | Sequence[dict]): a result json / folder, or videos
            from :func:`read_posetrack18`.
    """
    videos = read_posetrack18(results) if isinstance(results, str) else results
    out: Dict[int, List[dict]] = defaultdict(list)
    for video in videos:
        for frame in video['frames']:
            out[frame['image']['id']].extend(frame['people'])
    return dict(out)
