# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Check the installed stack (run by `make install` inside .venv).

Prints one line per package and exits non-zero, saying what to do, when a
package is missing or outside the supported range.
"""
import shutil
import sys
import warnings
from importlib.metadata import PackageNotFoundError, version

from packaging.version import Version

# name: (min inclusive, max exclusive, how to fix)
RANGES = {
    'pip': ('23.1', '25.3', 'pip >= 25.3 dropped `setup.py develop`, which '
            'mim needs for editable installs: `make install` pins it.'),
    'setuptools': ('77.0.3', '80', 'setuptools 80 made `setup.py develop` '
                   'a PEP 660 import hook (mim then cannot find '
                   'mmsolotrack/.mim) and 82 removed pkg_resources.'),
    'torch': ('2.1', '3', 'install a CPU build: pip install torch==2.13.0'),
    'mmengine': ('0.10.7', '0.11', ''),
    'mmcv': ('2.1.0', '2.2.0', 'mmdet 3.3 needs mmcv >= 2.0.0rc4, < 2.2.0, '
             'built with ops (MMCV_WITH_OPS=1).'),
    'mmdet': ('3.3.0', '3.4', ''),
    'mmpose': ('1.3.2', '1.4', 'installed with --no-deps by `make install` '
               '(requirements/mmpose.txt says why).'),
    'openmim': ('0.3.9', '0.4', ''),
}


def main() -> int:
    problems = []
    for name, (low, high, hint) in RANGES.items():
        try:
            found = version(name)
        except PackageNotFoundError:
            problems.append(f'{name} is not installed. {hint}')
            continue
        ok = Version(low) <= Version(found) < Version(high)
        print(f'  {name:<11} {found:<14} {"ok" if ok else "OUT OF RANGE"}')
        if not ok:
            problems.append(f'{name} {found} is outside >={low},<{high}. '
                            f'{hint}')
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pkg_resources  # noqa: F401
    except ImportError:
        problems.append('pkg_resources cannot be imported (setuptools >= 82?)')
    try:
        import mmcv.ops  # noqa: F401
    except Exception as err:  # noqa: BLE001
        problems.append(f'mmcv.ops does not import ({err}): mmcv must be '
                        'built with MMCV_WITH_OPS=1; remove the cached wheel '
                        '(`pip cache remove mmcv`) and run `make install`.')
    try:
        import xtcocotools._mask  # noqa: F401
    except Exception as err:  # noqa: BLE001
        problems.append(f'xtcocotools does not import ({err}): mmpose needs '
                        'it; its PyPI wheel is built against numpy 1.x, so '
                        'build it from the sdist: pip install --no-binary '
                        'xtcocotools -r requirements/xtcocotools.txt')
    import torch
    if torch.version.cuda and shutil.which('nvidia-smi') is None:
        problems.append(f'torch {torch.__version__} is a CUDA build on a '
                        'machine without an NVIDIA driver; install the CPU '
                        'build (torch==2.13.0 from the CPU index).')
    for name in ('opendatalab', 'openxlab'):
        try:
            version(name)
            problems.append(f'{name} is installed: it downgrades setuptools; '
                            'install openmim with --no-deps.')
        except PackageNotFoundError:
            pass
    if problems:
        print('\nmmsolotrack: the environment is not usable:', file=sys.stderr)
        for p in problems:
            print(f'  - {p}', file=sys.stderr)
        return 1
    print('mmsolotrack: environment OK')
    return 0


if __name__ == '__main__':
    sys.exit(main())
