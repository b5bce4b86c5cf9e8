# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Convert official YouTube-VIS 2019 / 2021 or OVIS json to CocoVID json.

mmdet's ``YouTubeVISDataset`` reads the CocoVID layout. Examples::

    # one file (valid / test files have no annotations)
    python tools/dataset_converters/youtubevis2coco.py \
        -i data/youtube_vis_2019/train.json \
        -o data/youtube_vis_2019/annotations/youtube_vis_2019_train.json
    python tools/dataset_converters/youtubevis2coco.py --no-annotations \
        -i data/youtube_vis_2019/valid.json -o valid_cocovid.json

    # every split of a data set root, standard file names
    python tools/dataset_converters/youtubevis2coco.py \
        --dataset-root data/youtube_vis_2019 --version 2019

Standard names (``--dataset-root``): 2019 ``{train,valid,test}.json``; 2021
``{train,valid,test}/instances.json``; OVIS
``annotations_{train,valid,test}.json``. Output:
``<root>/annotations/{youtube_vis_2019,youtube_vis_2021,ovis}_<split>.json``
(or ``-o DIR``).

A held-out split of the annotated train videos, for measuring AP locally
(the official valid / test annotations are hidden)::

    # also writes youtube_vis_2019_train_minus_holdout.json (train on it)
    # and youtube_vis_2019_train_holdout.json (evaluate on it)
    python tools/dataset_converters/youtubevis2coco.py \
        --dataset-root data/youtube_vis_2019 --version 2019 \
        --holdout-fraction 0.1 --holdout-seed 0

With ``-i train.json -o X.json`` the parts are ``X_minus_holdout.json`` and
``X_holdout.json``. The split depends only on the video ids, the fraction
and the seed (docs/dataset_preparation.md).
"""
import argparse
import sys

from mmsolotrack.datasets.converters import (OFFICIAL_LAYOUTS,
                                             check_holdout_fraction,
                                             convert_holdout_file,
                                             convert_ytvis_file,
                                             convert_ytvis_root)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description='YouTube-VIS / OVIS official json -> CocoVID json')
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('-i', '--input', help='one official json')
    source.add_argument(
        '--dataset-root',
        help='data set root holding the official jsons under their '
        'standard names (needs --version)')
    parser.add_argument(
        '-o',
        '--output',
        help='with -i: the CocoVID json to write (required); with '
        '--dataset-root: output folder (default <root>/annotations)')
    parser.add_argument(
        '--version',
        choices=sorted(OFFICIAL_LAYOUTS),
        help='data set version, for --dataset-root')
    parser.add_argument(
        '--no-annotations',
        action='store_true',
        help='with -i: the file has no annotations (valid / test splits)')
    parser.add_argument(
        '--holdout-fraction',
        type=float,
        help='also split the train videos: this fraction (0 < F < 1) of '
        'them, with their annotations, to <out>_holdout.json, the rest to '
        '<out>_minus_holdout.json')
    parser.add_argument(
        '--holdout-seed',
        type=int,
        help='seed of the holdout split (default 0); the same seed gives '
        'the same split')
    return parser


def _describe(cocovid: dict) -> str:
    return (f"{len(cocovid['videos'])} videos, {len(cocovid['images'])} "
            f"images, {len(cocovid['annotations'])} annotations")


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.input and not args.output:
        parser.error('-i/--input needs -o/--output (the CocoVID json to '
                     'write)')
    if args.dataset_root and not args.version:
        parser.error('--dataset-root needs --version '
                     f'({"|".join(sorted(OFFICIAL_LAYOUTS))})')
    holdout = args.holdout_fraction
    if holdout is None and args.holdout_seed is not None:
        parser.error('--holdout-seed needs --holdout-fraction')
    if holdout is not None and args.no_annotations:
        parser.error('--holdout-fraction splits an annotated train json; '
                     'it cannot be used with --no-annotations')
    seed = 0 if args.holdout_seed is None else args.holdout_seed
    try:
        if holdout is not None:  # before anything is written
            check_holdout_fraction(holdout, '--holdout-fraction')
        if args.input:
            cocovid = convert_ytvis_file(args.input, args.output,
                                         not args.no_annotations)
            print(f'{args.input} -> {args.output}: {_describe(cocovid)}')
            if holdout is not None:
                parts = convert_holdout_file(args.input, args.output,
                                             holdout, seed)
                for part, (out_path, cocovid) in parts.items():
                    print(f'{part} (fraction {holdout}, seed {seed}): '
                          f'{args.input} -> {out_path}: '
                          f'{_describe(cocovid)}')
        else:
            done = convert_ytvis_root(args.dataset_root, args.version,
                                      args.output, holdout, seed)
            for split, (in_path, out_path, cocovid) in done.items():
                print(f'{split}: {in_path} -> {out_path}: '
                      f'{_describe(cocovid)}')
            if holdout is not None:
                print(f'holdout split: fraction {holdout}, seed {seed}')
    except (ValueError, FileNotFoundError) as exc:
        parser.error(str(exc))
    return 0


if __name__ == '__main__':
    sys.exit(main())
