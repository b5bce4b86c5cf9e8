# Copyright (c) mmsolotrack contributors. All rights reserved.
"""FiniteCheckHook stops a diverging run at its first non-finite iteration,
keeps the last good checkpoint and never writes one with NaN weights."""
import glob
import os.path as osp
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

import mmsolotrack  # noqa: F401  (registers the hooks)
from mmsolotrack.engine.hooks import NonFiniteTrainingError
from mmsolotrack.utils import load_checkpoint_file, non_finite_tensors

from ..conftest import REPO, iter_based

CONFIG = osp.join(REPO, 'configs', 'solov2',
                  'solov2_r18-tiny_fpn_1xb4-24e_synthvis-frames.py')


def _saved(work_dir):
    return sorted(glob.glob(osp.join(str(work_dir), 'iter_*.pth')),
                  key=lambda p: int(re.findall(r'\d+', osp.basename(p))[0]))


def test_diverging_run_stops_and_keeps_last_good_checkpoint(
        synthvis_root, tmp_path):
    cfg = Config.fromfile(CONFIG)
    assert cfg.default_hooks.finite_check.type == 'FiniteCheckHook'
    cfg.train_dataloader.dataset.data_root = synthvis_root + '/'
    cfg = iter_based(cfg, tmp_path, max_iters=8, ckpt_interval=1,
                     name='diverge')
    # a learning rate no clipping can save: the weights blow up at once
    cfg.optim_wrapper.optimizer.lr = 1e30
    runner = Runner.from_cfg(cfg)
    with pytest.raises(NonFiniteTrainingError) as err:
        runner.train()
    msg = str(err.value)
    stopped = runner.iter + 1
    assert f'iteration {stopped} ' in msg
    assert 2 <= stopped < 8  # seeded: iteration 1 is still finite
    saved = _saved(tmp_path)
    # every iteration before the bad one has its checkpoint, the bad one none
    assert [osp.basename(p) for p in saved] == [
        f'iter_{i}.pth' for i in range(1, stopped)]
    assert f'last good checkpoint is {saved[-1]} (kept)' in msg
    for path in saved:
        assert not non_finite_tensors(load_checkpoint_file(path)['state_dict'])
    # the message names the loss terms that went non-finite, or the weights
    bad_terms = re.findall(r'(loss\w*)=(nan|inf|-inf)', msg)
    assert bad_terms or 'weight tensors non-finite' in msg, msg
    # the model is non-finite now: the Runner refuses to save it at all
    assert non_finite_tensors(dict(runner.model.named_parameters()))
    with pytest.raises(NonFiniteTrainingError, match='refused to save'):
        runner.save_checkpoint(str(tmp_path), 'manual.pth')
    assert not osp.exists(tmp_path / 'manual.pth')


class _Ones(Dataset):

    def __len__(self):
        return 4

    def __getitem__(self, idx):
        return dict(inputs=torch.ones(1))


class _Sqrt(BaseModel):
    """loss = sqrt(w) at w = 0: a finite loss (0) with an infinite
    gradient, which SGD turns into an infinite weight."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))

    def forward(self, inputs, data_samples=None, mode='tensor'):
        return dict(loss=torch.sqrt(self.w).sum() * inputs.mean())


def test_infinite_gradient_with_finite_loss_is_caught(tmp_path):
    runner = Runner(
        model=_Sqrt(), work_dir=str(tmp_path),
        train_dataloader=dict(
            dataset=_Ones(), batch_size=2, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=False),
            collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
        train_cfg=dict(by_epoch=False, max_iters=3),
        default_hooks=dict(
            logger=None,
            checkpoint=dict(type='CheckpointHook', interval=1,
                            by_epoch=False),
            finite_check=dict(type='mmsolotrack.FiniteCheckHook')),
        default_scope='mmsolotrack')
    with pytest.raises(NonFiniteTrainingError) as err:
        runner.train()
    msg = str(err.value)
    assert 'iteration 1 ' in msg
    assert 'non-finite loss' not in msg  # the loss itself was finite
    assert 'non-finite after the update' in msg and ': w' in msg
    assert not glob.glob(osp.join(str(tmp_path), '*.pth'))
