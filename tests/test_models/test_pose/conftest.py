# Copyright (c) mmsolotrack contributors. All rights reserved.
"""A tiny SynthPose data set and the tiny pose config, per test module."""
import os.path as osp

import pytest

from ...conftest import REPO

TINY_POSE_CFG = osp.join(
    REPO, 'configs', 'posetrack',
    'embedpose_yoloxpose-tiny_1xb8-600i_synthpose.py')
TINY_SYNTHPOSE = dict(seed=0, num_train=4, num_unlabeled=0, num_val=2,
                      num_frames=6)


@pytest.fixture(scope='module')
def synthpose_root(tmp_path_factory):
    from mmsolotrack.datasets.synthpose import (SynthPoseConfig,
                                                generate_synthpose)
    root = tmp_path_factory.mktemp('synthpose') / 'synthpose'
    generate_synthpose(str(root), SynthPoseConfig(**TINY_SYNTHPOSE),
                       progress=False)
    return str(root)


@pytest.fixture(scope='module')
def tiny_pose_cfg(synthpose_root):
    from mmengine.config import Config
    cfg = Config.fromfile(TINY_POSE_CFG)
    cfg.train_dataloader.dataset.dataset.data_root = synthpose_root + '/'
    for loader in ('val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = synthpose_root + '/'
    for evaluator in ('val_evaluator', 'test_evaluator'):
        cfg[evaluator].ann_file = osp.join(synthpose_root, 'annotations',
                                           'val')
    return cfg
