# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Writing a SynthPose data set to disk, in the PoseTrack 2018 layout.

Layout (names are an interface)::

    <out>/images/train/<video>/<step:06d>.jpg
    <out>/images/unlabeled/<video>/<step:06d>.jpg     (no annotation at all)
    <out>/images/val/<video>/<step:06d>.jpg
    <out>/annotations/train/<video>.json   PoseTrack 2018, one per video
    <out>/annotations/val/<video>.json
    <out>/meta.json                        parameters, seed, version, counts

Frames are named by their *simulated* index (000000, 000005, ...); every
written frame is annotated (``is_labeled``). ``file_name`` is relative to
``<out>`` (as PoseTrack's are to its root). Image ids (= ``frame_id``) are
``(1 + split) * 10**9 + video * 10**4 + step``; annotation ids are
``image_id * 100 + person``; track ids count a video's people from 0.
Video ``<split>_<i>`` draws all its randomness from its own generator, so a
video does not change when other splits grow, and two runs give
byte-identical files.
"""
import json
import os
import os.path as osp
import shutil

import cv2
import numpy as np
from tqdm import tqdm

from ..posetrack_json import (POSETRACK18_KEYPOINTS, POSETRACK18_SKELETON,
                              posetrack18_categories)
from .config import SYNTHPOSE_VERSION, SynthPoseConfig
from .render import frame_people, render_frame
from .scene import sample_scene

#: Splits in generation order; the index is the split's seed key.
SPLITS = ('train', 'unlabeled', 'val')
#: Splits that get annotation files.
ANNOTATED_SPLITS = ('train', 'val')
#: Seed key of SynthPose (SynthVIS's videos use none): the two data sets
#: never share random streams.
_SEED_KEY = 2


def video_rng(seed: int, split: str, index: int) -> np.random.Generator:
    """The generator of video ``index`` of ``split``."""
    key = (_SEED_KEY, SPLITS.index(split), index)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def video_name(split: str, index: int) -> str:
    """Folder and ``vid_id`` of a video, e.g. ``val_0003``."""
    return f'{split}_{index:04d}'


def image_id(split: str, index: int, step: int) -> int:
    """The PoseTrack image id (and ``frame_id``) of a frame."""
    return (1 + SPLITS.index(split)) * 10**9 + index * 10**4 + step


def _write_jpg(path: str, rgb: np.ndarray, quality: int) -> None:
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    if not cv2.imwrite(path, bgr, [cv2.IMWRITE_JPEG_QUALITY, quality]):
        raise OSError(f'cv2.imwrite could not write {path}')


def generate_video(cfg: SynthPoseConfig, split: str, index: int,
                   out_dir: str) -> dict:
    """Render one video, write its frames, return its PoseTrack 2018 dict.

    Returns:
        dict: ``images``, ``annotations``, ``categories`` of the video.
    """
    rng = video_rng(cfg.seed, split, index)
    scene = sample_scene(rng, cfg)
    name = video_name(split, index)
    rel_dir = osp.join('images', split, name)
    os.makedirs(osp.join(out_dir, rel_dir), exist_ok=True)
    images, per_frame = [], []
    for k in range(cfg.num_frames):
        step = k * cfg.frame_stride
        image, labels, keypoints = render_frame(scene, step, rng,
                                                cfg.noise_std)
        file_name = osp.join(rel_dir, f'{step:06d}.jpg')
        _write_jpg(osp.join(out_dir, file_name), image, cfg.jpeg_quality)
        iid = image_id(split, index, step)
        images.append(
            dict(
                id=iid,
                vid_id=name,
                frame_id=iid,
                file_name=file_name,
                is_labeled=True,
                nframes=cfg.num_frames,
                has_no_densepose=True,
                width=cfg.width,
                height=cfg.height))
        per_frame.append(
            frame_people(scene, step, labels, keypoints,
                         cfg.min_visible_keypoints))
    annotations = []
    seen = [
        i for i in range(len(scene.people))
        if any(frame[i] is not None for frame in per_frame)
    ]
    for track_id, i in enumerate(seen):
        for image, frame in zip(images, per_frame):
            person = frame[i]
            if person is None:
                continue
            num_keypoints = sum(v > 0 for v in person['keypoints'][2::3])
            annotations.append(
                dict(
                    id=image['id'] * 100 + track_id,
                    image_id=image['id'],
                    track_id=track_id,
                    category_id=1,
                    iscrowd=0,
                    keypoints=person['keypoints'],
                    num_keypoints=int(num_keypoints),
                    bbox=person['bbox'],
                    bbox_head=person['bbox_head']))
    annotations.sort(key=lambda a: a['id'])
    return dict(
        images=images,
        annotations=annotations,
        categories=posetrack18_categories())


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
                              'earlier SynthPose data set')
    meta = osp.join(out_dir, 'meta.json')
    generator = None
    if osp.isfile(meta):
        with open(meta, encoding='utf-8') as f:
            generator = json.load(f).get('generator')
    if generator != 'mmsolotrack.datasets.synthpose':
        raise FileExistsError(f'out_dir {out_dir} is not empty and has no '
                              'SynthPose meta.json; refusing to overwrite it')
    for name in ('images', 'annotations'):
        shutil.rmtree(osp.join(out_dir, name), ignore_errors=True)
    os.remove(meta)


def generate_synthpose(out_dir: str,
                       cfg: SynthPoseConfig,
                       progress: bool = True,
                       overwrite: bool = False) -> dict:
    """Generate a SynthPose data set (layout in the module docstring).

    All parameters are validated before anything is written.

    Args:
        out_dir (str): Output folder; must be absent or empty unless
            ``overwrite``.
        cfg (SynthPoseConfig): Parameters (including the seed).
        progress (bool): Show a tqdm bar per split. Defaults to True.
        overwrite (bool): Replace an earlier SynthPose data set in
            ``out_dir``. Defaults to False.

    Returns:
        dict: ``out_dir``, ``meta`` (path), ``annotations`` (split -> folder
        of per-video jsons, train and val), ``image_dirs`` (split ->
        folder), ``num_videos``, ``num_frames``, ``num_tracks`` and
        ``num_annotations`` (split -> count).
    """
    if not isinstance(cfg, SynthPoseConfig):
        raise TypeError(f'cfg must be a SynthPoseConfig, got {type(cfg)}')
    cfg.validate()
    _prepare_out_dir(out_dir, overwrite)
    counts = dict(
        train=cfg.num_train, unlabeled=cfg.num_unlabeled, val=cfg.num_val)
    summary = dict(
        out_dir=out_dir,
        meta=osp.join(out_dir, 'meta.json'),
        annotations={},
        image_dirs={},
        num_videos={},
        num_frames={},
        num_tracks={},
        num_annotations={})
    for split in SPLITS:
        ann_dir = osp.join(out_dir, 'annotations', split)
        summary['image_dirs'][split] = osp.join(out_dir, 'images', split)
        os.makedirs(summary['image_dirs'][split], exist_ok=True)
        tracks = anns = 0
        for index in tqdm(
                range(counts[split]),
                desc=f'SynthPose {split}',
                unit='video',
                disable=not progress):
            video = generate_video(cfg, split, index, out_dir)
            if split in ANNOTATED_SPLITS:
                tracks += len({a['track_id'] for a in video['annotations']})
                anns += len(video['annotations'])
                os.makedirs(ann_dir, exist_ok=True)
                _dump(video,
                      osp.join(ann_dir,
                               video_name(split, index) + '.json'))
        if split in ANNOTATED_SPLITS:
            summary['annotations'][split] = ann_dir
        summary['num_videos'][split] = counts[split]
        summary['num_frames'][split] = counts[split] * cfg.num_frames
        summary['num_tracks'][split] = tracks
        summary['num_annotations'][split] = anns
    meta = dict(
        generator='mmsolotrack.datasets.synthpose',
        version=SYNTHPOSE_VERSION,
        seed=cfg.seed,
        config=cfg.to_dict(),
        keypoints=list(POSETRACK18_KEYPOINTS),
        skeleton=[list(p) for p in POSETRACK18_SKELETON],
        splits={
            split:
            dict(
                videos=summary['num_videos'][split],
                frames=summary['num_frames'][split],
                tracks=summary['num_tracks'][split],
                annotations=summary['num_annotations'][split])
            for split in SPLITS
        })
    _dump(meta, summary['meta'])
    return summary
