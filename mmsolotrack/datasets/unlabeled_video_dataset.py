# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Clips of unlabelled videos for self-supervised (cycle-consistency) training.

Three sources, all giving the same items (one clip of T frames of one video):

* a folder of video files (``.mp4 .avi .mov .mkv``), decoded on the fly with
  OpenCV, reading only the frames a clip needs;
* a tree of frame folders (``<root>/<video>/<frame>.jpg``, frames in
  natural order of their names: ``f_2`` before ``f_10``), e.g. the
  YouTube-VIS ``JPEGImages`` tree;
* a YouTube-VIS official or CocoVID json whose annotations are ignored (only
  the frame lists are read), frames under the image prefix.

A frame that cannot be read is never replaced by another one: the clip is
skipped (a :class:`VideoReadWarning` names the file and frame, the skip is
counted) and mmengine draws another item, or, with ``strict=True``, a
:class:`VideoReadError` is raised. Reading (and the rule that the frame at
the cut of a truncated file is never served) is :mod:`.video_io`.
"""
import os
import os.path as osp
import warnings
from collections import Counter
from typing import Dict, List, Optional

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.fileio import get_local_path, load

from mmsolotrack.registry import DATASETS
from .skip_log import SkipCountsMixin, SkipLog
from .video_io import (IMAGE_EXTENSIONS, VIDEO_EXTENSIONS, VideoReadError,
                       VideoReadWarning, list_frame_files, natural_key,
                       probe_video, read_clip_frames, read_image_frame)

CLIP_MODES = ('pair', 'palindrome')
#: Frame ids of a clip are ``video_index * FRAME_ID_BASE + frame_index``.
FRAME_ID_BASE = 10**7


@DATASETS.register_module()
class UnlabeledVideoDataset(SkipCountsMixin, BaseDataset):
    """Clips of unlabelled videos: video files, frame folders or a json.

    Each item is a clip of T frames of one video, in temporal order:
    ``clip_mode='pair'`` gives (t, t') with t' - t uniform in [1, G]
    (``max_gap``); ``clip_mode='palindrome'`` gives ``clip_len`` frames with
    each consecutive gap in [1, G] (the model chains t -> ... -> t_T -> ... ->
    t). Videos too short for the clip are clamped (see
    :meth:`sample_frame_indices`), never an error.

    The pipeline gets ``img`` as a list of T (H, W, 3) uint8 BGR arrays and,
    per frame, ``img_id``, ``frame_id`` (index in the video), ``img_path``
    (``video.mp4#123`` for video files), ``ori_shape``, ``img_shape``,
    ``video_id``, ``video_length`` (T) and ``ori_video_length`` (frames in
    the video): what ``mmcv.TransformBroadcaster`` and
    ``mmdet.PackTrackInputs`` need.

    Args:
        data_root (str): Root joined to ``ann_file`` and ``data_prefix``.
        data_prefix (dict): ``img_path``: a folder of video files and / or
            frame folders (one sub-folder per video), or a single video
            file; with ``ann_file``, the prefix of the json's file names.
        ann_file (str): Optional YouTube-VIS official (``videos[*].
            file_names``) or CocoVID (``images`` with ``video_id`` /
            ``frame_id``) json. Annotations are never read.
        clip_mode (str): ``'pair'`` or ``'palindrome'``.
        clip_len (int, optional): T for ``'palindrome'`` (default 3, >= 2);
            ``'pair'`` is always 2.
        max_gap (int): G, the largest gap between consecutive clip frames,
            in frames of the source (for a json: of its frame list).
        seed (int, optional): Fix the clip of each item: item i always gives
            the same frames. None (default) draws from numpy's global RNG,
            which mmengine seeds per worker.
        strict (bool): Raise :class:`VideoReadError` on an unreadable video
            or frame instead of skipping the item with a warning.
        seek_threshold (int, optional): For video files, seek instead of
            decoding forward over more than this many frames. None always
            decodes forward (slow; for codecs that do not seek exactly).
        backend_args (dict, optional): mmengine file backend for frame
            images and the json (video files must be local).
        metainfo (dict, optional): ``classes`` must equal those of the
            labelled dataset when both sit in a ``ConcatDataset``. Without
            it, a json's categories are used, else ``()``.
        **kwargs: As for :class:`mmengine.dataset.BaseDataset`.

    Attributes:
        num_skipped (int): Skip records so far, from all worker processes:
            one per skipped clip, and one per video left out at load time.
        skipped_files (Counter): Skip records per file.
    """

    METAINFO = dict(classes=(), palette=None)

    def __init__(self,
                 data_root: str = '',
                 data_prefix: dict = dict(img_path=''),
                 ann_file: str = '',
                 clip_mode: str = 'pair',
                 clip_len: Optional[int] = None,
                 max_gap: int = 10,
                 seed: Optional[int] = None,
                 strict: bool = False,
                 seek_threshold: Optional[int] = 16,
                 backend_args: Optional[dict] = None,
                 **kwargs) -> None:
        if clip_mode not in CLIP_MODES:
            raise ValueError(f'UnlabeledVideoDataset: clip_mode must be one '
                             f'of {CLIP_MODES}, got {clip_mode!r}')
        if clip_mode == 'pair':
            if clip_len not in (None, 2):
                raise ValueError('UnlabeledVideoDataset: clip_mode="pair" '
                                 f'has 2 frames, got clip_len={clip_len}')
            clip_len = 2
        elif clip_len is None:
            clip_len = 3
        if not isinstance(clip_len, int) or clip_len < 2:
            raise ValueError('UnlabeledVideoDataset: clip_len must be an int '
                             f'>= 2, got {clip_len!r}')
        if not isinstance(max_gap, int) or max_gap < 1:
            raise ValueError('UnlabeledVideoDataset: max_gap must be an int '
                             f'>= 1, got {max_gap!r}')
        if seek_threshold is not None and seek_threshold < 0:
            raise ValueError('UnlabeledVideoDataset: seek_threshold must be '
                             f'>= 0 or None, got {seek_threshold}')
        if 'img_path' not in data_prefix:
            raise KeyError('UnlabeledVideoDataset: data_prefix needs the key '
                           f'"img_path", got {dict(data_prefix)}')
        self.clip_mode = clip_mode
        self.clip_len = clip_len
        self.max_gap = max_gap
        self.seed = seed
        self.strict = strict
        self.seek_threshold = seek_threshold
        self.backend_args = backend_args
        self.skip_log = SkipLog()
        # frames known to decode, per video file (this process only)
        self._usable_len: Dict[str, int] = {}
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=data_prefix,
            **kwargs)

    # ------------------------------------------------------------- loading
    def load_data_list(self) -> List[dict]:
        """One entry per video: ``kind`` ('video' | 'frames'), ``path``
        (video file or folder), ``frames`` (frame files), ``num_frames``.
        """
        if self.ann_file:
            videos = self._load_json()
        else:
            videos = self._scan_folder(self.data_prefix['img_path'])
        data_list = []
        for video in videos:
            if video['num_frames'] < 1:
                self._skip_video(video['path'], 'no frames')
                continue
            data_list.append(video)
        if not data_list:
            source = self.ann_file or self.data_prefix['img_path']
            raise ValueError(f'UnlabeledVideoDataset: no readable video in '
                             f'{source} (video files {VIDEO_EXTENSIONS} or '
                             f'folders of {IMAGE_EXTENSIONS} frames)')
        return data_list

    def _skip_video(self, path: str, reason: str) -> None:
        if self.strict:
            raise VideoReadError(path, None, reason)
        warnings.warn(
            f'UnlabeledVideoDataset: leaving out {path}: {reason}',
            VideoReadWarning,
            stacklevel=3)
        self.skip_log.add(path, None, reason)

    def _scan_folder(self, root: str) -> List[dict]:
        if osp.isfile(root) and root.lower().endswith(VIDEO_EXTENSIONS):
            entries = [(osp.basename(root), root)]
        elif osp.isdir(root):
            entries = sorted(((e.name, e.path) for e in os.scandir(root)
                              if not e.name.startswith('.')),
                             key=lambda entry: natural_key(entry[0]))
        else:
            raise FileNotFoundError(
                f'UnlabeledVideoDataset: data_prefix.img_path={root!r} is '
                'neither a folder nor a video file')
        videos = []
        for name, path in entries:
            if osp.isdir(path):
                frames = list_frame_files(path)
                if not frames:
                    continue  # not a frame folder
                videos.append(
                    dict(
                        kind='frames',
                        name=name,
                        path=path,
                        frames=frames,
                        num_frames=len(frames)))
            elif name.lower().endswith(VIDEO_EXTENSIONS):
                try:
                    num = probe_video(path)
                except VideoReadError as e:
                    self._skip_video(path, e.reason)
                    continue
                videos.append(
                    dict(kind='video', name=name, path=path, frames=[],
                         num_frames=num))
        for i, video in enumerate(videos):
            video['video_id'] = i
        return videos

    def _load_json(self) -> List[dict]:
        with get_local_path(
                self.ann_file, backend_args=self.backend_args) as path:
            ann = load(path)
        prefix = self.data_prefix['img_path']
        if not isinstance(ann, dict) or 'videos' not in ann:
            raise ValueError(f'UnlabeledVideoDataset: {self.ann_file} is not '
                             'a YouTube-VIS / CocoVID json (no "videos")')
        if not self._metainfo.get('classes') and ann.get('categories'):
            cats = sorted(ann['categories'], key=lambda c: c['id'])
            self._metainfo['classes'] = tuple(c['name'] for c in cats)
        if 'images' in ann:  # CocoVID
            per_video: Dict[int, list] = {v['id']: [] for v in ann['videos']}
            for img in ann['images']:
                per_video.setdefault(img['video_id'], []).append(
                    (img['frame_id'], img['file_name']))
            names = {v['id']: v.get('name', str(v['id']))
                     for v in ann['videos']}
            file_lists = [(vid, names.get(vid, str(vid)),
                           [f for _, f in sorted(per_video[vid])])
                          for vid in sorted(per_video)]
        else:  # YouTube-VIS official
            try:
                file_lists = [(v['id'], osp.dirname(v['file_names'][0])
                               if v['file_names'] else str(v['id']),
                               list(v['file_names'])) for v in ann['videos']]
            except KeyError as e:
                raise ValueError(
                    f'UnlabeledVideoDataset: {self.ann_file}: a video lacks '
                    f'{e}; expected YouTube-VIS "videos[*].file_names" or '
                    'CocoVID "images"') from None
        return [
            dict(
                kind='frames',
                name=name,
                path=osp.join(prefix, name),
                frames=[osp.join(prefix, f) for f in files],
                num_frames=len(files),
                video_id=vid) for vid, name, files in file_lists
        ]

    # ------------------------------------------------------------ sampling
    def sample_frame_indices(self, video_len: int,
                             rng: np.random.Generator) -> List[int]:
        """Frame indices of one clip, in temporal order.

        With L = ``video_len`` and T = ``clip_len``: each of the T - 1 gaps
        is uniform in [1, G'] with G' = min(G, (L - 1) // (T - 1)), and the
        start is uniform over the positions where the clip fits. A video with
        fewer than T frames gives T indices spread over all its frames, some
        repeated (a 1-frame video gives frame 0 T times).

        Args:
            video_len (int): L >= 1, frames in the video.
            rng (np.random.Generator): The random source.

        Returns:
            list[int]: T non-decreasing indices in [0, L - 1].
        """
        if video_len < 1:
            raise ValueError(f'video_len must be >= 1, got {video_len}')
        num = self.clip_len
        span = video_len - 1
        if span < num - 1:
            return [int(i) for i in np.linspace(0, span, num).round()]
        max_gap = min(self.max_gap, span // (num - 1))
        gaps = rng.integers(1, max_gap + 1, size=num - 1)
        start = int(rng.integers(0, span - int(gaps.sum()) + 1))
        return [start] + [start + int(g) for g in np.cumsum(gaps)]

    def _rng(self, idx: int) -> np.random.Generator:
        if self.seed is not None:
            return np.random.default_rng([self.seed, idx])
        return np.random.default_rng(np.random.randint(0, 2**31 - 1))

    # ------------------------------------------------------------- reading
    def _read_clip(self, video: dict,
                   indices: List[int]) -> List[np.ndarray]:
        if video['kind'] == 'video':
            frames = read_clip_frames(video['path'], indices,
                                      video['num_frames'],
                                      self.seek_threshold)
            return [frames[i] for i in indices]
        cache: Dict[int, np.ndarray] = {}
        for i in indices:
            if i not in cache:
                cache[i] = read_image_frame(video['frames'][i], i,
                                            self.backend_args)
        return [cache[i] for i in indices]

    def _frame_path(self, video: dict, index: int) -> str:
        if video['kind'] == 'video':
            return f"{video['path']}#{index}"
        return video['frames'][index]

    def prepare_data(self, idx: int) -> Optional[dict]:
        """The idx-th video's clip through the pipeline; None when a frame
        cannot be read (mmengine then draws another item)."""
        video = self.get_data_info(idx)
        path = video['path']
        video_len = self.num_usable_frames(idx)
        try:
            if video_len < 1:
                raise VideoReadError(path, None, 'no decodable frames')
            indices = self.sample_frame_indices(video_len, self._rng(idx))
            imgs = self._read_clip(video, indices)
        except VideoReadError as e:
            if self.strict:
                raise
            self._on_skip(path, e)
            return None
        return self.pipeline(self._pack(video, indices, imgs))

    def num_usable_frames(self, idx: int) -> int:
        """Frames of the idx-th video that clips are drawn from: all until a
        read (in this process) shows that decoding stops earlier; then only
        those before the frame at the cut. It only ever shrinks."""
        video = self.get_data_info(idx)
        return min(video['num_frames'],
                   self._usable_len.get(video['path'], video['num_frames']))

    def _on_skip(self, path: str, err: VideoReadError) -> None:
        msg = f'UnlabeledVideoDataset: skipped a clip: {err}'
        if err.usable_len is not None:
            known = self._usable_len.get(path, err.usable_len + 1)
            self._usable_len[path] = min(known, err.usable_len)
            msg += (f'; later clips of {path} use its first '
                    f'{self._usable_len[path]} frames')
        warnings.warn(msg, VideoReadWarning, stacklevel=3)
        self.skip_log.add(err.file, err.frame, err.reason)

    def _pack(self, video: dict, indices: List[int],
              imgs: List[np.ndarray]) -> dict:
        num = len(indices)
        shapes = [img.shape[:2] for img in imgs]
        vid = int(video['video_id'])
        return dict(
            img=imgs,
            img_id=[vid * FRAME_ID_BASE + i for i in indices],
            frame_id=list(indices),
            img_path=[self._frame_path(video, i) for i in indices],
            ori_shape=shapes,
            img_shape=list(shapes),
            video_id=[vid] * num,
            video_length=[num] * num,
            ori_video_length=[video['num_frames']] * num)
