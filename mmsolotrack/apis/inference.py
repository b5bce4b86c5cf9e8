# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Build a model for inference and track instances in a stream of frames.

A video is fed one frame at a time (inputs (1, T=1, C, H, W), ``frame_id``
0, 1, 2, ...): the model's tracker resets at frame 0 only and keeps its
bounded state between calls, and nothing is kept per frame here, so memory
does not grow with the length of the video.
"""
import copy
import logging
import os.path as osp
from pathlib import Path
from typing import Iterable, Iterator, List, Optional, Union

import numpy as np
import torch
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.logging import print_log
from mmengine.registry import DefaultScope
from mmengine.runner import CheckpointLoader
from mmengine.runner.checkpoint import load_state_dict
from torch import nn

from mmsolotrack.models.utils.autocast import (AMP_DTYPES, autocast_forwards,
                                              network_modules)
from mmsolotrack.registry import DATASETS, MODELS
from mmsolotrack.utils.checkpoint_checks import (DEFAULT_MAX_MISMATCH,
                                                 check_checkpoint_keys,
                                                 non_finite_tensors)

__all__ = [
    'VideoInferencer', 'build_video_test_pipeline', 'inference_video',
    'init_model'
]

DEFAULT_SCOPE = 'mmsolotrack'
NDARRAY_LOADER = 'mmdet.LoadImageFromNDArray'


def _load_config(config: Union[str, Path, Config],
                 cfg_options: Optional[dict]) -> Config:
    if isinstance(config, (str, Path)):
        if not osp.isfile(config):
            raise FileNotFoundError(f'config file {config} does not exist')
        cfg = Config.fromfile(str(config))
    elif isinstance(config, Config):
        cfg = copy.deepcopy(config)
    else:
        raise TypeError('config must be a file name or an mmengine Config, '
                        f'got {type(config).__name__}')
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if 'model' not in cfg:
        raise KeyError(f'config {getattr(cfg, "filename", None) or config} '
                       'has no `model`')
    return cfg


def _test_dataset_cfg(cfg: Config) -> Optional[dict]:
    """The innermost test dataset config (through dataset wrappers)."""
    dataloader = cfg.get('test_dataloader') or cfg.get('val_dataloader')
    dataset = dataloader.get('dataset') if dataloader else None
    while dataset is not None and 'pipeline' not in dataset and isinstance(
            dataset.get('dataset'), dict):
        dataset = dataset['dataset']
    return dataset


def _dataset_meta_from_config(cfg: Config) -> dict:
    """``classes`` (and ``palette``) of the config's test data set."""
    dataset = _test_dataset_cfg(cfg)
    if dataset is None:
        return {}
    metainfo = dataset.get('metainfo')
    if metainfo and 'classes' in metainfo:
        return {k: copy.deepcopy(v) for k, v in metainfo.items()}
    dataset_cls = dataset.get('type')
    if isinstance(dataset_cls, str):
        # the registry of the config's scope (mmdet's for an mmdet config):
        # a bare name is looked up where that config means it
        with DATASETS.switch_scope_and_registry(
                cfg.get('default_scope', DEFAULT_SCOPE)) as registry:
            dataset_cls = registry.get(dataset_cls)
    metainfo = getattr(dataset_cls, 'METAINFO', None) or {}
    return dict(metainfo) if 'classes' in metainfo else {}


def drop_pretrained_init(cfg: Union[dict, list]) -> int:
    """Remove every ``init_cfg`` of type ``Pretrained``, in place.

    Args:
        cfg (dict | list): A model config (nested dicts and lists).

    Returns:
        int: How many were removed.
    """
    removed = 0
    items = cfg.values() if isinstance(cfg, dict) else cfg
    if isinstance(cfg, dict) and 'init_cfg' in cfg:
        init = cfg['init_cfg']
        inits = init if isinstance(init, list) else [init]
        kept = [
            i for i in inits
            if not (isinstance(i, dict) and i.get('type') == 'Pretrained')
        ]
        removed += len(inits) - len(kept)
        if removed:
            cfg['init_cfg'] = kept if isinstance(init, list) else None
    for value in items:
        if isinstance(value, (dict, list)):
            removed += drop_pretrained_init(value)
    return removed


def init_model(config: Union[str, Path, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu',
               cfg_options: Optional[dict] = None,
               init_weights: bool = False,
               allow_partial: Optional[bool] = None) -> nn.Module:
    """Build a model from a config and load its weights for inference.

    Modules are built in the config's ``default_scope`` (``mmsolotrack``).
    The checkpoint goes through mmengine's ``CheckpointLoader``, i.e. through
    mmsolotrack's ``weights_only=True`` allow-list loader: a checkpoint
    holding other pickled types raises
    :class:`mmsolotrack.utils.checkpoint.UnsafeCheckpointError`. A
    checkpoint of another model (more than ``max_mismatch`` of the keys
    missing or unexpected, as set by the config's
    ``default_hooks.checkpoint_check``, default 10%) raises
    :class:`mmsolotrack.utils.checkpoint_checks.CheckpointMismatchError`; a
    checkpoint with NaN or infinite weights loads with a warning. The
    backbone's ``init_cfg`` (e.g. ImageNet weights) is not applied; without a
    checkpoint the weights are random.

    Args:
        config (str | Path | Config): Config file or object (not modified).
        checkpoint (str, optional): Checkpoint file. Defaults to None.
        device (str): Device to run on, e.g. 'cpu', 'cuda', 'cuda:1'.
            Defaults to 'cpu'.
        cfg_options (dict, optional): Overrides merged into the config,
            e.g. ``{'model.tracker.match_thr': 0.6}``.
        init_weights (bool): Without a checkpoint, run the modules' own
            ``init_weights`` (every ``Pretrained`` init_cfg removed, nothing
            is downloaded), e.g. the classifiers' prior-probability bias.
            Plain random weights make SOLO's classifier fire in every grid
            cell, which inflates post-processing far beyond a trained
            model's; use this for speed measurements. Defaults to False.

    Returns:
        nn.Module: The model in eval mode on ``device``, with ``cfg`` (the
        merged config) and ``dataset_meta`` (``classes`` and, if known,
        ``palette``; from the checkpoint's ``meta.dataset_meta``, else from
        the config's test data set, else empty).
    """
    if str(device).startswith('cuda') and not torch.cuda.is_available():
        raise RuntimeError(f'device {device!r} requested but CUDA is not '
                           'available in this torch build; use "cpu"')
    cfg = _load_config(config, cfg_options)
    if init_weights and checkpoint is None:
        drop_pretrained_init(cfg.model)
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', DEFAULT_SCOPE)):
        model = MODELS.build(cfg.model)
        if init_weights and checkpoint is None:
            model.init_weights()

    dataset_meta = {}
    if checkpoint is not None:
        if '://' not in str(checkpoint) and not osp.isfile(checkpoint):
            raise FileNotFoundError(
                f'checkpoint file {checkpoint} does not exist')
        ckpt = _load_weights(model, str(checkpoint), cfg, allow_partial)
        meta = ckpt.get('meta', {}) if isinstance(ckpt, dict) else {}
        dataset_meta = dict(meta.get('dataset_meta') or {})
        if 'CLASSES' in dataset_meta:  # mmdet 2.x checkpoints
            dataset_meta.setdefault('classes', dataset_meta.pop('CLASSES'))
    else:
        print_log(
            'init_model: no checkpoint given, the model has random weights' +
            (' (its modules\' own initialisation)' if init_weights else ''),
            logger='current')
    if 'classes' not in dataset_meta:
        dataset_meta = {**_dataset_meta_from_config(cfg), **dataset_meta}
    if 'classes' not in dataset_meta:
        print_log(
            'init_model: class names are unknown (neither the '
            'checkpoint meta nor the config test data set has them)',
            logger='current',
            level=logging.WARNING)
    model.dataset_meta = dataset_meta
    model.cfg = cfg
    model.to(device)
    model.eval()
    return model


def _load_weights(model: nn.Module, checkpoint: str, cfg: Config,
                  allow_partial: Optional[bool]) -> dict:
    """Load ``checkpoint`` into ``model`` (checked as the Runner's
    ``CheckpointCheckHook`` checks it); warn about non-finite weights."""
    ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    check_cfg = (cfg.get('default_hooks') or {}).get('checkpoint_check') or {}
    if allow_partial is None:
        allow_partial = bool(check_cfg.get('allow_partial', False))
    max_mismatch = float('inf') if allow_partial else check_cfg.get(
        'max_mismatch', DEFAULT_MAX_MISMATCH)
    state = check_checkpoint_keys(model, ckpt, checkpoint, max_mismatch)
    load_state_dict(model, state, strict=False, logger='current')
    bad = non_finite_tensors(model.state_dict())
    if bad:
        print_log(
            f'init_model: checkpoint {checkpoint} holds NaN or infinite '
            f'weights in {len(bad)} tensors (e.g. {bad[:3]}); the model '
            'will not predict anything useful. Was it saved after the '
            'training diverged?',
            logger='current',
            level=logging.WARNING)
    return ckpt


def _type_name(transform: dict) -> str:
    kind = transform.get('type', '')
    name = kind if isinstance(kind, str) else getattr(kind, '__name__', '')
    return name.split('.')[-1]


def build_video_test_pipeline(cfg: Config) -> List[dict]:
    """The config's video test pipeline, reading frames from arrays.

    Inside ``TransformBroadcaster`` the file loader becomes
    ``mmdet.LoadImageFromNDArray`` and every annotation loader is dropped;
    the other transforms (resize, ``PackTrackInputs``) are kept as they are.

    Args:
        cfg (Config): A config whose ``test_dataloader.dataset.pipeline`` is
            a video pipeline (``mmdet.TransformBroadcaster`` +
            ``mmdet.PackTrackInputs``), as mmdet's VIS configs have.

    Returns:
        list[dict]: The transform configs.
    """
    dataset = _test_dataset_cfg(cfg)
    pipeline = copy.deepcopy(dataset.get('pipeline')) if dataset else None
    if not pipeline:
        raise KeyError('the config has no test_dataloader.dataset.pipeline '
                       'to build the inference pipeline from')
    names = [_type_name(t) for t in pipeline]
    if 'TransformBroadcaster' not in names or 'PackTrackInputs' not in names:
        raise ValueError(
            'video inference needs a video test pipeline '
            '(mmdet.TransformBroadcaster + mmdet.PackTrackInputs), the '
            f'config test pipeline is {names}')
    out = []
    for transform in pipeline:
        name = _type_name(transform)
        if 'Annotations' in name:
            continue
        if name == 'TransformBroadcaster':
            inner = [
                t for t in transform['transforms']
                if 'Annotations' not in _type_name(t)
            ]
            loader = dict(type=NDARRAY_LOADER)
            loaders = [
                i for i, t in enumerate(inner)
                if _type_name(t).startswith('LoadImageFrom')
            ]
            if loaders:
                loader['to_float32'] = inner[loaders[0]].get(
                    'to_float32', False)
                inner = [t for i, t in enumerate(inner) if i not in loaders]
            transform['transforms'] = [loader] + inner
        out.append(transform)
    return out


class VideoInferencer:
    """Segment and track a video fed one frame at a time.

    Each call runs one frame through the test pipeline, the data
    preprocessor and the model (inputs (1, 1, C, H, W)); ``frame_id`` counts
    from 0, so the model's tracker resets at the first frame only. Call
    :meth:`reset` before feeding another video.

    Speed options (each None reads the config's ``inference_cfg``, e.g.
    ``inference_cfg = dict(amp='bfloat16', channels_last=True)``; absent:
    off): ``amp`` runs the network's forwards (backbone, neck, heads, track
    head, crop classifier) under ``torch.autocast`` in that dtype, their
    outputs cast back to float32 so that post-processing and tracker stay
    in float32 (:mod:`mmsolotrack.models.utils.autocast`);
    ``channels_last`` converts the model's 4D weights (in place, once) and
    every input frame to ``torch.channels_last``.

    Args:
        model (nn.Module): A video model from :func:`init_model` (with
            ``cfg`` and a tracker).
        amp (str | bool, optional): ``'bfloat16'`` (or True),
            ``'float16'``, False / None-in-the-config: float32.
        channels_last (bool, optional): Channels-last layout.
    """

    def __init__(self,
                 model: nn.Module,
                 amp: Optional[Union[str, bool]] = None,
                 channels_last: Optional[bool] = None) -> None:
        if not hasattr(model, 'cfg'):
            raise AttributeError('VideoInferencer needs a model from '
                                 'init_model (it reads model.cfg)')
        self.model = model
        options = dict(model.cfg.get('inference_cfg') or {})
        unknown = set(options) - {'amp', 'channels_last'}
        if unknown:
            raise KeyError(f'inference_cfg: unknown keys {sorted(unknown)} '
                           "(known: 'amp', 'channels_last')")
        amp = options.get('amp') if amp is None else amp
        self.amp = 'bfloat16' if amp is True else (amp or None)
        if self.amp is not None and self.amp not in AMP_DTYPES:
            raise ValueError(f'amp must be one of {sorted(AMP_DTYPES)}, '
                             f'True or False, got {amp!r}')
        self.channels_last = bool(
            options.get('channels_last', False
                        ) if channels_last is None else channels_last)
        if self.channels_last:
            model.to(memory_format=torch.channels_last)
        with DefaultScope.overwrite_default_scope(
                model.cfg.get('default_scope', DEFAULT_SCOPE)):
            self.pipeline = Compose(build_video_test_pipeline(model.cfg))
        self.frame_id = 0

    def reset(self) -> None:
        """Start a new video: the next frame is frame 0."""
        self.frame_id = 0

    def preprocess(self, frame: np.ndarray, frame_id: int) -> dict:
        """Test pipeline and data preprocessor for one frame.

        Args:
            frame (np.ndarray): (H, W, 3) BGR image.
            frame_id (int): Index of the frame in its video.

        Returns:
            dict: ``inputs`` (1, 1, C, H', W') on the model's device and
            ``data_samples`` (one ``TrackDataSample`` of one frame).
        """
        if not isinstance(frame, np.ndarray) or frame.ndim != 3 or \
                frame.shape[2] != 3:
            raise ValueError(
                f'frame {frame_id}: expected an (H, W, 3) BGR image array, '
                f'got {type(frame).__name__} of shape '
                f'{getattr(frame, "shape", None)}')
        packed = self.pipeline(
            dict(img=[frame], frame_id=[frame_id], img_id=[frame_id]))
        batch = dict(inputs=[packed['inputs']],
                     data_samples=[packed['data_samples']])
        data = self.model.data_preprocessor(batch, False)
        if self.channels_last:  # (1, T, C, H, W): each frame's (C, H, W)
            inputs = data['inputs']
            data['inputs'] = inputs.flatten(0, 1).contiguous(
                memory_format=torch.channels_last).unflatten(
                    0, inputs.shape[:2])
        return data

    @torch.no_grad()
    def __call__(self, frame: np.ndarray) -> DetDataSample:
        """Segment and track the next frame.

        Args:
            frame (np.ndarray): (H, W, 3) BGR image (uint8 as OpenCV reads).

        Returns:
            DetDataSample: The frame with ``pred_instances`` and
            ``pred_track_instances`` (``masks`` (K, H, W) bool at the frame's
            size, ``bboxes`` (K, 4), ``scores`` (K,), ``labels`` (K,),
            ``instances_id`` (K,) long).
        """
        data = self.preprocess(frame, self.frame_id)
        device_type = data['inputs'].device.type
        with autocast_forwards(network_modules(self.model), self.amp,
                               device_type):
            video = self.model(**data, mode='predict')[0]
        self.frame_id += 1
        return video[0]


def inference_video(model: nn.Module,
                    frames: Iterable[np.ndarray]) -> Iterator[DetDataSample]:
    """Segment and track a video, one frame at a time.

    A generator: frame t is decoded (by ``frames``), processed and yielded
    before frame t + 1 is read, and no per-frame result is kept, so any
    length of video runs in constant memory.

    Args:
        model (nn.Module): A video model from :func:`init_model`.
        frames (Iterable[np.ndarray]): (H, W, 3) BGR frames of ONE video,
            e.g. :func:`read_video_frames`.

    Yields:
        DetDataSample: Each frame's result (see :class:`VideoInferencer`),
        ``metainfo['frame_id']`` 0, 1, 2, ...
    """
    inferencer = VideoInferencer(model)
    for frame in frames:
        yield inferencer(frame)
