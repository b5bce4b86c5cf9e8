# Copyright (c) mmsolotrack contributors. All rights reserved.
"""CLI: ``python -m mmsolotrack.datasets.synthvis --out DIR [--seed N ...]``.

Every :class:`SynthVISConfig` field is an option (``num_train`` ->
``--num-train``).
"""
import argparse
import sys
from dataclasses import MISSING, fields

from .config import SynthVISConfig
from .generator import generate_synthvis


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one option per config field."""
    parser = argparse.ArgumentParser(
        prog='python -m mmsolotrack.datasets.synthvis',
        description='Generate the SynthVIS video instance segmentation data '
        'set (YouTube-VIS layout + CocoVID json).')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace an earlier SynthVIS data set in --out')
    parser.add_argument(
        '--no-progress', action='store_true', help='hide the progress bars')
    for f in fields(SynthVISConfig):
        default = f.default if f.default is not MISSING else None
        parser.add_argument(
            '--' + f.name.replace('_', '-'),
            type=f.type,
            default=default,
            help=f"{f.metadata.get('help', '')} (default: {default})")
    return parser


def main(argv=None) -> int:
    """Run the CLI; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    values = {f.name: getattr(args, f.name) for f in fields(SynthVISConfig)}
    try:
        cfg = SynthVISConfig(**values)
        summary = generate_synthvis(
            args.out, cfg, progress=not args.no_progress,
            overwrite=args.overwrite)
    except (ValueError, FileExistsError) as exc:
        parser.error(str(exc))
    print(f'SynthVIS (seed {cfg.seed}) written to {summary["out_dir"]}')
    for split, count in summary['num_videos'].items():
        instances = (f'{summary["num_instances"][split]:4d} instances'
                     if split in summary['official'] else 'no annotations')
        print(f'  {split:9s} {count:4d} videos, '
              f'{summary["num_frames"][split]:5d} frames, {instances:14s} '
              f'-> {summary["image_dirs"][split]}')
    for split, path in summary['official'].items():
        print(f'  official {split:5s}: {path}')
    for split, path in summary['cocovid'].items():
        print(f'  CocoVID  {split:5s}: {path}')
    print(f'  meta: {summary["meta"]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
