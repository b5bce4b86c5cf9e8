# Copyright (c) mmsolotrack contributors. All rights reserved.
"""EvalProgressHook draws one bar step per val/test batch in a real Runner."""
import re

import torch
from mmengine.evaluator import BaseMetric
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

import mmsolotrack  # noqa: F401  (registers the hook)
from mmsolotrack.registry import HOOKS


class _Numbers(Dataset):

    def __len__(self):
        return 5

    def __getitem__(self, idx):
        return dict(inputs=torch.tensor([float(idx)]))


class _Identity(BaseModel):

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.ones(1))

    def forward(self, inputs, data_samples=None, mode='tensor'):
        out = inputs * self.w  # (B, 1)
        if mode == 'loss':
            return dict(loss=out.sum())
        return [o for o in out]


class _Count(BaseMetric):

    def process(self, data_batch, data_samples):
        self.results.append(len(data_samples))

    def compute_metrics(self, results):
        return dict(seen=sum(results))


def _loader():
    return dict(dataset=_Numbers(), batch_size=2, num_workers=0,
                sampler=dict(type='DefaultSampler', shuffle=False),
                collate_fn=dict(type='default_collate'))


def test_bar_counts_batches_of_test_and_val(tmp_path, capfd):
    assert HOOKS.get('EvalProgressHook') is not None
    runner = Runner(
        model=_Identity(), work_dir=str(tmp_path),
        test_dataloader=_loader(), test_evaluator=[_Count()],
        test_cfg=dict(type='TestLoop'),
        val_dataloader=_loader(), val_evaluator=[_Count()],
        val_cfg=dict(type='ValLoop'),
        custom_hooks=[dict(type='mmsolotrack.EvalProgressHook',
                           unit='batch')],
        default_hooks=dict(logger=None), default_scope='mmsolotrack')
    assert runner.test() == dict(seen=5)
    assert runner.val() == dict(seen=5)
    err = capfd.readouterr().err
    # 5 samples at batch 2 = 3 batches, for each loop, ending at 3/3
    assert re.search(r'test: 100%.*3/3 .*batch', err), err
    assert re.search(r'val: 100%.*3/3 .*batch', err), err
    assert '4/3' not in err


def test_disabled_bar_prints_nothing(tmp_path, capfd):
    runner = Runner(
        model=_Identity(), work_dir=str(tmp_path),
        test_dataloader=_loader(), test_evaluator=[_Count()],
        test_cfg=dict(type='TestLoop'),
        custom_hooks=[dict(type='mmsolotrack.EvalProgressHook',
                           disable=True)],
        default_hooks=dict(logger=None), default_scope='mmsolotrack')
    runner.test()
    assert not re.search(r'test: +\d+%', capfd.readouterr().err)
