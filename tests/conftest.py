# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Shared fixtures: one small SynthVIS data set per test session, and a
working directory in which the configs' relative ``data/synthvis/`` resolves.
"""
import importlib.util
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED_VIDEOS = osp.join(osp.dirname(REPO), 'shared', 'data', 'videos')
VENV_BIN = osp.dirname(sys.executable)

# Small enough for seconds of training per epoch on a 2-core CPU.
TINY_SYNTHVIS = dict(
    seed=0, num_train=4, num_unlabeled=2, num_val=2, num_frames=6)


def pytest_configure(config):
    config.addinivalue_line('markers',
                            'slow: full-size (R50/R101) backbone configs')


@pytest.fixture(scope='session')
def synthvis_root(tmp_path_factory):
    """A tiny SynthVIS data set generated once per session."""
    from mmsolotrack.datasets.synthvis import SynthVISConfig, generate_synthvis
    root = tmp_path_factory.mktemp('synthvis') / 'synthvis'
    generate_synthvis(str(root), SynthVISConfig(**TINY_SYNTHVIS),
                      progress=False)
    return str(root)


@pytest.fixture
def workdir(tmp_path, synthvis_root):
    """A cwd with ``data/synthvis`` -> the session's data set."""
    (tmp_path / 'data').mkdir()
    os.symlink(synthvis_root, tmp_path / 'data' / 'synthvis')
    return tmp_path


def tool_env() -> dict:
    """Environment for subprocesses: the venv first on PATH, quiet threads."""
    env = dict(os.environ)
    env['PATH'] = VENV_BIN + os.pathsep + env.get('PATH', '')
    env.setdefault('OMP_NUM_THREADS', '2')
    env.pop('PYTHONPATH', None)
    return env


def run_tool(args, cwd, timeout=900, check=True, checkout=False):
    """Run a command (list) in ``cwd``; on failure show its output.
    ``checkout``: import this checkout's package (PYTHONPATH), not the
    installed one."""
    env = dict(tool_env(), PYTHONPATH=REPO) if checkout else tool_env()
    proc = subprocess.run(
        args,
        cwd=str(cwd),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f'{" ".join(map(str, args))} exited '
                             f'{proc.returncode}:\n{proc.stdout[-6000:]}')
    return proc


def have_mim() -> bool:
    return shutil.which('mim', path=VENV_BIN) is not None


def iter_based(cfg, work_dir, max_iters, ckpt_interval=None, name='t'):
    """Turn a loaded config into a short iteration-based CPU run.

    Validation is switched off; checkpoints every ``ckpt_interval`` iters.
    """
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = name
    cfg.train_cfg = dict(
        type='IterBasedTrainLoop', max_iters=max_iters, val_interval=10**6)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.param_scheduler = [
        dict(type='LinearLR', start_factor=0.5, by_epoch=False, begin=0,
             end=2),
        dict(type='MultiStepLR', by_epoch=False, milestones=[3], gamma=0.5)
    ]
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook',
        by_epoch=False,
        interval=ckpt_interval or max_iters,
        max_keep_ckpts=10)
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.default_hooks.visualization = dict(type='mmdet.DetVisualizationHook')
    cfg.log_processor = dict(type='LogProcessor', window_size=1,
                             by_epoch=False)
    cfg.randomness = dict(seed=0, deterministic=True)
    cfg.train_dataloader.batch_size = 2
    cfg.train_dataloader.sampler = dict(type='DefaultSampler', shuffle=True,
                                        seed=0)
    cfg.train_dataloader.pop('batch_sampler', None)
    return cfg


def load_tool(*parts):
    """A script under ``tools/`` as a module (its functions run in this
    process), e.g. ``load_tool('misc', 'quickstart.py')``."""
    path = osp.join(REPO, 'tools', *parts)
    name = osp.splitext(parts[-1])[0] + '_tool'
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
