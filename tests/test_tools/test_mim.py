# Copyright (c) mmsolotrack contributors. All rights reserved.
"""`mim train` / `mim test` as a user runs them, in real subprocesses."""
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import zipfile

import pytest

from ..conftest import REPO, have_mim, run_tool

pytestmark = pytest.mark.skipif(not have_mim(), reason='openmim not installed')

SOLOV2 = 'configs/solov2/solov2_r18-tiny_fpn_1xb4-24e_synthvis-frames.py'
# one seeded epoch; after it the classifier's scores are still near its 0.01
# prior, so the score threshold is lowered for the metric to see predictions
# (with none, mmdet's CocoMetric logs an error and returns no segm_mAP)
SHORT = [
    'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
    'default_hooks.logger.interval=1', 'randomness.seed=0',
    'model.test_cfg.score_thr=0.01'
]


def _latest_scalars(work_dir):
    files = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    assert files, f'no scalars.json under {work_dir}'
    with open(sorted(files)[-1]) as f:
        return [json.loads(line) for line in f if line.strip()]


def test_mim_train_then_test(workdir):
    work = workdir / 'work_dirs' / 'solov2'
    run_tool([
        'mim', 'train', 'mmsolotrack',
        osp.join(REPO, SOLOV2), '--work-dir',
        str(work), '--cfg-options', *SHORT
    ], cwd=workdir)
    ckpt = work / 'epoch_1.pth'
    assert ckpt.is_file()
    logs = _latest_scalars(str(work))
    train_rows = [r for r in logs if 'loss' in r]
    assert train_rows and all(r['loss'] == r['loss'] for r in train_rows)
    assert any('coco/segm_mAP' in r for r in logs)

    test_dir = workdir / 'work_dirs' / 'solov2_test'
    proc = run_tool([
        'mim', 'test', 'mmsolotrack',
        osp.join(REPO, SOLOV2), '--checkpoint',
        str(ckpt), '--work-dir',
        str(test_dir), '--cfg-options', 'model.test_cfg.score_thr=0.01'
    ], cwd=workdir)
    assert 'coco/segm_mAP' in proc.stdout
    assert 'Load checkpoint from' in proc.stdout


def test_downstream_config_inherits_with_package_scope(workdir):
    """A config outside the repo starts with `_base_ = 'mmsolotrack::...'`."""
    downstream = workdir / 'my_project'
    downstream.mkdir()
    cfg = downstream / 'my_solov2.py'
    cfg.write_text(
        "_base_ = 'mmsolotrack::solov2/"
        "solov2_r18-tiny_fpn_1xb4-24e_synthvis-frames.py'\n"
        'model = dict(mask_head=dict(feat_channels=32))\n'
        'train_cfg = dict(max_epochs=1)\n'
        'val_cfg = None\nval_dataloader = None\nval_evaluator = None\n')
    work = workdir / 'work_dirs' / 'downstream'
    proc = run_tool([
        'mim', 'train', 'mmsolotrack',
        str(cfg), '--work-dir',
        str(work), '--cfg-options', 'default_hooks.logger.interval=1'
    ], cwd=workdir)
    assert (work / 'epoch_1.pth').is_file()
    assert 'feat_channels=32' in proc.stdout.replace(' ', '')

    # the same file with the plain training script
    work2 = workdir / 'work_dirs' / 'downstream_py'
    run_tool([
        sys.executable,
        osp.join(REPO, 'tools', 'train.py'),
        str(cfg), '--work-dir',
        str(work2)
    ], cwd=workdir)
    assert (work2 / 'epoch_1.pth').is_file()


def test_unknown_type_names_type_and_registry(workdir):
    cfg = workdir / 'typo.py'
    cfg.write_text(
        f"_base_ = '{osp.join(REPO, SOLOV2)}'\n"
        "model = dict(mask_head=dict(type='SOLOV2HeadTypo'))\n")
    proc = run_tool([
        sys.executable,
        osp.join(REPO, 'tools', 'train.py'),
        str(cfg), '--work-dir',
        str(workdir / 'w')
    ],
                    cwd=workdir,
                    check=False)
    assert proc.returncode != 0
    assert 'SOLOV2HeadTypo is not in the' in proc.stdout
    assert 'registry' in proc.stdout


def test_wheel_install_copies_mim_files(workdir, tmp_path):
    """`pip install .` (a wheel) carries real copies of configs and tools."""
    # build from a copy: setup.py fills .mim with copies in the tree it builds
    src = tmp_path / 'src'
    files = subprocess.run(['git', 'ls-files'],
                           cwd=REPO,
                           stdout=subprocess.PIPE,
                           text=True,
                           check=True).stdout.split()
    for name in files:
        os.makedirs(src / osp.dirname(name), exist_ok=True)
        shutil.copy2(osp.join(REPO, name), src / name)
    wheel_dir = tmp_path / 'wheel'
    run_tool([
        sys.executable, '-m', 'pip', 'wheel', '--no-deps',
        '--no-build-isolation', '-w',
        str(wheel_dir),
        str(src)
    ],
             cwd=tmp_path)
    wheel = glob.glob(str(wheel_dir / 'mmsolotrack-*.whl'))[0]
    names = zipfile.ZipFile(wheel).namelist()
    for member in ('mmsolotrack/.mim/tools/train.py',
                   'mmsolotrack/.mim/tools/test.py',
                   'mmsolotrack/.mim/model-index.yml', 'mmsolotrack/.mim/'
                   'configs/solov2/'
                   'solov2_r18-tiny_fpn_1xb4-24e_synthvis-frames.py'):
        assert member in names, member

    target = tmp_path / 'site'
    run_tool([
        sys.executable, '-m', 'pip', 'install', '--no-deps', '--target',
        str(target), wheel
    ],
             cwd=tmp_path)
    mim_dir = target / 'mmsolotrack' / '.mim'
    assert (mim_dir / 'configs').is_dir() and not os.path.islink(
        mim_dir / 'configs')
    # mim, run against the copied package, finds the config by name
    env_cmd = ['env', f'PYTHONPATH={target}']
    proc = run_tool(env_cmd + [
        'mim', 'train', 'mmsolotrack',
        osp.basename(SOLOV2), '--work-dir',
        str(workdir / 'work_dirs' / 'wheel'), '--cfg-options', *SHORT,
        'val_cfg=None', 'val_dataloader=None', 'val_evaluator=None'
    ],
                    cwd=workdir)
    assert str(target) in proc.stdout  # the config came from the copy
    assert (workdir / 'work_dirs' / 'wheel' / 'epoch_1.pth').is_file()
