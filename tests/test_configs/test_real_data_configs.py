# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The YouTube-VIS / OVIS / COCO configs on a miniature copy of each data set.

The test writes the official layouts (YouTube-VIS 2019 / 2021 and OVIS
jsons, COCO instances json, JPEG frames), converts them with the package's
converter, and builds every real-data config's training loader and test
set from its relative ``data/`` paths: the file names, prefixes, classes and
samplers the configs name must be the ones the data and converter have.
"""
import json
import os.path as osp

import numpy as np
import pytest
from mmdet.structures import DetDataSample, TrackDataSample
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from mmsolotrack.datasets.converters import convert_ytvis_root
from mmsolotrack.datasets.ovis_classes import OVIS_CLASSES
from mmsolotrack.datasets.ytvis_classes import YTVIS_CLASSES
from mmsolotrack.registry import DATASETS, METRICS, MODELS

from ..conftest import REPO

H, W = 48, 64
NUM_FRAMES = 4

# config -> (classes of the test videos, kind of training data)
CONFIGS = {
    'solotrack_solov2-r50_fpn_8xb2-12e_coco-ytvis19.py': ('2019', 'mix'),
    'solotrack_solov2-r101_fpn_8xb2-12e_coco-ytvis19.py': ('2019', 'mix'),
    'solotrack_solov2-r50_fpn_8xb2-12e_coco-ytvis21.py': ('2021', 'mix'),
    'solotrack_solov2-r101_fpn_8xb2-12e_coco-ytvis21.py': ('2021', 'mix'),
    'solotrack_solov2-r50_fpn_8xb2-12e_ovis.py': ('ovis', 'frames'),
    'solotrack_solov2-r50_fpn_8xb3-66k_video-ssl_coco-ytvis19.py':
    ('2019', 'video-ssl'),
    'solotrack_solov2-r50_fpn_8xb3-66k_video-ssl_coco-ytvis21.py':
    ('2021', 'video-ssl'),
}
# single-source dataset configs -> (classes, training dataset type)
DATASET_CONFIGS = {
    'ytvis_frames_2019.py': ('2019', 'VideoFrameDataset'),
    'ytvis_frames_2021.py': ('2021', 'VideoFrameDataset'),
    'coco_ytvis_2019.py': ('2019', 'CocoYTVISDataset'),
    'coco_ytvis_2021.py': ('2021', 'CocoYTVISDataset'),
}
CLASSES = dict(YTVIS_CLASSES, ovis=OVIS_CLASSES)
# official layout: (data root, image folder of a split, json of a split)
LAYOUT = {
    '2019': ('youtube_vis_2019', '{}/JPEGImages', '{}.json'),
    '2021': ('youtube_vis_2021', '{}/JPEGImages', '{}/instances.json'),
    'ovis': ('ovis', '{}', 'annotations_{}.json'),
}


def _write_jpeg(path, rng):
    import cv2
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), rng.integers(0, 255, (H, W, 3), dtype=np.uint8))


def _square(x, y, s):
    return [[x, y, x + s, y, x + s, y + s, x, y + s]], [x, y, s, s], s * s


def _write_video_set(root, version, rng):
    """Two videos per split; the train tracks are one 'person' each."""
    name, img_dir, json_name = LAYOUT[version]
    base = root / name
    classes = CLASSES[version]
    categories = [dict(id=i + 1, name=c) for i, c in enumerate(classes)]
    person = [c['id'] for c in categories if c['name'].lower() == 'person'][0]
    for split in ('train', 'valid'):
        videos, tracks = [], []
        for v in range(2):
            vname = f'{split}{v:02d}'
            files = [f'{vname}/{t:05d}.jpg' for t in range(NUM_FRAMES)]
            for f in files:
                _write_jpeg(base / img_dir.format(split) / f, rng)
            videos.append(
                dict(id=v + 1, file_names=files, width=W, height=H))
            boxes = [_square(4 + 3 * t, 6, 20) for t in range(NUM_FRAMES)]
            tracks.append(
                dict(
                    id=v + 1,
                    video_id=v + 1,
                    category_id=person,
                    iscrowd=0,
                    segmentations=[b[0] for b in boxes],
                    bboxes=[b[1] for b in boxes],
                    areas=[b[2] for b in boxes]))
        official = dict(videos=videos, categories=categories)
        if split == 'train':
            official['annotations'] = tracks
        path = base / json_name.format(split)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(official))
    convert_ytvis_root(str(base), version)


def _write_coco(root, rng):
    """Three COCO images: person, car + computer mouse, sheep only."""
    base = root / 'coco'
    cats = [
        dict(id=1, name='person'),
        dict(id=3, name='car'),
        dict(id=20, name='sheep'),
        dict(id=74, name='mouse')
    ]
    anns = []
    for img_id, cat_id in ((1, 1), (2, 3), (2, 74), (3, 20)):
        segm, bbox, area = _square(5 + 10 * len(anns) % 20, 8, 16)
        anns.append(
            dict(
                id=len(anns) + 1,
                image_id=img_id,
                category_id=cat_id,
                segmentation=segm,
                bbox=bbox,
                area=area,
                iscrowd=0))
    images = [
        dict(id=i, file_name=f'{i:012d}.jpg', height=H, width=W)
        for i in (1, 2, 3)
    ]
    for img in images:
        _write_jpeg(base / 'train2017' / img['file_name'], rng)
    (base / 'annotations').mkdir(parents=True)
    (base / 'annotations' / 'instances_train2017.json').write_text(
        json.dumps(dict(images=images, annotations=anns, categories=cats)))


@pytest.fixture(scope='module')
def data_dir(tmp_path_factory):
    """A working directory whose ``data/`` holds every miniature data set."""
    cwd = tmp_path_factory.mktemp('real_data')
    rng = np.random.default_rng(0)
    for version in LAYOUT:
        _write_video_set(cwd / 'data', version, rng)
    _write_coco(cwd / 'data', rng)
    return cwd


def _load(path, cwd, monkeypatch):
    monkeypatch.chdir(cwd)
    init_default_scope('mmsolotrack')
    cfg = Config.fromfile(osp.join(REPO, path))
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key) or {}
        loader['num_workers'] = 0
        loader['persistent_workers'] = False
    return cfg


def _check_image_sample(sample, num_classes):
    assert isinstance(sample, DetDataSample)
    gt = sample.gt_instances
    assert 'instances_ids' not in gt and 'instances_id' not in gt
    assert len(gt) > 0 and gt.masks.masks.shape[1:] == sample.img_shape
    assert ((gt.labels >= 0) & (gt.labels < num_classes)).all()
    # multi-scale training: short side in [320, 480]
    assert 320 <= min(sample.img_shape) <= 480


def _check_video_test_set(cfg, version):
    test_set = DATASETS.build(cfg.test_dataloader.dataset)
    assert tuple(test_set.metainfo['classes']) == CLASSES[version]
    assert len(test_set) == 2  # two whole videos
    video = test_set[0]
    assert isinstance(video['data_samples'], TrackDataSample)
    assert video['inputs'].shape[:2] == (NUM_FRAMES, 3)
    assert min(video['inputs'].shape[-2:]) == 360  # 640 x 360 test scale
    metric = METRICS.build(cfg.test_evaluator)
    assert metric.format_only and 'work_dirs/' in metric.outfile_prefix


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_config_data(name, data_dir, monkeypatch):
    version, kind = CONFIGS[name]
    cfg = _load(f'configs/solotrack/{name}', data_dir, monkeypatch)
    num_classes = cfg.model.detector.mask_head.num_classes
    assert num_classes == len(CLASSES[version])
    _check_video_test_set(cfg, version)

    loader = Runner.build_dataloader(cfg.train_dataloader, seed=0)
    dataset = loader.dataset
    assert tuple(dataset.metainfo['classes']) == CLASSES[version]
    batch = next(iter(loader))
    samples = batch['data_samples']
    if kind == 'video-ssl':
        # 2 still images then 1 unlabelled pair, per the source ratio
        types = [type(s).__name__ for s in samples]
        assert types == ['DetDataSample', 'DetDataSample', 'TrackDataSample']
        clip = samples[2]
        assert len(clip) == 2 and batch['inputs'][2].shape[:2] == (2, 3)
        frame_ids = [clip[t].frame_id for t in range(2)]
        assert 1 <= frame_ids[1] - frame_ids[0] <= NUM_FRAMES - 1
        assert all('gt_instances' not in clip[t] or not len(
            clip[t].gt_instances) for t in range(2))
        samples = samples[:2]
        images = dataset.datasets[0]
    else:
        images = dataset
    for sample in samples:
        _check_image_sample(sample, num_classes)
    if kind in ('mix', 'video-ssl'):
        kinds = [type(d).__name__ for d in images.datasets]
        assert kinds == ['CocoYTVISDataset', 'VideoFrameDataset']
        coco = images.datasets[0]
        # COCO image 3 (sheep only) is dropped; the computer mouse too
        assert len(coco) == 2
        labels = [[CLASSES[version][inst['bbox_label']] for inst in
                   coco.get_data_info(i)['instances']] for i in range(2)]
        car = 'sedan' if version == '2019' else 'car'
        assert labels == [['person'], [car]]
    # the packed batch goes through the model's data preprocessor
    preprocessor = MODELS.build(cfg.model.data_preprocessor)
    out = preprocessor(batch, training=True)
    assert out['inputs'].dim() == 4


@pytest.mark.parametrize('name', sorted(DATASET_CONFIGS))
def test_single_source_dataset_configs(name, data_dir, monkeypatch):
    version, ds_type = DATASET_CONFIGS[name]
    cfg = _load(f'configs/_base_/datasets/{name}', data_dir, monkeypatch)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    assert type(dataset).__name__ == ds_type
    assert tuple(dataset.metainfo['classes']) == CLASSES[version]
    _check_image_sample(dataset[0]['data_samples'], len(CLASSES[version]))
    _check_video_test_set(cfg, version)


def test_ovis_classes_by_value(monkeypatch, data_dir):
    cfg = _load('configs/_base_/datasets/ovis.py', data_dir, monkeypatch)
    assert tuple(cfg.ovis_classes) == OVIS_CLASSES
    assert tuple(
        cfg.val_dataloader.dataset.metainfo['classes']) == OVIS_CLASSES
