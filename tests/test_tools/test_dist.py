# Copyright (c) mmsolotrack contributors. All rights reserved.
"""2-process DDP on CPU through tools/dist_train.sh and dist_test.sh."""
import json
import math
import os.path as osp
import random
import sys

from ..conftest import REPO, run_tool

SOLOV2 = osp.join(REPO, 'configs', 'solov2',
                  'solov2_r18-tiny_fpn_1xb4-24e_synthvis-frames.py')


def test_dist_train_and_test_two_cpu_processes(workdir):
    work = workdir / 'work_dirs' / 'dist'
    env = ['env', f'PYTHON={sys.executable}',
           f'PORT={random.randint(20000, 30000)}']
    proc = run_tool(env + [
        'bash',
        osp.join(REPO, 'tools', 'dist_train.sh'), SOLOV2, '2', '--work-dir',
        str(work), '--cfg-options', 'train_cfg.max_epochs=1',
        'train_dataloader.dataset.frame_interval=1',
        'train_dataloader.batch_size=2', 'default_hooks.logger.interval=1',
        'randomness.seed=0', 'val_cfg=None', 'val_dataloader=None',
        'val_evaluator=None'
    ],
                    cwd=workdir)
    log = proc.stdout
    assert 'Distributed training: True' in log
    assert 'GPU number: 2' in log or 'world_size: 2' in log or \
        'Distributed launcher: pytorch' in log
    ckpt = work / 'epoch_1.pth'
    assert ckpt.is_file()
    # each rank gets half of the (non-empty) frames, in batches of 2
    with open(osp.join(workdir, 'data', 'synthvis', 'annotations',
                       'synthvis_train.json')) as f:
        frames = len({a['image_id'] for a in json.load(f)['annotations']})
    iters = math.ceil(math.ceil(frames / 2) / 2)
    assert f'Epoch(train) [1][{iters}/{iters}]' in log

    proc = run_tool(env + [
        'bash',
        osp.join(REPO, 'tools', 'dist_test.sh'), SOLOV2,
        str(ckpt), '2', '--work-dir',
        str(workdir / 'work_dirs' / 'dist_test'), '--cfg-options',
        # scores of a one-epoch model are near the 0.01 prior: without a
        # lower threshold CocoMetric may see no prediction and return {}
        'model.test_cfg.score_thr=0.01'
    ],
                    cwd=workdir)
    assert 'coco/segm_mAP' in proc.stdout
