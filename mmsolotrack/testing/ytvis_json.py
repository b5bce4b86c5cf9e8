# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Small official-layout YouTube-VIS jsons (and their JPEG frames) written
by tests, for the converter, the holdout split and the datasets.

The official layout has one ``annotations`` entry per instance track with
per-frame ``segmentations`` / ``bboxes`` / ``areas`` (None where the
instance is not visible). Frames are named as YouTube-VIS names them:
``vid<id>/<5 k:05d>.jpg``, every 5th video frame.
"""
import json
import os
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple

import cv2
import numpy as np
from pycocotools import mask as mask_utils

from .masks import box_mask, uncompressed_rle

__all__ = [
    'DEFAULT_CATEGORIES', 'frame_names', 'official_ytvis_json', 'write_json',
    'write_ytvis_frames'
]

#: Two YouTube-VIS 2019 classes: labels 0 and 1 of its class list.
DEFAULT_CATEGORIES = (dict(id=1, name='person', supercategory='object'),
                      dict(id=2, name='giant_panda', supercategory='object'))

#: A track: (video id, category id, {frame: (x, y, w, h) box}); its mask is
#: the box.
Track = Tuple[int, int, Dict[int, Tuple[int, int, int, int]]]


def frame_names(video_id: int, num_frames: int) -> list:
    """The ``file_names`` of a video: ``vid<id>/<5 k:05d>.jpg``."""
    return [f'vid{video_id}/{5 * k:05d}.jpg' for k in range(num_frames)]


def official_ytvis_json(videos: Dict[int, int],
                        tracks: Sequence[Track],
                        size: Tuple[int, int],
                        categories: Optional[Sequence[dict]] = None,
                        compressed_first: bool = True) -> dict:
    """An official train json.

    Args:
        videos (dict[int, int]): video id -> number of frames.
        tracks (Sequence[Track]): One annotation each, ids 100, 101, ...
        size (tuple[int, int]): (H, W) of every frame.
        categories (Sequence[dict], optional): Defaults to
            :data:`DEFAULT_CATEGORIES`.
        compressed_first (bool): Encode the first track's masks as
            compressed RLE (``counts`` a str), all others uncompressed
            (``counts`` a list), as 2019's train json mixes them.
            Defaults to True.

    Returns:
        dict: ``info``, ``licenses``, ``videos``, ``annotations``,
        ``categories``.
    """
    height, width = size
    official_videos = [
        dict(id=vid,
             width=width,
             height=height,
             length=n,
             file_names=frame_names(vid, n)) for vid, n in videos.items()
    ]
    annotations = []
    for k, (vid, cat, boxes) in enumerate(tracks):
        segms, bboxes, areas = [], [], []
        for t in range(videos[vid]):
            if t not in boxes:
                segms.append(None)
                bboxes.append(None)
                areas.append(None)
                continue
            x, y, w, h = boxes[t]
            mask = box_mask(height, width, x, y, x + w, y + h)
            if k == 0 and compressed_first:
                rle = mask_utils.encode(np.asfortranarray(mask, np.uint8))
                segm = dict(size=[height, width],
                            counts=rle['counts'].decode())
            else:
                segm = uncompressed_rle(mask)
            segms.append(segm)
            bboxes.append([float(v) for v in boxes[t]])
            areas.append(int(mask.sum()))
        annotations.append(
            dict(id=100 + k,
                 video_id=vid,
                 category_id=cat,
                 iscrowd=0,
                 segmentations=segms,
                 bboxes=bboxes,
                 areas=areas,
                 width=width,
                 height=height,
                 length=1))
    return dict(
        info=dict(description='test'),
        licenses=[],
        videos=official_videos,
        annotations=annotations,
        categories=[dict(c) for c in (categories or DEFAULT_CATEGORIES)])


def write_json(obj: dict, path) -> None:
    """Write ``obj`` to ``path``, creating its folder."""
    os.makedirs(osp.dirname(str(path)), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(obj, f)


def write_ytvis_frames(img_root, videos: Dict[int, int],
                       size: Tuple[int, int]) -> None:
    """A flat grey JPEG per frame of each video under ``img_root``."""
    height, width = size
    for vid, n in videos.items():
        for k, name in enumerate(frame_names(vid, n)):
            path = osp.join(str(img_root), name)
            os.makedirs(osp.dirname(path), exist_ok=True)
            img = np.full((height, width, 3), 40 * k + 20, np.uint8)
            cv2.imwrite(path, img)
