# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Writing a SynthVIS data set to disk.

Layout (names are an interface)::

    <out>/train/JPEGImages/<video>/<frame:05d>.jpg
    <out>/train/instances.json           official YouTube-VIS 2019 layout
    <out>/unlabeled/JPEGImages/<video>/<frame:05d>.jpg   (no json at all)
    <out>/val/JPEGImages/<video>/<frame:05d>.jpg
    <out>/val/instances.json
    <out>/annotations/synthvis_train.json   CocoVID layout
    <out>/annotations/synthvis_val.json
    <out>/meta.json                       parameters, seed, version, counts

Frames are named by their *simulated* index (00000, 00005, ...). Video
``<split>_<i>`` draws all its randomness from its own generator,
``default_rng(SeedSequence(seed, spawn_key=(split, i)))``, so a video does not
change when other splits grow, and two runs give byte-identical files.
"""
import json
import os
import os.path as osp
import shutil

import cv2
import numpy as np
from tqdm import tqdm

from ..converters import convert_ytvis_to_cocovid
from .config import SYNTHVIS_VERSION, SynthVISConfig
from .render import frame_annotations, render_frame
from .scene import sample_scene
from .shapes import SYNTHVIS_CLASSES, SYNTHVIS_PALETTE

#: Splits in generation order; the index is the split's seed key.
SPLITS = ('train', 'unlabeled', 'val')
#: Splits that get an official json and a CocoVID json.
ANNOTATED_SPLITS = ('train', 'val')


def video_rng(seed: int, split: str, index: int) -> np.random.Generator:
    """The generator of video ``index`` of ``split``."""
    key = (SPLITS.index(split), index)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def synthvis_categories() -> list:
    """Official-layout ``categories`` (ids from 1)."""
    return [
        dict(id=i + 1, name=name, supercategory='shape')
        for i, name in enumerate(SYNTHVIS_CLASSES)
    ]


def _write_jpg(path: str, rgb: np.ndarray, quality: int) -> None:
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    if not cv2.imwrite(path, bgr, [cv2.IMWRITE_JPEG_QUALITY, quality]):
        raise OSError(f'cv2.imwrite could not write {path}')


def generate_video(cfg: SynthVISConfig, split: str, index: int,
                   image_dir: str) -> tuple:
    """Render one video, write its frames, return its official entries.

    Args:
        cfg (SynthVISConfig): Parameters.
        split (str): One of ``SPLITS``.
        index (int): Video index within the split.
        image_dir (str): The split's ``JPEGImages`` folder.

    Returns:
        tuple[list[str], list[dict]]: ``file_names`` relative to
        ``image_dir``, and per visible-at-least-once object a dict with
        ``category_id``, ``segmentations``, ``bboxes``, ``areas`` (None
        where hidden).
    """
    rng = video_rng(cfg.seed, split, index)
    scene = sample_scene(rng, cfg)
    name = f'{split}_{index:04d}'
    os.makedirs(osp.join(image_dir, name), exist_ok=True)
    num = len(scene.objects)
    file_names, per_frame = [], []
    for k in range(cfg.num_frames):
        step = k * cfg.frame_stride
        image, labels = render_frame(scene, step, rng, cfg.noise_std)
        file_name = f'{name}/{step:05d}.jpg'
        _write_jpg(osp.join(image_dir, file_name), image, cfg.jpeg_quality)
        file_names.append(file_name)
        per_frame.append(
            frame_annotations(labels, num, cfg.min_visible_area))
    tracks = []
    for i, obj in enumerate(scene.objects):
        frames = [per_frame[k][i] for k in range(cfg.num_frames)]
        if all(f is None for f in frames):
            continue  # never visible: not an instance of this video
        tracks.append(
            dict(
                category_id=obj.category + 1,
                segmentations=[f and f[0] for f in frames],
                bboxes=[f and f[1] for f in frames],
                areas=[f and f[2] for f in frames]))
    return file_names, tracks


def generate_split(cfg: SynthVISConfig, split: str, num_videos: int,
                   split_dir: str, progress: bool = True) -> dict:
    """Write a split's frames and build its official-layout json.

    Returns:
        dict: Official YouTube-VIS 2019 layout (``info``, ``licenses``,
        ``videos``, ``annotations``, ``categories``).
    """
    image_dir = osp.join(split_dir, 'JPEGImages')
    os.makedirs(image_dir, exist_ok=True)
    videos, annotations = [], []
    for index in tqdm(range(num_videos), desc=f'SynthVIS {split}',
                      unit='video', disable=not progress):
        file_names, tracks = generate_video(cfg, split, index, image_dir)
        video_id = index + 1
        videos.append(
            dict(
                id=video_id,
                width=cfg.width,
                height=cfg.height,
                length=len(file_names),
                file_names=file_names,
                date_captured='',
                license=1))
        for track in tracks:
            annotations.append(
                dict(
                    id=len(annotations) + 1,
                    video_id=video_id,
                    iscrowd=0,
                    width=cfg.width,
                    height=cfg.height,
                    length=1,
                    **track))
    return dict(
        info=dict(
            description=f'SynthVIS {split}',
            version=SYNTHVIS_VERSION,
            seed=cfg.seed),
        licenses=[dict(id=1, name='generated', url='')],
        videos=videos,
        annotations=annotations,
        categories=synthvis_categories())


def _dump(obj, path: str) -> None:
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(obj, f)


def _prepare_out_dir(out_dir: str, overwrite: bool) -> None:
    if osp.exists(out_dir) and not osp.isdir(out_dir):
        raise FileExistsError(f'out_dir {out_dir} exists and is not a folder')
    if not osp.isdir(out_dir) or not os.listdir(out_dir):
        return
    if not overwrite:
        raise FileExistsError(f'out_dir {out_dir} is not empty; pass '
                              'overwrite=True (--overwrite) to replace an '
                              'earlier SynthVIS data set')
    if not osp.isfile(osp.join(out_dir, 'meta.json')):
        raise FileExistsError(f'out_dir {out_dir} is not empty and has no '
                              'meta.json, so it is not a SynthVIS data set; '
                              'refusing to overwrite it')
    for name in SPLITS + ('annotations', ):
        shutil.rmtree(osp.join(out_dir, name), ignore_errors=True)
    os.remove(osp.join(out_dir, 'meta.json'))


def generate_synthvis(out_dir: str,
                      cfg: SynthVISConfig,
                      progress: bool = True,
                      overwrite: bool = False) -> dict:
    """Generate a SynthVIS data set (layout in the module docstring).

    All parameters are validated before anything is written.

    Args:
        out_dir (str): Output folder; must be absent or empty unless
            ``overwrite``.
        cfg (SynthVISConfig): Parameters (including the seed).
        progress (bool): Show a tqdm bar per split. Defaults to True.
        overwrite (bool): Replace an earlier SynthVIS data set in
            ``out_dir``. Defaults to False.

    Returns:
        dict: ``out_dir``, ``meta`` (path), ``official`` and ``cocovid``
        (split -> json path, for train and val), ``image_dirs`` (split ->
        JPEGImages path), ``num_videos``, ``num_frames``, ``num_instances``
        and ``num_annotations`` (split -> count; the last two count
        instance tracks and visible (instance, frame) pairs).
    """
    if not isinstance(cfg, SynthVISConfig):
        raise TypeError(f'cfg must be a SynthVISConfig, got {type(cfg)}')
    cfg.validate()
    _prepare_out_dir(out_dir, overwrite)
    counts = dict(train=cfg.num_train, unlabeled=cfg.num_unlabeled,
                  val=cfg.num_val)
    summary = dict(
        out_dir=out_dir,
        meta=osp.join(out_dir, 'meta.json'),
        official={},
        cocovid={},
        image_dirs={},
        num_videos={},
        num_frames={},
        num_instances={},
        num_annotations={})
    ann_dir = osp.join(out_dir, 'annotations')
    os.makedirs(ann_dir, exist_ok=True)
    for split in SPLITS:
        split_dir = osp.join(out_dir, split)
        official = generate_split(cfg, split, counts[split], split_dir,
                                  progress)
        summary['image_dirs'][split] = osp.join(split_dir, 'JPEGImages')
        summary['num_videos'][split] = counts[split]
        summary['num_frames'][split] = counts[split] * cfg.num_frames
        summary['num_instances'][split] = len(official['annotations'])
        summary['num_annotations'][split] = sum(
            a is not None for track in official['annotations']
            for a in track['areas'])
        if split not in ANNOTATED_SPLITS:
            continue
        official_path = osp.join(split_dir, 'instances.json')
        _dump(official, official_path)
        cocovid_path = osp.join(ann_dir, f'synthvis_{split}.json')
        _dump(
            convert_ytvis_to_cocovid(official, True, official_path),
            cocovid_path)
        summary['official'][split] = official_path
        summary['cocovid'][split] = cocovid_path
    meta = dict(
        generator='mmsolotrack.datasets.synthvis',
        version=SYNTHVIS_VERSION,
        seed=cfg.seed,
        config=cfg.to_dict(),
        classes=list(SYNTHVIS_CLASSES),
        palette=[list(c) for c in SYNTHVIS_PALETTE],
        splits={
            split: dict(
                videos=summary['num_videos'][split],
                frames=summary['num_frames'][split],
                instances=summary['num_instances'][split],
                annotations=summary['num_annotations'][split])
            for split in SPLITS
        })
    _dump(meta, summary['meta'])
    return summary
