# Copyright (c) mmsolotrack contributors. All rights reserved.
"""mmdet's video dataset with its CocoVID json checked where loading starts."""
import os.path as osp
from typing import List

from mmdet.datasets import YouTubeVISDataset
from mmengine.fileio import get_local_path, load

from mmsolotrack.registry import DATASETS
from .annotation_checks import IMAGE_KEYS, check_instance_annotations
from .video_frame_dataset import _missing_file_error

#: What mmdet's ``BaseVideoDataset`` and the VIS test loop read of every
#: image: a frame without ``video_id`` silently becomes a video of its own,
#: one without ``frame_id`` cannot reset the tracker at a video's start.
VIDEO_IMAGE_KEYS = IMAGE_KEYS + ('video_id', 'frame_id')
#: Top-level keys of the CocoVID json (``annotations`` may be absent or
#: empty: the official val / test splits have none).
VIDEO_REQUIRED_KEYS = ('videos', 'images', 'categories')


@DATASETS.register_module()
class CheckedYouTubeVISDataset(YouTubeVISDataset):
    """mmdet's ``YouTubeVISDataset`` (one item = one whole video) that
    checks its CocoVID json before mmdet parses it.

    mmdet reads ``bbox``, ``area``, ``file_name``... deep in
    ``parse_data_info`` (a bare ``KeyError: 'bbox'``), and an annotation
    without a usable ``segmentation`` only fails in the pipeline, as
    ``KeyError: 'mask'``. Here a missing annotation file says how to make
    it, a json without :data:`VIDEO_REQUIRED_KEYS` names them, and an
    incomplete image (:data:`VIDEO_IMAGE_KEYS`) or annotation record raises
    :class:`~mmsolotrack.datasets.annotation_checks.AnnotationFileError`
    naming the file, the record's id and the key. The json is read once
    more for the check.

    Args:
        *args, **kwargs: As for :class:`mmdet.datasets.YouTubeVISDataset`.
    """

    def load_data_list(self) -> List[dict]:
        if '://' not in self.ann_file and not osp.isfile(self.ann_file):
            raise _missing_file_error(self.ann_file)
        with get_local_path(
                self.ann_file, backend_args=self.backend_args) as path:
            ann = load(path)
        if not isinstance(ann, dict):
            raise ValueError(f'{self.ann_file}: expected a CocoVID json '
                             f'object with keys {VIDEO_REQUIRED_KEYS}, got '
                             f'{type(ann).__name__}')
        missing = [k for k in VIDEO_REQUIRED_KEYS if k not in ann]
        if missing:
            raise KeyError(
                f'{self.ann_file}: annotation file lacks the key(s) '
                f'{missing}; a CocoVID json needs {VIDEO_REQUIRED_KEYS} '
                '(convert official YouTube-VIS / OVIS files with '
                'tools/dataset_converters/youtubevis2coco.py).')
        check_instance_annotations(ann, self.ann_file, VIDEO_IMAGE_KEYS)
        del ann
        return super().load_data_list()
