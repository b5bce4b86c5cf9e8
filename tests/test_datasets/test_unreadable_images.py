# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Issue 14 item 8: a corrupt image is skipped and counted, the epoch goes
on, and the report names the file (mmcv's loader killed training there on
every restart, and grey-filled a truncated JPEG without a word)."""
import glob
import os.path as osp
import shutil

import cv2
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from mmsolotrack.datasets.video_io import VideoReadError, VideoReadWarning
from mmsolotrack.registry import DATASETS, TRANSFORMS

from ..conftest import REPO

CONFIG = osp.join(REPO, 'configs', 'solov2',
                  'solov2_r18-tiny_fpn_1xb4-24e_synthvis-frames.py')


@pytest.fixture
def broken_root(synthvis_root, tmp_path):
    """A copy of SynthVIS train with two bad frames: garbage, truncated."""
    root = tmp_path / 'synthvis'
    shutil.copytree(osp.join(synthvis_root, 'train'), root / 'train')
    (root / 'annotations').mkdir()
    shutil.copy(osp.join(synthvis_root, 'annotations', 'synthvis_train.json'),
                root / 'annotations')
    init_default_scope('mmsolotrack')
    dataset = DATASETS.build(_dataset_cfg(Config.fromfile(CONFIG), str(root)))
    paths = [dataset.get_data_info(i)['img_path']  # training images
             for i in range(len(dataset))]
    garbage, cut = paths[2], paths[7]
    with open(garbage, 'wb') as f:
        f.write(b'\xff\xd8\xff not a jpeg')
    with open(cut, 'rb') as f:
        data = f.read()
    with open(cut, 'wb') as f:
        f.write(data[:-400])
    assert cv2.imread(cut) is not None  # the grey-filled trap
    return str(root), garbage, cut


def _dataset_cfg(cfg, root):
    cfg.train_dataloader.dataset.data_root = root + '/'
    return cfg.train_dataloader.dataset


def test_loader_names_a_truncated_image(broken_root):
    _, _, cut = broken_root
    load = TRANSFORMS.build(dict(type='LoadCheckedImageFromFile'))
    with pytest.raises(VideoReadError, match=rf'{osp.basename(cut)}: JPEG '
                       'end-of-image marker missing'):
        load(dict(img_path=cut))


def test_dataset_skips_and_counts_in_training_raises_in_test(broken_root):
    init_default_scope('mmsolotrack')
    root, garbage, cut = broken_root
    cfg = Config.fromfile(CONFIG)
    ds = DATASETS.build(_dataset_cfg(cfg, root))
    index = {ds.get_data_info(i)['img_path']: i for i in range(len(ds))}
    for bad in (garbage, cut):
        with pytest.warns(VideoReadWarning,
                          match=rf'skipped an unreadable image: {bad}: '):
            assert ds.prepare_data(index[bad]) is None
    assert ds.skipped_files == {garbage: 1, cut: 1}
    assert ds[index[garbage]] is not None  # mmengine draws another image
    test_ds = DATASETS.build(dict(_dataset_cfg(cfg, root), test_mode=True))
    paths = [test_ds.get_data_info(i)['img_path'] for i in range(len(test_ds))]
    with pytest.raises(VideoReadError, match=osp.basename(garbage)):
        test_ds.prepare_data(paths.index(garbage))


def test_runner_finishes_the_epoch_and_names_the_skipped_files(
        broken_root, tmp_path):
    root, garbage, cut = broken_root
    cfg = Config.fromfile(CONFIG)
    _dataset_cfg(cfg, root)
    cfg.work_dir = str(tmp_path / 'work')
    cfg.train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=1,
                         val_interval=10)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.train_dataloader.batch_size = 4
    cfg.randomness = dict(seed=0)
    runner = Runner.from_cfg(cfg)
    runner.train()  # mmcv's loader stopped here with an AssertionError
    assert runner.epoch == 1 and runner.iter == len(runner.train_dataloader)
    assert osp.isfile(osp.join(cfg.work_dir, 'epoch_1.pth'))
    log = open(glob.glob(osp.join(cfg.work_dir, '*', '*.log'))[0]).read()
    report = [line for line in log.splitlines()
              if 'VideoReadReportHook (epoch 1)' in line]
    assert report, log[-3000:]
    assert 'image(s) skipped as unreadable' in report[0]
    assert garbage in report[0] and cut in report[0]
    dataset = runner.train_dataloader.dataset
    assert set(dataset.skipped_files) == {garbage, cut}
