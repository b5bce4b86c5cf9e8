# Copyright (c) mmsolotrack contributors. All rights reserved.
"""`mim train` of the tiny pose config, then `mim test` of its checkpoint.

Real parts: a SynthPose data set on disk, `mim train` / `mim test`
subprocesses, the registered PoseTrackMetric. The run is short, so what it
checks is that the pose and embedding losses fall and that the tracked
poses come out in PoseTrack format and are scored. It does NOT check that
MOTA beats the initialised model: on this CPU budget the from-scratch
YOLOX-Pose does not get there (README, "Pose tracking": MOTA stays
negative after 600 iterations).
"""
import glob
import json
import os.path as osp
import re

import pytest

from ..conftest import REPO, have_mim, run_tool

pytestmark = pytest.mark.skipif(not have_mim(), reason='openmim not installed')

CONFIG = osp.join(REPO, 'configs', 'posetrack',
                  'embedpose_yoloxpose-tiny_1xb8-600i_synthpose.py')
ITERS = 40
#: 2 train videos of 4 frames; the val split is 1 video of 4 frames
TINY = dict(seed=0, num_train=2, num_unlabeled=0, num_val=1, num_frames=4)
METRIC = re.compile(r'posetrack/(MOTA|mAP|num_misses|num_objects): '
                    r'(-?[\d.]+|nan)')


@pytest.fixture
def pose_workdir(tmp_path):
    from mmsolotrack.datasets.synthpose import (SynthPoseConfig,
                                                generate_synthpose)
    generate_synthpose(str(tmp_path / 'data' / 'synthpose'),
                       SynthPoseConfig(**TINY), progress=False)
    return tmp_path


def _losses(work_dir):
    files = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    assert files, f'no scalars.json under {work_dir}'
    with open(sorted(files)[-1]) as f:
        return [r for r in map(json.loads, f) if 'loss' in r]


def test_mim_train_then_test_pose(pose_workdir):
    work = pose_workdir / 'work_dirs' / 'pose'
    run_tool([
        'mim', 'train', 'mmsolotrack', CONFIG, '--work-dir',
        str(work), '--cfg-options', f'train_cfg.max_iters={ITERS}',
        f'train_cfg.val_interval={ITERS}',
        f'default_hooks.checkpoint.interval={ITERS}',
        'default_hooks.logger.interval=10', 'randomness.seed=0'
    ], cwd=pose_workdir)
    ckpt = work / f'iter_{ITERS}.pth'
    assert ckpt.is_file()
    rows = _losses(str(work))
    assert len(rows) == ITERS // 10
    for key in ('loss_kpt', 'loss_obj', 'loss_embed_center'):
        assert all(key in r for r in rows), rows[0]
    assert rows[-1]['loss_kpt'] < rows[0]['loss_kpt'], rows
    assert rows[-1]['loss'] < rows[0]['loss'], rows

    proc = run_tool([
        'mim', 'test', 'mmsolotrack', CONFIG, '--checkpoint',
        str(ckpt), '--work-dir', str(pose_workdir / 'test'),
        '--cfg-options', 'test_evaluator.outfile_prefix=results'
    ], cwd=pose_workdir)
    assert 'Load checkpoint from' in proc.stdout
    found = dict(METRIC.findall(proc.stdout))
    assert {'MOTA', 'mAP', 'num_misses', 'num_objects'} <= set(found), \
        proc.stdout[-3000:]
    assert float(found['num_objects']) > 0
    # one PoseTrack 2018 result json per val video, with track ids
    (result, ) = glob.glob(str(pose_workdir / 'results' / '*.json'))
    with open(result) as f:
        data = json.load(f)
    assert {'images', 'annotations', 'categories'} <= set(data)
    assert all('track_id' in a for a in data['annotations'])
