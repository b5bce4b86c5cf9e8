# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The process-wide random states training draws from, as checkpoint data.

Training draws from four generators: python's ``random``, numpy's global
``np.random`` (mmcv / mmdet transforms such as ``RandomFlip``, the unseeded
unlabelled-video sampling), torch's CPU generator (the embedding head's
``torch.randperm``, the crop classifier's ``torch.rand``, the DataLoader's
base seed) and, where present, torch's CUDA generators.

The states are stored as plain data only (lists, ints, floats, uint8 /
int64 tensors), so that a checkpoint holding them still loads with
``torch.load(weights_only=True)`` and no addition to the allow-list.
"""
import random
import warnings
from typing import Dict

import numpy as np
import torch

__all__ = ['get_random_states', 'set_random_states']


def get_random_states() -> Dict:
    """The current states of python, numpy, torch CPU (and CUDA) generators.

    Returns:
        dict: ``python`` (list: version, 625 ints, gauss or None),
        ``numpy`` (dict: ``keys`` int64 tensor (624, ), ``pos``,
        ``has_gauss``, ``cached_gaussian``), ``torch`` (uint8 tensor) and
        ``cuda`` (list of uint8 tensors, one per device; empty without CUDA).
    """
    version, internal, gauss = random.getstate()
    name, keys, pos, has_gauss, cached = np.random.get_state(legacy=True)
    assert name == 'MT19937', name  # numpy's global RandomState
    return dict(
        python=[version, list(internal), gauss],
        numpy=dict(
            keys=torch.from_numpy(keys.astype(np.int64)),
            pos=int(pos),
            has_gauss=int(has_gauss),
            cached_gaussian=float(cached)),
        torch=torch.get_rng_state(),
        cuda=torch.cuda.get_rng_state_all()
        if torch.cuda.is_available() else [])


def set_random_states(states: Dict) -> None:
    """Put back states returned by :func:`get_random_states`.

    The CUDA states are set only when this process has as many CUDA devices
    as the states were taken from (otherwise a warning says they are not).

    Args:
        states (dict): As returned by :func:`get_random_states` (possibly
            after a round trip through a checkpoint).
    """
    version, internal, gauss = states['python']
    random.setstate((version, tuple(internal), gauss))
    state = states['numpy']
    np.random.set_state(
        ('MT19937', state['keys'].numpy().astype(np.uint32), state['pos'],
         state['has_gauss'], state['cached_gaussian']))
    torch.set_rng_state(states['torch'].cpu())
    cuda = states.get('cuda') or []
    if not cuda:
        return
    have = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if have == len(cuda):
        torch.cuda.set_rng_state_all([s.cpu() for s in cuda])
    else:
        warnings.warn(f'{len(cuda)} CUDA random states saved but {have} CUDA '
                      'devices here: the CUDA generators are not restored')
