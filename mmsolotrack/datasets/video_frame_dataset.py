# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Frames of annotated videos, read as independent still images."""
import os.path as osp
from typing import List

from mmdet.datasets import CocoDataset
from mmengine.fileio import get_local_path, load

from mmsolotrack.registry import DATASETS
from .annotation_checks import CheckedCOCO
from .unreadable_images import SkipUnreadableImagesMixin

#: Keys of a CocoVID annotation file this dataset needs.
REQUIRED_KEYS = ('images', 'annotations', 'categories')


def _missing_keys_error(ann_file: str, missing: list) -> KeyError:
    return KeyError(f'{ann_file}: annotation file lacks the key(s) {missing}; '
                    f'a CocoVID json needs {REQUIRED_KEYS} (convert official '
                    'YouTube-VIS / OVIS files with tools/dataset_converters/'
                    'youtubevis2coco.py).')


def _missing_file_error(ann_file: str) -> FileNotFoundError:
    """The annotation file does not exist: say which command makes it."""
    if 'synthvis' in osp.basename(ann_file):
        root = osp.dirname(osp.dirname(ann_file)) or '.'
        how = ('generate SynthVIS with:  python -m '
               f'mmsolotrack.datasets.synthvis --out {root}')
    else:
        how = ('convert the official YouTube-VIS / OVIS json with '
               'tools/dataset_converters/youtubevis2coco.py, or check '
               'data_root / ann_file in the config')
    return FileNotFoundError(
        f'annotation file {ann_file} does not exist; {how}')


class CheckedCocoVID(CheckedCOCO):
    """mmdet's COCO api that refuses a json without the CocoVID keys, or
    with incomplete image / annotation records (checked before indexing)."""

    def check(self) -> None:
        missing = [k for k in REQUIRED_KEYS if k not in self.dataset]
        if missing:
            raise _missing_keys_error(self.ann_file, missing)
        super().check()


@DATASETS.register_module()
class VideoFrameDataset(SkipUnreadableImagesMixin, CocoDataset):
    """Frames of a CocoVID json (YouTube-VIS, OVIS, SynthVIS) as still images.

    Every frame is an independent image: instance identities (``instance_id``)
    are never parsed, so no identity link between frames can reach the model.
    This is the labelled-image source of the image-level contrastive training.
    In training, an image ``LoadCheckedImageFromFile`` cannot read is skipped
    and counted (:class:`SkipUnreadableImagesMixin`).

    Args:
        frame_interval (int): Keep every ``frame_interval``-th frame of each
            video (by position in the json). Defaults to 1 (all frames).
        *args, **kwargs: As for :class:`mmdet.datasets.CocoDataset`. When
            ``metainfo['classes']`` is not given, the categories of the json
            are used, in id order.
    """

    METAINFO = dict(classes=(), palette=None)
    COCOAPI = CheckedCocoVID

    def __init__(self, *args, frame_interval: int = 1, **kwargs) -> None:
        if frame_interval < 1:
            raise ValueError(
                f'frame_interval must be >= 1, got {frame_interval}')
        self.frame_interval = frame_interval
        super().__init__(*args, **kwargs)

    def _read_json(self) -> dict:
        with get_local_path(
                self.ann_file, backend_args=self.backend_args) as path:
            ann = load(path)
        if not isinstance(ann, dict):
            raise ValueError(f'{self.ann_file}: expected a json object with '
                             f'keys {REQUIRED_KEYS}, got {type(ann).__name__}')
        missing = [k for k in REQUIRED_KEYS if k not in ann]
        if missing:
            raise _missing_keys_error(self.ann_file, missing)
        return ann

    def load_data_list(self) -> List[dict]:
        if '://' not in self.ann_file and not osp.isfile(self.ann_file):
            raise _missing_file_error(self.ann_file)
        if not self._metainfo.get('classes'):
            cats = sorted(self._read_json()['categories'],
                          key=lambda c: c['id'])
            self._metainfo['classes'] = tuple(c['name'] for c in cats)
        data_list = super().load_data_list()
        if self.frame_interval > 1:
            data_list = data_list[::self.frame_interval]
        return data_list

    def parse_data_info(self, raw_data_info: dict) -> dict:
        data_info = super().parse_data_info(raw_data_info)
        # CocoDataset only copies bbox/label/mask/ignore: identities are
        # already gone. Make that explicit so a future parent cannot leak them.
        for inst in data_info.get('instances', []):
            inst.pop('instance_id', None)
        return data_info
