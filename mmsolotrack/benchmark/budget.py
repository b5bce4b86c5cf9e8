# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The SynthVIS side-by-side's methods and their shared budget.

Every method is a config of ``configs/``; the facts the comparison rests on
(iterations, labelled images per batch, input size in training and testing)
are read from those configs and checked to agree, never restated here.
"""
import copy
import os.path as osp
from typing import Dict, List, Optional, Tuple

from mmengine.config import Config

#: method -> what it is (the report's row names)
METHODS = {
    'a': 'image-only embedding + EmbeddingTracker',
    'b': '(a) + video self-supervision',
    'c': 'same segmenter, mask-IoU association',
    'd': 'MaskTrack R-CNN, trained with identities',
    'e': '(a) without the embedding losses',
}
#: method -> the config it trains ((c) re-tracks (a)'s checkpoint)
CONFIGS = {
    'a': 'solotrack/solotrack_solov2-r18-tiny_fpn_1xb4-2400i_synthvis.py',
    'b': 'solotrack/'
    'solotrack_solov2-r18-tiny_fpn_1xb6-2400i_video-ssl-2x_synthvis.py',
    # mmdet's MaskTrack R-CNN with a cosine match head: trained from
    # scratch, the stock dot-product head does not learn to match
    'd': 'masktrack_rcnn/'
    'masktrack-rcnn_r18-tiny_fpn_1xb4-2400i_cosine_synthvis.py',
    'e': 'solotrack/'
    'solotrack_solov2-r18-tiny_fpn_1xb4-2400i_synthvis_no-embed-loss.py',
}
#: The SynthVIS the benchmark uses: the quickstart's QUICKSTART_DATA (the
#: generator's other parameters at their defaults).
SYNTHVIS_SIZE = dict(num_train=240, num_val=64)


def config_paths(config_root: str) -> Dict[str, str]:
    """Absolute paths of the trained methods' configs under ``configs/``."""
    return {k: osp.join(config_root, v) for k, v in CONFIGS.items()}


def _resizes(pipeline: List[dict]) -> List[Tuple[int, int]]:
    """``scale`` of every Resize in a pipeline (also inside broadcasters)."""
    out = []
    for step in pipeline:
        if step['type'].split('.')[-1] == 'Resize':
            out.append(tuple(step['scale']))
        out += _resizes(step.get('transforms', []))
    return out


def _train_datasets(cfg: Config) -> List[dict]:
    ds = cfg.train_dataloader.dataset
    return list(ds.datasets) if 'datasets' in ds else [ds]


def input_scales(cfg: Config) -> Dict[str, Tuple[int, int]]:
    """The (w, h) Resize scale of training and of testing.

    Raises:
        ValueError: The config resizes its training data (labelled images,
            clips) or its test videos to more than one scale.
    """
    out = {}
    parts = dict(
        train=[p for ds in _train_datasets(cfg) for p in ds.pipeline],
        test=cfg.test_dataloader.dataset.pipeline)
    for split, pipeline in parts.items():
        scales = set(_resizes(pipeline))
        if len(scales) != 1:
            raise ValueError(f'{cfg.filename}: {split} data resized to '
                             f'{sorted(scales)}; the benchmark needs one '
                             'input size per config')
        out[split] = scales.pop()
    return out


def batch_composition(cfg: Config) -> Dict[str, int]:
    """What one training batch holds.

    Returns:
        dict: ``images`` (labelled frames), ``clips`` (unlabelled clips) and
        ``ref_frames`` per labelled sample (MaskTrack R-CNN's identity pairs
        add a reference frame to each key frame).
    """
    loader = cfg.train_dataloader
    batch = loader.batch_size
    sampler = loader.get('sampler') or {}
    images, clips = batch, 0
    if 'source_ratio' in sampler:
        ratio = sampler['source_ratio']
        images = batch * ratio[0] // sum(ratio)
        clips = batch - images
    refs = 0
    for step in _train_datasets(cfg)[0].pipeline:
        if step['type'].split('.')[-1] == 'UniformRefFrameSample':
            refs = step.get('num_ref_imgs', 1)
    return dict(images=images, clips=clips, ref_frames=refs)


def check_budget(cfgs: Dict[str, Config]) -> dict:
    """The shared budget of the methods' configs.

    Returns:
        dict: ``iters``, ``images`` (labelled frames per batch) and the
        ``train_scale`` / ``test_scale`` (w, h) they all share, plus every
        method's ``batches`` (:func:`batch_composition`).

    Raises:
        ValueError: Two configs differ in iterations, labelled images per
            batch or input size (both named).
    """
    facts = {}
    for key, cfg in cfgs.items():
        scales = input_scales(cfg)
        facts[key] = dict(
            iters=cfg.train_cfg.get('max_iters'),
            images=batch_composition(cfg)['images'],
            train_scale=scales['train'],
            test_scale=scales['test'])
    first = next(iter(facts))
    for key, fact in facts.items():
        for name, value in fact.items():
            if value != facts[first][name]:
                raise ValueError(
                    f'unfair side-by-side: ({key}) {cfgs[key].filename} has '
                    f'{name}={value} but ({first}) {cfgs[first].filename} '
                    f'has {facts[first][name]}')
    out = dict(facts[first])
    out['batches'] = {k: batch_composition(c) for k, c in cfgs.items()}
    return out


def set_data_root(ds: dict, root: str) -> None:
    """Point a dataset config (or every part of a ConcatDataset) at root."""
    if 'datasets' in ds:
        for sub in ds.datasets:
            set_data_root(sub, root)
    else:
        ds.data_root = root


def prepare(cfg: Config,
            data_root: str,
            work_dir: str,
            seed: int,
            ckpt_interval: int,
            iters: Optional[int] = None) -> Config:
    """A method's config for one benchmark run.

    The config's own schedule is kept; only the data root, the work dir, the
    training seed and the checkpoint interval change (and, with ``iters``,
    the length: a smoke test on a constant learning rate). Validation during
    training is off (the benchmark tests afterwards).
    """
    cfg = copy.deepcopy(cfg)
    root = data_root.rstrip('/') + '/'
    for key in ('train_dataloader', 'test_dataloader'):
        set_data_root(cfg[key].dataset, root)
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=seed)
    if iters is not None:
        cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=iters)
        cfg.param_scheduler = [
            dict(type='ConstantLR', factor=1.0, by_epoch=False, begin=0,
                 end=iters)
        ]
        cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.train_cfg.val_interval = 10**9
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', by_epoch=False, interval=ckpt_interval)
    cfg.log_processor = dict(type='LogProcessor', by_epoch=False)
    for evaluator in _as_list(cfg.test_evaluator):
        if evaluator['type'].endswith('YouTubeVISMetric'):
            evaluator['outfile_prefix'] = osp.join(work_dir, 'val_results')
    return cfg


def continue_from(cfg: Config, checkpoint: str) -> None:
    """(b): resume ``checkpoint`` of (a) (weights, optimizer, learning-rate
    schedule, iteration) under (b)'s config, so that (b) trains the rest of
    the same schedule with clips added to every batch."""
    cfg.load_from = checkpoint
    cfg.resume = True


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]
