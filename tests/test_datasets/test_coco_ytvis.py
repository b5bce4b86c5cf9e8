# Copyright (c) mmsolotrack contributors. All rights reserved.
"""COCO relabelled with the YouTube-VIS categories (CocoYTVISDataset)."""
import json
import os.path as osp

import numpy as np
import pytest
from mmdet.datasets import CocoDataset, YouTubeVISDataset
from mmengine.registry import init_default_scope

from mmsolotrack.datasets import CocoYTVISDataset
from mmsolotrack.datasets.coco_ytvis import (COCO_TO_YTVIS, COCO_YTVIS_NOTES,
                                             coco_ytvis_markdown)
from mmsolotrack.datasets.ovis_classes import OVIS_CLASSES
from mmsolotrack.datasets.ytvis_classes import YTVIS_CLASSES
from mmsolotrack.registry import DATASETS

from ..conftest import REPO

# COCO ids as in instances_train2017.json; listed out of id order on purpose.
CATEGORIES = [
    dict(id=74, name='mouse'),
    dict(id=1, name='person'),
    dict(id=20, name='sheep'),
    dict(id=3, name='car'),
    dict(id=34, name='frisbee'),
    dict(id=16, name='bird'),
]
# Hand-read from the official class lists (index = category id - 1).
PERSON_19, SEDAN_19 = 0, 5
PERSON_21, CAR_21, FLYING_DISC_21 = 25, 4, 13

H, W = 40, 60


def _ann(ann_id, img_id, cat_id, x, y, w, h, iscrowd=0):
    poly = [x, y, x + w, y, x + w, y + h, x, y + h]
    return dict(
        id=ann_id,
        image_id=img_id,
        category_id=cat_id,
        bbox=[x, y, w, h],
        area=w * h,
        segmentation=[poly],
        iscrowd=iscrowd)


@pytest.fixture
def coco_root(tmp_path):
    """Five 40 x 60 images and their COCO json:

    1: person + mouse; 2: car; 3: sheep + mouse; 4: frisbee; 5: bird + person.
    """
    import cv2
    images = [
        dict(id=i, file_name=f'{i:012d}.jpg', height=H, width=W)
        for i in range(1, 6)
    ]
    anns = [
        _ann(1, 1, 1, 2, 3, 10, 20),
        _ann(2, 1, 74, 30, 5, 8, 6),
        _ann(3, 2, 3, 5, 5, 30, 12),
        _ann(4, 3, 20, 1, 1, 20, 20),
        _ann(5, 3, 74, 25, 10, 5, 5),
        _ann(6, 4, 34, 10, 10, 12, 6),
        _ann(7, 5, 16, 0, 0, 9, 9),
        _ann(8, 5, 1, 20, 8, 15, 30),
    ]
    (tmp_path / 'images').mkdir()
    rng = np.random.default_rng(0)
    for img in images:
        cv2.imwrite(str(tmp_path / 'images' / img['file_name']),
                    rng.integers(0, 255, (H, W, 3), dtype=np.uint8))
    (tmp_path / 'instances.json').write_text(
        json.dumps(dict(images=images, annotations=anns,
                        categories=CATEGORIES)))
    return tmp_path


def _build(root, **kwargs):
    init_default_scope('mmsolotrack')
    cfg = dict(
        type='CocoYTVISDataset',
        data_root=str(root),
        ann_file='instances.json',
        data_prefix=dict(img='images/'),
        filter_cfg=dict(filter_empty_gt=True),
        pipeline=[],
    )
    cfg.update(kwargs)
    return DATASETS.build(cfg)


def _by_image(dataset):
    out = {}
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        out[info['img_id']] = [(inst['bbox_label'], inst['bbox'])
                               for inst in info['instances']]
    return out


def test_relabel_2019(coco_root):
    dataset = _build(coco_root, ytvis_version='2019')
    assert isinstance(dataset, CocoYTVISDataset)
    assert dataset.metainfo['classes'] == YTVIS_CLASSES['2019']
    # 3 (sheep + computer mouse) and 4 (frisbee: no 2019 class) are dropped
    assert _by_image(dataset) == {
        1: [(PERSON_19, [2, 3, 12, 23])],
        2: [(SEDAN_19, [5, 5, 35, 17])],
        5: [(PERSON_19, [20, 8, 35, 38])],  # bird dropped, person kept
    }


def test_relabel_2021(coco_root):
    dataset = _build(coco_root, ytvis_version='2021')
    assert dataset.metainfo['classes'] == YTVIS_CLASSES['2021']
    assert _by_image(dataset) == {
        1: [(PERSON_21, [2, 3, 12, 23])],
        2: [(CAR_21, [5, 5, 35, 17])],
        4: [(FLYING_DISC_21, [10, 10, 22, 16])],
        5: [(PERSON_21, [20, 8, 35, 38])],
    }


def test_filter_cfg_is_respected(coco_root):
    # without filter_empty_gt, images left empty stay as background
    kept = _by_image(_build(coco_root, filter_cfg=None))
    assert sorted(kept) == [1, 2, 3, 4, 5]
    assert kept[3] == [] and kept[4] == []
    assert _by_image(_build(coco_root, test_mode=True))[3] == []
    # min_size still applies (mmengine cannot serialise an empty list)
    assert len(
        _build(
            coco_root, filter_cfg=dict(min_size=41),
            serialize_data=False)) == 0


def test_category_map_override(coco_root):
    dataset = _build(
        coco_root, category_map={
            'sheep': 'cow',
            'person': 'person'
        })
    cow = YTVIS_CLASSES['2019'].index('cow')
    by_image = _by_image(dataset)
    assert sorted(by_image) == [1, 3, 5]
    assert by_image[3] == [(cow, [1, 1, 21, 21])]


def test_pipeline_packs_ytvis_labels(coco_root):
    pipeline = [
        dict(type='mmdet.LoadImageFromFile'),
        dict(type='mmdet.LoadAnnotations', with_bbox=True, with_mask=True),
        dict(type='mmdet.PackDetInputs')
    ]
    dataset = _build(coco_root, ytvis_version='2021', pipeline=pipeline)
    labels = sorted(
        int(label) for i in range(len(dataset))
        for label in dataset[i]['data_samples'].gt_instances.labels)
    assert labels == sorted([PERSON_21, CAR_21, FLYING_DISC_21, PERSON_21])
    sample = dataset[0]['data_samples']
    assert sample.gt_instances.masks.masks.shape[1:] == (H, W)


def test_bad_arguments_are_named(coco_root, tmp_path):
    with pytest.raises(ValueError, match='ytvis_version'):
        _build(coco_root, ytvis_version='2020')
    with pytest.raises(ValueError, match='category_map.*dragon'):
        _build(coco_root, category_map={'person': 'dragon'})
    with pytest.raises(ValueError, match='metainfo.classes'):
        _build(coco_root, metainfo=dict(classes=('person', )))
    other = tmp_path / 'other.json'
    other.write_text(
        json.dumps(
            dict(
                images=[],
                annotations=[],
                categories=[dict(id=1, name='pedestrian')])))
    with pytest.raises(ValueError, match=r'other\.json.*none of its'):
        _build(coco_root, ann_file=str(other))


def test_class_lists_match_mmdet():
    saved = YouTubeVISDataset.__dict__.get('METAINFO')
    try:
        for version, classes in YTVIS_CLASSES.items():
            YouTubeVISDataset.set_dataset_classes(version)
            assert YouTubeVISDataset.METAINFO['classes'] == classes
    finally:
        if saved is None:
            del YouTubeVISDataset.METAINFO
        else:
            YouTubeVISDataset.METAINFO = saved
    assert len(OVIS_CLASSES) == len(set(OVIS_CLASSES)) == 25


def test_mapping_tables_are_consistent():
    coco = set(CocoDataset.METAINFO['classes'])
    for version, table in COCO_TO_YTVIS.items():
        assert set(table) <= coco, set(table) - coco
        assert set(table.values()) <= set(YTVIS_CLASSES[version])
    assert set(COCO_YTVIS_NOTES) <= coco
    # the traps: near-homonyms that are different objects
    for name in ('mouse', 'teddy bear', 'bicycle', 'skis'):
        assert all(name not in t for t in COCO_TO_YTVIS.values())
    assert COCO_TO_YTVIS['2019']['car'] == 'sedan'
    assert 'frisbee' not in COCO_TO_YTVIS['2019']


def test_doc_table_in_sync():
    with open(osp.join(REPO, 'docs', 'coco_to_ytvis.md')) as f:
        doc = f.read()
    assert doc == coco_ytvis_markdown(), (
        'docs/coco_to_ytvis.md is stale: regenerate it from '
        'mmsolotrack.datasets.coco_ytvis.coco_ytvis_markdown()')
    # every mapped pair appears as a row of the table
    for version, col in (('2019', 1), ('2021', 2)):
        rows = {
            line.split('|')[1].strip(' `'): line.split('|')[col + 1].strip(
                ' `')
            for line in doc.splitlines() if line.startswith('| `')
        }
        for coco_name, ytvis_name in COCO_TO_YTVIS[version].items():
            assert rows[coco_name] == ytvis_name


def test_incomplete_annotation_is_named(coco_root):
    from mmsolotrack.datasets.annotation_checks import AnnotationFileError
    path = coco_root / 'instances.json'
    coco = json.loads(path.read_text())
    coco['annotations'][2].pop('bbox')
    coco['annotations'][4]['segmentation'] = []
    path.write_text(json.dumps(coco))
    with pytest.raises(AnnotationFileError) as err:
        _build(coco_root)
    msg = str(err.value)
    assert str(path) in msg and '2 problems' in msg
    assert "annotation 3 (image 2) has no 'bbox'" in msg
    assert "annotation 5 (image 3) has an empty 'segmentation'" in msg
