# Copyright (c) mmsolotrack contributors. All rights reserved.
"""RandomStateHook: a run killed after a checkpoint and resumed ends with
exactly the weights of the uninterrupted run (the embedding head's
``torch.randperm`` sampling and the random flips active), with and without
DataLoader workers; a validation in between does not change training."""
import glob
import io
import os.path as osp
import random
import shutil

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

import mmsolotrack  # noqa: F401  (registers the hooks)
from mmsolotrack.engine.hooks import RANDOM_STATES_KEY
from mmsolotrack.utils import (get_random_states, load_checkpoint_file,
                               set_random_states)

from ..conftest import REPO, iter_based

CONFIG = osp.join(
    REPO,
    'configs/solotrack/solotrack_solov2-r18-tiny_fpn_1xb4-24e_synthvis.py')
ITERS = 4


def _cfg(work_dir, synthvis_root, num_workers=0, val_interval=None):
    cfg = Config.fromfile(CONFIG)
    assert cfg.default_hooks.random_state.type == 'RandomStateHook'
    cfg.train_dataloader.dataset.data_root = synthvis_root + '/'
    cfg = iter_based(cfg, work_dir, max_iters=ITERS,
                     ckpt_interval=ITERS // 2)
    # every image has more owned cells than this: randperm draws each iter
    cfg.model.track_head.max_samples_per_instance = 2
    cfg.train_dataloader.num_workers = num_workers
    cfg.train_dataloader.persistent_workers = num_workers > 0
    if val_interval:
        cfg.train_cfg.val_interval = val_interval
        cfg.val_cfg = dict(type='ValLoop')
        cfg.val_dataloader = Config.fromfile(CONFIG).val_dataloader
        cfg.val_dataloader.dataset.data_root = synthvis_root + '/'
        cfg.val_evaluator = dict(type='IDSwitchMetric')
    return cfg


def _train(cfg, resumes_at=None) -> dict:
    runner = Runner.from_cfg(cfg)
    runner.train()
    if resumes_at is not None:
        with open(osp.join(runner.log_dir, f'{runner.timestamp}.log')) as f:
            assert f'resumed epoch: 0, iter: {resumes_at}' in f.read()
    return {k: v.clone() for k, v in runner.model.state_dict().items()}


def _equal(a: dict, b: dict) -> bool:
    assert a.keys() == b.keys()
    return all(torch.equal(a[k], b[k]) for k in a)


def _killed_run(tmp_path, full_dir, name):
    """The work dir a run killed right after its mid-way checkpoint left."""
    work = tmp_path / name
    work.mkdir()
    ckpt = shutil.copy(full_dir / f'iter_{ITERS // 2}.pth', work)
    (work / 'last_checkpoint').write_text(str(ckpt))
    return work


@pytest.fixture(scope='module')
def uninterrupted(tmp_path_factory, synthvis_root):
    """``get(num_workers)``: the work dir and final weights of the
    uninterrupted run, trained on first use."""
    runs = {}

    def get(num_workers=0):
        if num_workers not in runs:
            work = tmp_path_factory.mktemp(f'full{num_workers}')
            runs[num_workers] = (work,
                                 _train(_cfg(work, synthvis_root,
                                             num_workers)))
        return runs[num_workers]

    return get


@pytest.mark.parametrize('num_workers', [0, 2])
def test_resumed_run_ends_bit_identical(tmp_path, synthvis_root,
                                        uninterrupted, num_workers):
    full_dir, full = uninterrupted(num_workers)
    ckpt = load_checkpoint_file(str(full_dir / f'iter_{ITERS // 2}.pth'))
    assert set(ckpt[RANDOM_STATES_KEY]) == {'python', 'numpy', 'torch',
                                             'cuda'}

    cfg = _cfg(_killed_run(tmp_path, full_dir, 'resumed'), synthvis_root,
               num_workers)
    cfg.resume = True  # auto resume: the latest checkpoint of the work dir
    assert _equal(_train(cfg, resumes_at=ITERS // 2), full)

    if num_workers == 0:  # the test notices a resume without the restore
        cfg = _cfg(_killed_run(tmp_path, full_dir, 'no_hook'), synthvis_root)
        cfg.resume = True
        cfg.default_hooks.pop('random_state')
        assert not _equal(_train(cfg, resumes_at=ITERS // 2), full)


def test_checkpoint_without_states_resumes_with_a_warning(
        tmp_path, synthvis_root, uninterrupted):
    full_dir, _ = uninterrupted()
    work = _killed_run(tmp_path, full_dir, 'old')
    ckpt = str(work / f'iter_{ITERS // 2}.pth')
    old = load_checkpoint_file(ckpt)
    del old[RANDOM_STATES_KEY]  # as saved before RandomStateHook existed
    torch.save(old, ckpt)
    cfg = _cfg(work, synthvis_root)
    cfg.resume = True
    runner = Runner.from_cfg(cfg)
    runner.train()
    with open(osp.join(runner.log_dir, f'{runner.timestamp}.log')) as f:
        assert 'holds no random states' in f.read()


def test_validation_in_between_leaves_training_alike(tmp_path, synthvis_root,
                                                    uninterrupted):
    _, plain = uninterrupted()
    validated = _train(
        _cfg(tmp_path / 'val', synthvis_root, val_interval=ITERS // 2))
    assert _equal(validated, plain)


def test_every_shipped_config_has_the_hook():
    configs = [
        p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                             recursive=True) if '_base_' not in p
    ]
    assert len(configs) > 10
    for path in configs:
        hook = Config.fromfile(path).default_hooks.get('random_state')
        assert hook is not None and hook.type.endswith('RandomStateHook'), \
            path


def test_states_are_plain_data_and_round_trip():
    states = get_random_states()
    buf = io.BytesIO()
    torch.save({RANDOM_STATES_KEY: states}, buf)
    buf.seek(0)
    # no allow-list needed: lists, numbers and tensors only
    loaded = torch.load(buf, weights_only=True)[RANDOM_STATES_KEY]

    def draws():
        return (torch.rand(3).tolist(), np.random.rand(3).tolist(),
                np.random.randn(), random.random())

    expected = draws()
    np.random.randn()  # numpy's cached second gaussian is state too
    set_random_states(loaded)
    assert draws() == expected
