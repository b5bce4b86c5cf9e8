# Copyright (c) mmsolotrack contributors. All rights reserved.
"""CLI: ``python -m mmsolotrack.datasets.synthpose --out DIR [--seed N ...]``.

Every :class:`SynthPoseConfig` field is an option (``num_train`` ->
``--num-train``).
"""
import argparse
import sys
from dataclasses import MISSING, fields

from .config import SynthPoseConfig
from .generator import generate_synthpose


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one option per config field."""
    parser = argparse.ArgumentParser(
        prog='python -m mmsolotrack.datasets.synthpose',
        description='Generate the SynthPose multi-person pose tracking data '
        'set (PoseTrack 2018 layout).')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='replace an earlier SynthPose data set in --out')
    parser.add_argument(
        '--no-progress', action='store_true', help='hide the progress bars')
    for f in fields(SynthPoseConfig):
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
    values = {f.name: getattr(args, f.name) for f in fields(SynthPoseConfig)}
    try:
        cfg = SynthPoseConfig(**values)
        summary = generate_synthpose(
            args.out,
            cfg,
            progress=not args.no_progress,
            overwrite=args.overwrite)
    except (ValueError, FileExistsError) as exc:
        parser.error(str(exc))
    print(f'SynthPose (seed {cfg.seed}) written to {summary["out_dir"]}')
    for split, count in summary['num_videos'].items():
        people = (f'{summary["num_tracks"][split]:4d} tracks, '
                  f'{summary["num_annotations"][split]:5d} poses'
                  if split in summary['annotations'] else 'no annotations')
        print(f'  {split:9s} {count:4d} videos, '
              f'{summary["num_frames"][split]:5d} frames, {people:24s} '
              f'-> {summary["image_dirs"][split]}')
    for split, path in summary['annotations'].items():
        print(f'  PoseTrack 2018 jsons {split:5s}: {path}')
    print(f'  meta: {summary["meta"]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
