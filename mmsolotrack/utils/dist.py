# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Distributed training on machines without CUDA.

mmengine 0.10.7's ``init_dist`` always calls ``torch.cuda.set_device`` and
the Runner's default DDP wrapper passes ``device_ids=[LOCAL_RANK]``, which
torch refuses for CPU modules. On a CPU-only torch we initialise the
``gloo`` process group ourselves before the Runner is built (the Runner skips
``init_dist`` when a group exists) and ask for a DDP wrapper without
``device_ids``. With CUDA available nothing is changed.
"""
import os
import subprocess

import torch
import torch.distributed as dist
from mmengine.config import Config


def _slurm_env_to_torch_env(port: str = '29500') -> None:
    """Set RANK / WORLD_SIZE / LOCAL_RANK / MASTER_* from SLURM variables."""
    os.environ.setdefault('RANK', os.environ['SLURM_PROCID'])
    os.environ.setdefault('WORLD_SIZE', os.environ['SLURM_NTASKS'])
    os.environ.setdefault('LOCAL_RANK', os.environ.get('SLURM_LOCALID', '0'))
    if 'MASTER_ADDR' not in os.environ:
        nodes = os.environ['SLURM_NODELIST']
        addr = subprocess.getoutput(
            f'scontrol show hostname {nodes} | head -n1')
        os.environ['MASTER_ADDR'] = addr
    os.environ.setdefault('MASTER_PORT', port)


def setup_cpu_distributed(cfg: Config, launcher: str) -> bool:
    """Prepare ``cfg`` and the process group for CPU-only DDP.

    Args:
        cfg (Config): The config; ``model_wrapper_cfg`` is set when needed.
        launcher (str): ``'none'``, ``'pytorch'`` or ``'slurm'``
            (``'mpi'`` is left to mmengine).

    Returns:
        bool: True when a gloo process group was initialised here.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return False
    if launcher not in ('pytorch', 'slurm'):
        raise ValueError(f'launcher {launcher!r} is not supported without '
                         "CUDA; use 'pytorch' (torchrun) or 'slurm'.")
    if launcher == 'slurm':
        _slurm_env_to_torch_env()
    missing = [k for k in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT')
               if k not in os.environ]
    if missing:
        raise RuntimeError(
            f'--launcher {launcher} needs the environment variables '
            f'{missing}; start the script with tools/dist_train.sh / '
            'torchrun (or srun for slurm).')
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    wrapper = dict(cfg.get('model_wrapper_cfg') or {})
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper['device_ids'] = None
    wrapper.setdefault('broadcast_buffers', False)
    wrapper.setdefault('find_unused_parameters',
                       cfg.get('find_unused_parameters', False))
    cfg.model_wrapper_cfg = wrapper
    return True
