# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The video val / test dataset (CocoVID json, one item per video) names the
file, the record and the key of an incomplete json before mmdet parses it;
an intact json loads exactly as with mmdet's own YouTubeVISDataset."""
import glob
import json
import os.path as osp

import pytest
from mmdet.datasets import YouTubeVISDataset
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmsolotrack  # noqa: F401
from mmsolotrack.datasets.annotation_checks import AnnotationFileError
from mmsolotrack.registry import DATASETS
from mmsolotrack.testing.annotation_faults import (INCOMPLETE_RECORDS,
                                                   drop_key,
                                                   write_spoilt_json)

from ..conftest import REPO

CONFIG = osp.join(
    REPO,
    'configs/solotrack/solotrack_solov2-r18-tiny_fpn_1xb4-24e_synthvis.py')


def _val_dataset(synthvis_root, **overrides):
    cfg = Config.fromfile(CONFIG).val_dataloader.dataset
    cfg.data_root = synthvis_root + '/'
    cfg.update(overrides)
    init_default_scope('mmsolotrack')
    return DATASETS.build(cfg)


def _val_json(synthvis_root):
    with open(osp.join(synthvis_root, 'annotations',
                       'synthvis_val.json')) as f:
        return json.load(f)


@pytest.mark.parametrize('where,key,spoil,said', INCOMPLETE_RECORDS + [
    ('annotations', 'area', drop_key, "has no 'area'"),
    ('images', 'frame_id', drop_key, "has no 'frame_id'"),
    ('images', 'video_id', drop_key, "has no 'video_id'"),
])
def test_incomplete_records_name_file_record_and_key(synthvis_root, tmp_path,
                                                     where, key, spoil, said):
    bad = tmp_path / 'spoilt_val.json'
    record = write_spoilt_json(
        osp.join(synthvis_root, 'annotations', 'synthvis_val.json'), bad,
        where, 5, key, spoil)
    with pytest.raises(AnnotationFileError) as err:
        _val_dataset(synthvis_root, ann_file=str(bad))
    msg = str(err.value)
    assert str(bad) in msg
    if where == 'images':
        assert f"image {record['id']} {said}" in msg, msg
    else:
        assert f"annotation {record['id']} (image {record['image_id']}) " \
            f'{said}' in msg, msg


def test_missing_file_and_missing_keys_are_named(synthvis_root, tmp_path):
    with pytest.raises(FileNotFoundError) as err:
        _val_dataset(str(tmp_path / 'synthvis'))
    assert 'python -m mmsolotrack.datasets.synthvis --out' in str(err.value)
    cocovid = _val_json(synthvis_root)
    del cocovid['videos']
    bad = tmp_path / 'no_videos.json'
    bad.write_text(json.dumps(cocovid))
    with pytest.raises(KeyError, match=r"no_videos\.json.*\['videos'\]"):
        _val_dataset(synthvis_root, ann_file=str(bad))


def test_test_split_without_annotations_loads(synthvis_root, tmp_path):
    """The official val / test jsons have no annotations at all."""
    cocovid = _val_json(synthvis_root)
    cocovid.pop('annotations')
    test_json = tmp_path / 'test.json'
    test_json.write_text(json.dumps(cocovid))
    dataset = _val_dataset(synthvis_root, ann_file=str(test_json))
    assert len(dataset) == len(cocovid['videos'])


def test_intact_json_loads_as_mmdet_does(synthvis_root):
    ours = _val_dataset(synthvis_root)
    cfg = Config.fromfile(CONFIG).val_dataloader.dataset
    cfg.pop('type')
    cfg.data_root = synthvis_root + '/'
    theirs = YouTubeVISDataset(**cfg)
    assert len(ours) == len(theirs) > 0
    for i in range(len(ours)):
        assert ours.get_data_info(i) == theirs.get_data_info(i)
    assert ours.metainfo == theirs.metainfo


def test_every_video_dataset_of_the_configs_is_checked():
    found = 0
    for path in glob.glob(osp.join(REPO, 'configs', '*', '*.py')):
        cfg = Config.fromfile(path)
        for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            dataset = (cfg.get(key) or {}).get('dataset') or {}
            kind = str(dataset.get('type', ''))
            if 'YouTubeVIS' in kind:
                assert kind.endswith('CheckedYouTubeVISDataset'), (path, key)
                found += 1
    assert found >= 20
