# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Official YouTube-VIS (2019 / 2021) and OVIS json -> CocoVID json.

The official layout stores one annotation per *instance track* with
per-frame lists (``segmentations``, ``bboxes``, ``areas``; ``None`` where the
instance is not visible). mmdet's ``YouTubeVISDataset`` reads the CocoVID
layout instead: ``videos``, one ``images`` entry per frame (``video_id``,
``frame_id``, ``file_name``, ``height``, ``width``) and one ``annotations``
entry per visible (instance, frame) with ``instance_id``, ``video_id``,
``image_id``, ``category_id``, ``bbox`` (x, y, w, h), ``area``,
``segmentation`` and ``iscrowd``.

Instance ids are renumbered from 1 (mmdet treats ``instance_id == 0`` as
missing); image and annotation ids too. Video and category ids are kept.
"""
import copy
import json
import os
import os.path as osp
from typing import Dict, Optional, Tuple

from .holdout import (HOLDOUT_PARTS, check_holdout_fraction, holdout_paths,
                      split_holdout)

_VIDEO_KEYS = ('id', 'file_names', 'width', 'height')
_TRACK_KEYS = ('id', 'video_id', 'category_id', 'segmentations', 'bboxes',
               'areas')


def _require(entry, keys, where: str, source: str, hint: str = '') -> None:
    if not isinstance(entry, dict):
        raise ValueError(f'{source}: {where} must be a json object, got '
                         f'{type(entry).__name__}')
    for key in keys:
        if key not in entry:
            raise ValueError(f"{source}: {where} lacks the key '{key}'"
                             f'{hint}')


def convert_ytvis_to_cocovid(official: dict,
                             has_annotations: bool = True,
                             source: str = 'the YouTube-VIS json') -> dict:
    """Convert the official YouTube-VIS / OVIS layout to CocoVID.

    Args:
        official (dict): Parsed official json with ``videos``,
            ``categories`` and (when ``has_annotations``) ``annotations``.
        has_annotations (bool): Whether to convert ``annotations``; False for
            valid / test files, which have none. Defaults to True.
        source (str): Name of the input (a file path) used in error
            messages.

    Returns:
        dict: CocoVID json with ``info``, ``licenses``, ``categories``,
        ``videos`` (``id``, ``name``, ``width``, ``height``), ``images`` and
        ``annotations`` (empty without annotations).

    Raises:
        ValueError: When a required key is missing or lists are
            inconsistent; the message names ``source`` and the key.
    """
    hint = (' (valid/test files have no annotations: convert them with '
            'has_annotations=False / --no-annotations)'
            if has_annotations else '')
    top_keys = ('videos', 'categories') + (
        ('annotations', ) if has_annotations else ())
    _require(official, top_keys, 'the top level', source, hint)
    for i, cat in enumerate(official['categories']):
        _require(cat, ('id', 'name'), f'categories[{i}]', source)
    cat_ids = {cat['id'] for cat in official['categories']}

    out = dict(
        info=copy.deepcopy(official.get('info', {})),
        licenses=copy.deepcopy(official.get('licenses', [])),
        categories=copy.deepcopy(official['categories']),
        videos=[],
        images=[],
        annotations=[])
    frame_image_ids = {}  # video id -> list of image ids, one per frame
    for i, video in enumerate(official['videos']):
        _require(video, _VIDEO_KEYS, f'videos[{i}]', source)
        vid = video['id']
        if vid in frame_image_ids:
            raise ValueError(f'{source}: videos[{i}] repeats video id {vid}')
        names = video['file_names']
        if not names:
            raise ValueError(f"{source}: videos[{i}] (id={vid}) has an empty "
                             "'file_names'")
        first = names[0].replace('\\', '/')
        out['videos'].append(
            dict(
                id=vid,
                name=first.split('/')[0] if '/' in first else str(vid),
                width=video['width'],
                height=video['height']))
        frame_image_ids[vid] = []
        for frame_id, file_name in enumerate(names):
            image_id = len(out['images']) + 1
            out['images'].append(
                dict(
                    id=image_id,
                    video_id=vid,
                    frame_id=frame_id,
                    file_name=file_name,
                    height=video['height'],
                    width=video['width']))
            frame_image_ids[vid].append(image_id)

    if not has_annotations:
        return out
    instance_id = 0
    for i, track in enumerate(official['annotations']):
        where = f'annotations[{i}]'
        _require(track, _TRACK_KEYS, where, source)
        vid = track['video_id']
        if vid not in frame_image_ids:
            raise ValueError(f'{source}: {where} refers to video_id {vid}, '
                             "which is not in 'videos'")
        if track['category_id'] not in cat_ids:
            raise ValueError(f"{source}: {where} has category_id "
                             f"{track['category_id']}, which is not in "
                             "'categories'")
        image_ids = frame_image_ids[vid]
        for key in ('segmentations', 'bboxes', 'areas'):
            if len(track[key]) != len(image_ids):
                raise ValueError(
                    f"{source}: {where} '{key}' has {len(track[key])} "
                    f'entries but video {vid} has {len(image_ids)} frames')
        instance_id += 1
        for frame_id, image_id in enumerate(image_ids):
            segm = track['segmentations'][frame_id]
            bbox = track['bboxes'][frame_id]
            if segm is None or bbox is None:
                continue  # not visible in this frame
            area = track['areas'][frame_id]
            if area is None:
                raise ValueError(f"{source}: {where} has a box but no "
                                 f"'areas' entry for frame {frame_id}")
            out['annotations'].append(
                dict(
                    id=len(out['annotations']) + 1,
                    video_id=vid,
                    image_id=image_id,
                    category_id=track['category_id'],
                    instance_id=instance_id,
                    bbox=list(bbox),
                    area=area,
                    segmentation=segm,
                    iscrowd=track.get('iscrowd', 0)))
    return out


def _read_official(in_path: str) -> dict:
    if not osp.isfile(in_path):
        raise FileNotFoundError(f'YouTube-VIS json not found: {in_path}')
    with open(in_path, encoding='utf-8') as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as exc:
            raise ValueError(f'{in_path}: not valid json ({exc})') from exc


def _write_json(obj: dict, out_path: str) -> None:
    os.makedirs(osp.dirname(osp.abspath(out_path)), exist_ok=True)
    with open(out_path, 'w', encoding='utf-8') as f:
        json.dump(obj, f)


def convert_ytvis_file(in_path: str,
                       out_path: Optional[str] = None,
                       has_annotations: bool = True) -> dict:
    """Read an official json, convert it, and write CocoVID to ``out_path``.

    Args:
        in_path (str): Official YouTube-VIS / OVIS json.
        out_path (str, optional): Where to write the CocoVID json (parent
            folders are created); nothing is written when None.
        has_annotations (bool): See :func:`convert_ytvis_to_cocovid`.

    Returns:
        dict: The CocoVID json.
    """
    official = _read_official(in_path)
    cocovid = convert_ytvis_to_cocovid(official, has_annotations, in_path)
    if out_path is not None:
        _write_json(cocovid, out_path)
    return cocovid


def convert_holdout_file(in_path: str,
                         out_path: str,
                         fraction: float,
                         seed: int = 0) -> Dict[str, Tuple[str, dict]]:
    """Split an official *train* json into train minus holdout and holdout
    (:func:`~.holdout.split_holdout`) and write each as CocoVID.

    Args:
        in_path (str): Official train json (with annotations).
        out_path (str): The CocoVID name of the whole file; the parts go to
            :func:`~.holdout.holdout_paths` of it.
        fraction (float): F in (0, 1), the share of videos held out.
        seed (int): S, the split's seed. Defaults to 0.

    Returns:
        dict: ``'train_minus_holdout'`` and ``'holdout'`` -> (output path,
        CocoVID json).
    """
    parts = split_holdout(_read_official(in_path), fraction, seed, in_path)
    cocovids = [convert_ytvis_to_cocovid(p, True, in_path) for p in parts]
    done = {}
    for name, cocovid, path in zip(HOLDOUT_PARTS, cocovids,
                                   holdout_paths(out_path)):
        _write_json(cocovid, path)
        done[name] = (path, cocovid)
    return done


#: Official file names per data set version and split (relative to the data
#: set root), and the CocoVID name written to ``<root>/annotations/``.
OFFICIAL_LAYOUTS = {
    '2019': {
        split: (f'{split}.json', f'youtube_vis_2019_{split}.json')
        for split in ('train', 'valid', 'test')
    },
    '2021': {
        split: (f'{split}/instances.json', f'youtube_vis_2021_{split}.json')
        for split in ('train', 'valid', 'test')
    },
    'ovis': {
        split: (f'annotations_{split}.json', f'ovis_{split}.json')
        for split in ('train', 'valid', 'test')
    },
}


def convert_ytvis_root(root: str,
                       version: str,
                       out_dir: Optional[str] = None,
                       holdout_fraction: Optional[float] = None,
                       holdout_seed: int = 0) -> dict:
    """Convert every official split json found under a data set root.

    ``train`` must carry annotations; ``valid`` / ``test`` are converted
    with annotations only when their json has them (the official ones do
    not). Missing split files are skipped; finding none is an error.

    Args:
        root (str): Data set root, e.g. ``data/youtube_vis_2019``.
        version (str): ``'2019'``, ``'2021'`` or ``'ovis'`` (file names in
            :data:`OFFICIAL_LAYOUTS`).
        out_dir (str, optional): Output folder. Defaults to
            ``<root>/annotations``.
        holdout_fraction (float, optional): When given, the train json is
            also split (:func:`convert_holdout_file`) into
            ``<name>_train_minus_holdout.json`` and
            ``<name>_train_holdout.json``. Defaults to None.
        holdout_seed (int): The split's seed. Defaults to 0.

    Returns:
        dict: split (and, with a holdout, ``'train_minus_holdout'`` and
        ``'holdout'``) -> (input path, output path, CocoVID json).
    """
    if version not in OFFICIAL_LAYOUTS:
        raise ValueError(f'version must be one of {sorted(OFFICIAL_LAYOUTS)}'
                         f', got {version!r}')
    if not osp.isdir(root):
        raise FileNotFoundError(f'data set root not found: {root}')
    if holdout_fraction is not None:  # before anything is written
        check_holdout_fraction(holdout_fraction, root)
    out_dir = out_dir or osp.join(root, 'annotations')
    done = {}
    for split, (rel_in, out_name) in OFFICIAL_LAYOUTS[version].items():
        in_path = osp.join(root, rel_in)
        if not osp.isfile(in_path):
            continue
        out_path = osp.join(out_dir, out_name)
        if split == 'train':
            has_annotations = True
        else:
            with open(in_path, encoding='utf-8') as f:
                has_annotations = 'annotations' in json.load(f)
        done[split] = (in_path, out_path,
                       convert_ytvis_file(in_path, out_path, has_annotations))
        if split == 'train' and holdout_fraction is not None:
            parts = convert_holdout_file(in_path, out_path, holdout_fraction,
                                         holdout_seed)
            for part, (path, cocovid) in parts.items():
                done[part] = (in_path, path, cocovid)
    if holdout_fraction is not None and 'train' not in done:
        raise FileNotFoundError(
            f'a holdout split needs the train json, not found: '
            f"{osp.join(root, OFFICIAL_LAYOUTS[version]['train'][0])}")
    if not done:
        expected = ', '.join(
            osp.join(root, rel)
            for rel, _ in OFFICIAL_LAYOUTS[version].values())
        raise FileNotFoundError(f'no YouTube-VIS {version} json found; '
                                f'looked for {expected}')
    return done
