# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Annotation files with one record spoilt, for the tests of the datasets
that check their json (each must name the file, the record and the key)."""
import json
from typing import Callable

__all__ = ['INCOMPLETE_RECORDS', 'drop_key', 'empty_key', 'write_spoilt_json']


def drop_key(record: dict, key: str) -> None:
    """Spoil ``record`` by removing ``key``."""
    record.pop(key)


def empty_key(record: dict, key: str) -> None:
    """Spoil ``record`` by emptying ``key`` (e.g. a segmentation)."""
    record[key] = []


#: (where, key, spoil, what the error says) that every checked CocoVID /
#: COCO dataset must name; a test adds the keys its own dataset reads.
INCOMPLETE_RECORDS = [
    ('annotations', 'bbox', drop_key, "has no 'bbox'"),
    ('annotations', 'segmentation', drop_key, "has no 'segmentation'"),
    ('annotations', 'segmentation', empty_key, "has an empty 'segmentation'"),
    ('images', 'file_name', drop_key, "has no 'file_name'"),
]


def write_spoilt_json(src, dst, where: str, index: int, key: str,
                      spoil: Callable[[dict, str], None]) -> dict:
    """Copy the json ``src`` to ``dst`` with record ``index`` of its list
    ``where`` spoilt by ``spoil(record, key)``.

    Returns:
        dict: The spoilt record (its ``id`` / ``image_id`` for the message).
    """
    with open(src) as f:
        ann = json.load(f)
    record = ann[where][index]
    spoil(record, key)
    with open(dst, 'w') as f:
        json.dump(ann, f)
    return record
