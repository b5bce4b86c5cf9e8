# Copyright (c) mmsolotrack contributors. All rights reserved.
"""check_checkpoint_keys counts what a checkpoint does not fill;
non_finite_tensors finds NaN and inf."""
import pytest
import torch
from torch import nn

from mmsolotrack.utils import (CheckpointMismatchError, check_checkpoint_keys,
                               non_finite_tensors)


def _model():
    return nn.Sequential(*[nn.Linear(4, 4) for _ in range(5)])  # 10 keys


def test_ddp_prefix_is_stripped_and_shapes_count():
    model = _model()
    wrapped = {f'module.{k}': v for k, v in model.state_dict().items()}
    state = check_checkpoint_keys(model, {'state_dict': wrapped}, 'a.pth')
    assert list(state) == list(model.state_dict())
    # the right names with other shapes (another head size) fill nothing
    other = nn.Sequential(*[nn.Linear(4, 3) for _ in range(5)])
    with pytest.raises(CheckpointMismatchError, match=r'b\.pth.*10 of'):
        check_checkpoint_keys(model, other.state_dict(), 'b.pth')
    # one key of ten missing is the limit (10 %), two are too many
    partial = dict(model.state_dict())
    partial.pop('0.bias')
    check_checkpoint_keys(model, partial, 'c.pth')
    partial.pop('1.bias')
    with pytest.raises(CheckpointMismatchError):
        check_checkpoint_keys(model, partial, 'c.pth')
    check_checkpoint_keys(model, partial, 'c.pth', max_mismatch=float('inf'))


def test_non_finite_tensors_names_nan_and_inf_only():
    state = dict(a=torch.ones(3), b=torch.tensor([1., float('nan')]),
                 c=torch.tensor([float('-inf')]), n=torch.tensor([7]))
    assert non_finite_tensors(state) == ['b', 'c']
    assert non_finite_tensors(dict(a=torch.ones(2), n=torch.arange(3))) == []
    assert non_finite_tensors({}) == []
