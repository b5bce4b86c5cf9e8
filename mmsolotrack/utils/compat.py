# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Compatibility with the mmengine 0.10 / mmcv 2.1 / mmdet 3.3 stack."""
import warnings
from importlib.metadata import PackageNotFoundError, version

from packaging.version import Version

#: Supported ranges, (min inclusive, max exclusive). Checked with warnings.
SUPPORTED = {
    'mmengine': ('0.10.0', '0.11.0'),
    'mmcv': ('2.0.0rc4', '2.2.0'),
    'mmdet': ('3.2.0', '3.4.0'),
    'torch': ('2.1.0', '3.0.0'),
}


def register_config_scope() -> None:
    """Let ``_base_ = 'mmsolotrack::<path>'`` resolve in any config.

    mmengine only accepts ``pkg::`` paths of packages listed in its
    hard-coded ``MODULE2PACKAGE`` dict; this adds ours. Downstream scripts
    must ``import mmsolotrack`` before ``Config.fromfile`` (mim and our
    tools do).
    """
    from mmengine.config import utils as config_utils
    config_utils.MODULE2PACKAGE.setdefault('mmsolotrack', 'mmsolotrack')


def check_stack_versions() -> list:
    """Warn about installed packages outside the supported ranges.

    Returns:
        list[str]: One message per package outside its range (or missing).
    """
    problems = []
    for name, (low, high) in SUPPORTED.items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            if name != 'mmcv':
                continue
            problems.append('mmcv is not installed; mmdet needs the full '
                            'mmcv 2.1.0 with ops (see README, `make '
                            'install`).')
            continue
        if not Version(low) <= Version(installed) < Version(high):
            problems.append(f'{name} {installed} is outside the range '
                            f'mmsolotrack is tested with (>={low}, <{high}).')
    for msg in problems:
        warnings.warn(msg, UserWarning, stacklevel=2)
    return problems
