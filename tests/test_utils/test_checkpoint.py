# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Runner checkpoints load under torch >= 2.6 with weights_only=True.

A real mmengine Runner trains the tiny SOLOv2 config on SynthVIS; its
checkpoints must resume, and a resumed run must end exactly where an
uninterrupted run ends (weights, optimizer and scheduler state).
"""
import os.path as osp
import pickle
from collections import OrderedDict

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

import mmsolotrack  # noqa: F401
from mmsolotrack.utils import (CHECKPOINT_SAFE_GLOBALS, CheckpointFileError,
                               UnsafeCheckpointError,
                               allow_checkpoint_globals, load_checkpoint_file)

from ..conftest import REPO, iter_based

CONFIG = osp.join(REPO, 'configs', 'solov2',
                  'solov2_r18-tiny_fpn_1xb4-24e_synthvis-frames.py')


def _cfg(synthvis_root, work_dir, max_iters, name, ckpt_interval=None):
    cfg = Config.fromfile(CONFIG)
    cfg.train_dataloader.dataset.data_root = synthvis_root + '/'
    return iter_based(cfg, work_dir, max_iters, ckpt_interval, name=name)


class Interrupted(Exception):
    pass


class InterruptAt(Hook):
    """Crash the run right after iteration ``at`` (after its checkpoint)."""

    def __init__(self, at):
        self.at = at

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter + 1 == self.at:
            raise Interrupted


def _train(cfg, interrupt_at=None):
    runner = Runner.from_cfg(cfg)
    if interrupt_at is not None:
        runner.register_hook(InterruptAt(interrupt_at), priority='LOWEST')
    runner.train()
    return runner


def _state(runner):
    model = runner.model
    return ({k: v.detach().clone()
             for k, v in model.state_dict().items()},
            runner.optim_wrapper.state_dict(),
            [s.state_dict() for s in runner.param_schedulers])


def test_resume_matches_uninterrupted_run(synthvis_root, tmp_path):
    full = _train(_cfg(synthvis_root, tmp_path / 'full', 6, 'full'))
    ref_weights, ref_optim, ref_sched = _state(full)

    # the same run, killed after iteration 3 (checkpoints every 3), resumed
    with pytest.raises(Interrupted):
        _train(
            _cfg(synthvis_root, tmp_path / 'part', 6, 'part1', 3),
            interrupt_at=3)
    assert (tmp_path / 'part' / 'iter_3.pth').is_file()
    assert not (tmp_path / 'part' / 'iter_6.pth').exists()
    cfg = _cfg(synthvis_root, tmp_path / 'part', 6, 'part2', 3)
    cfg.resume = True
    resumed = _train(cfg)
    assert resumed.iter == 6
    weights, optim, sched = _state(resumed)

    assert weights.keys() == ref_weights.keys()
    for key in ref_weights:
        torch.testing.assert_close(
            weights[key], ref_weights[key], rtol=1e-5, atol=1e-6, msg=key)
    # SGD momentum buffers and the learning rate continue exactly
    ref_bufs = ref_optim['state']
    assert ref_bufs.keys() == optim['state'].keys()
    for pid, buf in ref_bufs.items():
        torch.testing.assert_close(
            optim['state'][pid]['momentum_buffer'],
            buf['momentum_buffer'],
            rtol=1e-5,
            atol=1e-6)
    assert [g['lr'] for g in optim['param_groups']] == pytest.approx(
        [g['lr'] for g in ref_optim['param_groups']])
    assert sched == ref_sched


def test_runner_checkpoint_loads_with_weights_only(synthvis_root, tmp_path):
    _train(_cfg(synthvis_root, tmp_path, 1, 'one'))
    path = str(tmp_path / 'iter_1.pth')
    # the plain weights_only load torch >= 2.6 does is refused ...
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)
    # ... ours allows exactly what mmengine writes
    ckpt = load_checkpoint_file(path)
    assert ckpt['meta']['iter'] == 1
    assert 'log_scalars' in ckpt['message_hub']
    # torch's global allow-list was not touched
    assert not set(torch.serialization.get_safe_globals()) & set(
        CHECKPOINT_SAFE_GLOBALS)


class Stranger:
    """A type no checkpoint allow-list knows."""

    def __init__(self, value=3):
        self.value = value


def test_unknown_type_is_refused_with_its_name(tmp_path):
    path = str(tmp_path / 'odd.pth')
    torch.save(OrderedDict(state_dict={}, meta=dict(odd=Stranger())), path)
    with pytest.raises(UnsafeCheckpointError) as err:
        load_checkpoint_file(path)
    msg = str(err.value)
    assert path in msg
    assert 'Stranger' in msg
    assert 'allow_checkpoint_globals' in msg
    # the same error through mmengine's loader (resume / load_from / test)
    from mmengine.runner import CheckpointLoader
    with pytest.raises(UnsafeCheckpointError):
        CheckpointLoader.load_checkpoint(path)
    allow_checkpoint_globals(Stranger)
    try:
        assert load_checkpoint_file(path)['meta']['odd'].value == 3
    finally:
        CHECKPOINT_SAFE_GLOBALS.remove(Stranger)
    with pytest.raises(UnsafeCheckpointError):
        load_checkpoint_file(path)


class FetchesACallable:
    """Unpickles as ``getattr(np.ndarray, 'tofile')``: a callable that writes
    files, the kind of thing an allowed ``getattr`` would hand an attacker."""

    def __reduce__(self):
        import numpy as np
        return (getattr, (np.ndarray, 'tofile'))


def test_getattr_is_restricted_to_history_buffer(tmp_path):
    path = str(tmp_path / 'evil.pth')
    torch.save({'meta': {'x': FetchesACallable()}}, path)
    with pytest.raises(UnsafeCheckpointError) as err:
        load_checkpoint_file(path)
    assert 'tofile' in str(err.value.__cause__) or 'tofile' in str(err.value)


class FetchesAStatisticOfAnotherType:
    """Unpickles as ``getattr(np.ndarray, 'min')``: a HistoryBuffer
    statistic name, but looked up on a type that is not HistoryBuffer."""

    def __reduce__(self):
        import numpy as np
        return (getattr, (np.ndarray, 'min'))


def test_getattr_refuses_statistic_names_on_other_types(tmp_path):
    path = str(tmp_path / 'evil_min.pth')
    torch.save({'meta': {'x': FetchesAStatisticOfAnotherType()}}, path)
    with pytest.raises(UnsafeCheckpointError) as err:
        load_checkpoint_file(path)
    assert 'ndarray' in str(err.value.__cause__)


def _valid_checkpoint(path, **kwargs):
    torch.save({'state_dict': {'w': torch.ones(64, 64)}}, path, **kwargs)
    with open(path, 'rb') as f:
        return f.read()


@pytest.mark.parametrize('legacy', [False, True])
def test_checkpoint_file_errors_name_the_file_and_the_fault(tmp_path, legacy):
    from mmengine.runner import CheckpointLoader
    data = _valid_checkpoint(
        str(tmp_path / 'good.pth'), _use_new_zipfile_serialization=not legacy)
    cases = {
        'empty.pth': (b'', 'is empty'),
        'truncated.pth': (data[:len(data) // 2], 'is truncated'),
        'random.pth': (bytes(range(256)) * 8, 'is not a PyTorch checkpoint'),
    }
    for name, (content, what) in cases.items():
        path = str(tmp_path / name)
        with open(path, 'wb') as f:
            f.write(content)
        for load in (load_checkpoint_file, CheckpointLoader.load_checkpoint):
            with pytest.raises(CheckpointFileError) as err:
                load(path)
            assert path in str(err.value) and what in str(err.value), (
                name, str(err.value))
            assert 'allow-list' not in str(err.value)
    # the complete file still loads, in either format
    assert load_checkpoint_file(str(tmp_path / 'good.pth'))['state_dict'][
        'w'].shape == (64, 64)


def test_zip_that_is_not_a_checkpoint_is_named(tmp_path):
    import zipfile
    path = str(tmp_path / 'archive.pth')
    with zipfile.ZipFile(path, 'w') as z:
        z.writestr('readme.txt', 'not a model')
    with pytest.raises(CheckpointFileError) as err:
        load_checkpoint_file(path)
    assert path in str(err.value)
    assert 'not a readable PyTorch checkpoint' in str(err.value)
