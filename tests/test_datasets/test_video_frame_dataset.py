# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Frames of annotated videos as independent images, without identities."""
import json
import os.path as osp
import shutil

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmsolotrack.datasets.video_io import VideoReadWarning
from mmsolotrack.registry import DATASETS
from mmsolotrack.testing.annotation_faults import (INCOMPLETE_RECORDS,
                                                   drop_key,
                                                   write_spoilt_json)

from ..conftest import REPO

CONFIGS = [
    'configs/solov2/solov2_r18-tiny_fpn_1xb4-24e_synthvis-frames.py',
    'configs/solotrack/solotrack_solov2-r18-tiny_fpn_1xb4-24e_synthvis.py',
]


def _train_dataset(config, synthvis_root, **overrides):
    init_default_scope('mmsolotrack')
    cfg = Config.fromfile(osp.join(REPO, config))
    ds_cfg = cfg.train_dataloader.dataset
    ds_cfg.data_root = synthvis_root + '/'
    ds_cfg.update(overrides)
    return DATASETS.build(ds_cfg)


@pytest.mark.parametrize('config', CONFIGS)
def test_image_pipelines_never_pack_identities(config, synthvis_root):
    dataset = _train_dataset(config, synthvis_root, frame_interval=1)
    with open(osp.join(synthvis_root, 'annotations',
                       'synthvis_train.json')) as f:
        cocovid = json.load(f)
    with_anns = {a['image_id'] for a in cocovid['annotations']}
    assert len(dataset) == len(with_anns)  # empty frames are filtered
    assert dataset.metainfo['classes'] == tuple(
        c['name'] for c in sorted(cocovid['categories'], key=lambda c: c['id']))
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        assert all('instance_id' not in inst for inst in info['instances'])
    for i in range(0, len(dataset), 5):
        sample = dataset[i]['data_samples']
        assert 'instances_ids' not in sample.gt_instances
        assert 'instances_id' not in sample.gt_instances
        assert len(sample.gt_instances) > 0
        assert sample.gt_instances.masks.masks.shape[1:] == \
            tuple(sample.metainfo['img_shape'])


def test_frame_interval_keeps_every_kth_frame(synthvis_root):
    with open(osp.join(synthvis_root, 'annotations',
                       'synthvis_train.json')) as f:
        cocovid = json.load(f)
    with_anns = {a['image_id'] for a in cocovid['annotations']}
    ids = sorted(img['id'] for img in cocovid['images'])
    expected = [i for i in ids[::2] if i in with_anns]
    dataset = _train_dataset(CONFIGS[0], synthvis_root, frame_interval=2)
    assert [dataset.get_data_info(i)['img_id']
            for i in range(len(dataset))] == expected
    with pytest.raises(ValueError, match='frame_interval'):
        _train_dataset(CONFIGS[0], synthvis_root, frame_interval=0)


def test_missing_keys_name_the_file(synthvis_root, tmp_path):
    bad = tmp_path / 'bad.json'
    bad.write_text(json.dumps({'images': [], 'categories': []}))
    with pytest.raises(KeyError, match=r'bad\.json.*annotations'):
        _train_dataset(CONFIGS[0], synthvis_root, ann_file=str(bad))


@pytest.mark.parametrize('where,key,spoil,said', INCOMPLETE_RECORDS + [
    ('annotations', 'image_id', drop_key, "has no 'image_id'"),
])
def test_incomplete_records_name_file_record_and_key(synthvis_root, tmp_path,
                                                     where, key, spoil, said):
    from mmsolotrack.datasets.annotation_checks import AnnotationFileError
    bad = tmp_path / 'spoilt.json'
    record = write_spoilt_json(
        osp.join(synthvis_root, 'annotations', 'synthvis_train.json'), bad,
        where, 7, key, spoil)
    with pytest.raises(AnnotationFileError) as err:
        _train_dataset(CONFIGS[0], synthvis_root, ann_file=str(bad))
    msg = str(err.value)
    if where == 'images':
        assert f"image {record['id']} {said}" in msg, msg
    else:
        assert f"annotation {record['id']} (image " in msg, msg
        assert said in msg, msg
    assert str(bad) in msg


def test_missing_annotation_file_says_how_to_make_it(tmp_path):
    empty = tmp_path / 'synthvis'
    empty.mkdir()
    with pytest.raises(FileNotFoundError) as err:
        _train_dataset(CONFIGS[1], str(empty))
    msg = str(err.value)
    assert osp.join(str(empty), 'annotations', 'synthvis_train.json') in msg
    assert f'python -m mmsolotrack.datasets.synthvis --out {empty}' in msg
    with pytest.raises(FileNotFoundError, match='youtubevis2coco.py'):
        _train_dataset(CONFIGS[1], str(empty),
                       ann_file='annotations/ytvis_train.json')


def test_missing_and_corrupt_images_name_the_file(synthvis_root, tmp_path):
    root = tmp_path / 'synthvis'
    shutil.copytree(osp.join(synthvis_root, 'annotations'),
                    root / 'annotations')
    shutil.copytree(osp.join(synthvis_root, 'train'), root / 'train')
    dataset = _train_dataset(CONFIGS[0], str(root), serialize_data=False)
    first = dataset.get_data_info(0)['img_path']
    second = dataset.get_data_info(1)['img_path']
    with open(second, 'wb') as f:
        f.write(b'\xff\xd8\xff this is not a jpeg')
    osp.exists(first) and __import__('os').remove(first)
    # training skips and counts them (test_unreadable_images.py), naming
    # the file and what is wrong
    with pytest.warns(VideoReadWarning,
                      match=rf'{first}: cannot read file \(FileNotFound'):
        assert dataset.prepare_data(0) is None
    with pytest.warns(VideoReadWarning,
                      match=rf'{second}: JPEG end-of-image marker'):
        assert dataset.prepare_data(1) is None
    assert dataset.skipped_files == {first: 1, second: 1}
