# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Check a COCO / CocoVID instance json once, where loading starts.

mmdet reads ``ann['bbox']``, ``ann['area']``, ``img_info['file_name']`` and
so on deep inside ``parse_data_info`` (and an annotation without a usable
``segmentation`` only fails in the pipeline, as ``KeyError: 'mask'``), with
no word about the file or the record. :func:`check_instance_annotations`
names the file, the record and the key instead.
"""
from typing import List, Sequence

from mmdet.datasets.api_wrappers import COCO

__all__ = [
    'AnnotationFileError', 'IMAGE_KEYS', 'ANNOTATION_KEYS', 'CheckedCOCO',
    'check_instance_annotations'
]

#: What mmdet's ``CocoDataset`` / ``BaseVideoDataset`` read of every image
IMAGE_KEYS = ('id', 'file_name', 'width', 'height')
#: ... and of every annotation (``segmentation`` must also be non-empty).
ANNOTATION_KEYS = ('id', 'image_id', 'category_id', 'bbox', 'area',
                   'segmentation')

#: How many faulty records a message lists.
_SHOW = 5


class AnnotationFileError(ValueError):
    """An image or annotation record of an annotation file is incomplete."""


def _image_problems(images: list, keys: Sequence[str]) -> List[str]:
    problems = []
    for index, img in enumerate(images):
        name = f'image {img.get("id", f"#{index} (no id)")}'
        problems += [f'{name} has no {key!r}' for key in keys
                     if key not in img]
    return problems


def _annotation_problems(annotations: list) -> List[str]:
    problems = []
    for index, ann in enumerate(annotations):
        name = (f'annotation {ann.get("id", f"#{index} (no id)")} (image '
                f'{ann.get("image_id", "?")})')
        missing = [key for key in ANNOTATION_KEYS if key not in ann]
        problems += [f'{name} has no {key!r}' for key in missing]
        if 'segmentation' not in missing and not ann['segmentation']:
            problems.append(f"{name} has an empty 'segmentation'")
        bbox = ann.get('bbox')
        if 'bbox' not in missing and not (isinstance(bbox, (list, tuple))
                                          and len(bbox) == 4):
            problems.append(f"{name} has 'bbox' {bbox!r}, not [x, y, w, h]")
    return problems


def check_instance_annotations(dataset: dict, ann_file: str,
                               image_keys: Sequence[str] = IMAGE_KEYS
                               ) -> None:
    """Refuse a json whose image or annotation records lack what mmdet reads.

    Args:
        dataset (dict): The loaded json (``images`` and ``annotations``
            lists; absent lists are not checked here).
        ann_file (str): Its file name, for the message.
        image_keys (Sequence[str]): The keys every image needs. Defaults to
            :data:`IMAGE_KEYS`.

    Raises:
        AnnotationFileError: Lists the first faulty records (image or
            annotation id and key) and how many there are.
    """
    problems = _image_problems(dataset.get('images') or [], image_keys)
    problems += _annotation_problems(dataset.get('annotations') or [])
    if problems:
        more = (f' (and {len(problems) - _SHOW} more)'
                if len(problems) > _SHOW else '')
        raise AnnotationFileError(
            f'{ann_file}: {len(problems)} problems in its image / annotation '
            f'records: {"; ".join(problems[:_SHOW])}{more}. Every image needs '
            f'{tuple(image_keys)}, every annotation {ANNOTATION_KEYS} with a '
            'non-empty segmentation (polygons or RLE).')


class CheckedCOCO(COCO):
    """mmdet's COCO api that checks the records before indexing them.

    (pycocotools' ``createIndex`` itself reads ``id`` / ``image_id``.)
    """

    def __init__(self, annotation_file: str) -> None:
        self.ann_file = annotation_file
        super().__init__(annotation_file)

    def check(self) -> None:
        """Raise :class:`AnnotationFileError` for an incomplete record."""
        check_instance_annotations(self.dataset, self.ann_file)

    def createIndex(self) -> None:  # noqa: N802 - pycocotools' name
        self.check()
        super().createIndex()
