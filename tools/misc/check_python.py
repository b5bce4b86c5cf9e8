# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Stop `make install` early, with a clear message, on an unusable Python."""
import sys

SUPPORTED = ((3, 8), (3, 12))


def main() -> int:
    ver = sys.version_info[:2]
    if not SUPPORTED[0] <= ver <= SUPPORTED[1]:
        print(f'mmsolotrack: Python {ver[0]}.{ver[1]} ({sys.executable}) is '
              'not supported: mmcv 2.1.0 builds on Python 3.8-3.12. '
              'Run `make install PYTHON=python3.11`.', file=sys.stderr)
        return 1
    try:
        import venv  # noqa: F401
        import ensurepip  # noqa: F401
    except ImportError:
        print('mmsolotrack: this Python has no venv/ensurepip module; '
              'install it (e.g. `apt-get install python3-venv`) or pass '
              'another interpreter: `make install PYTHON=...`.',
              file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
