# Copyright (c) mmsolotrack contributors. All rights reserved.
"""PoseTrack 2018 jsons (SynthPose, or the official per-video files) as an
mmpose bottom-up dataset: one item per annotated frame.

For training, frames are independent still images: the track ids in the
files are never read. For testing, items come video by video, frames in
order, each with ``frame_idx`` (its index among the video's frames; 0
starts a new video for the tracker) and ``img_id`` (the PoseTrack image id
that :class:`~mmsolotrack.evaluation.PoseTrackMetric` pairs results by).
"""
import os.path as osp
from typing import List, Tuple

import mmpose
import numpy as np
from mmpose.datasets.datasets.base import BaseCocoStyleDataset

from mmsolotrack.registry import DATASETS
from .posetrack_json import read_posetrack18

#: mmpose's PoseTrack 2018 meta information (keypoints, sigmas, flips).
POSETRACK18_METAINFO = osp.join(
    osp.dirname(mmpose.__file__), '.mim', 'configs', '_base_', 'datasets',
    'posetrack18.py')


@DATASETS.register_module()
class PoseTrackImageDataset(BaseCocoStyleDataset):
    """Frames of PoseTrack 2018 jsons for mmpose's bottom-up pipelines.

    Args:
        ann_file (str): A PoseTrack 2018 json, or a folder of them (one per
            video), relative to ``data_root``.
        data_prefix (dict): ``img``: the folder that the files' image
            ``file_name`` is relative to. Defaults to ``data_root``.
        labeled_only (bool): Keep only frames with ``is_labeled`` true (all
            SynthPose frames are). Defaults to True.
        **kwargs: As for mmpose's ``BaseCocoStyleDataset``; ``data_mode``
            defaults to ``'bottomup'``.
    """

    METAINFO: dict = dict(from_file=POSETRACK18_METAINFO)

    def __init__(self,
                 ann_file: str = '',
                 labeled_only: bool = True,
                 data_mode: str = 'bottomup',
                 **kwargs) -> None:
        self.labeled_only = labeled_only
        super().__init__(ann_file=ann_file, data_mode=data_mode, **kwargs)

    def _load_annotations(self) -> Tuple[List[dict], List[dict]]:
        """(instances, images) in mmpose's layout, video by video."""
        instance_list, image_list = [], []
        self._frame_index = {}
        for video in read_posetrack18(self.ann_file):
            frames = [
                f for f in video['frames']
                if f['image'].get('is_labeled', True) or not self.labeled_only
            ]
            for idx, frame in enumerate(frames):
                image = dict(frame['image'])
                image.setdefault('width', np.inf)  # official files: no size
                image.setdefault('height', np.inf)
                image.update(
                    img_id=image['id'],
                    img_path=osp.join(self.data_prefix['img'],
                                      image['file_name']))
                self._frame_index[image['id']] = (len(image_list), idx)
                image_list.append(image)
                for ann in frame['people']:
                    ann = dict(ann, category_id=ann.get('category_id', 1))
                    if 'bbox' not in ann:
                        ann['bbox'] = _keypoint_box(ann['keypoints'])
                    info = self.parse_data_info(
                        dict(raw_ann_info=ann, raw_img_info=image))
                    if info:
                        instance_list.append(info)
        return instance_list, image_list

    def _get_bottomup_data_infos(self, instance_list: List[dict],
                                 image_list: List[dict]) -> List[dict]:
        """mmpose's per-image grouping, in video / frame order, each item
        with ``frame_idx``."""
        data_list = super()._get_bottomup_data_infos(instance_list,
                                                     image_list)
        for info in data_list:
            info['frame_idx'] = self._frame_index[info['img_id']][1]
        return sorted(data_list,
                      key=lambda i: self._frame_index[i['img_id']][0])


def _keypoint_box(keypoints: list) -> list:
    """xywh box of the annotated keypoints (for files without ``bbox``)."""
    kpts = np.asarray(keypoints, np.float32).reshape(-1, 3)
    kpts = kpts[kpts[:, 2] > 0]
    if len(kpts) == 0:
        return [0., 0., 0., 0.]
    x0, y0 = kpts[:, :2].min(0)
    x1, y1 = kpts[:, :2].max(0)
    return [float(x0), float(y0), float(x1 - x0), float(y1 - y0)]
