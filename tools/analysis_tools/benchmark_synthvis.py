# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Side-by-side SynthVIS benchmark: is video supervision needed to track?

Trains and evaluates, on the same SynthVIS data, with the same input size
and iteration budget, in one run:

  (a) image-only contrastive embedding + EmbeddingTracker
  (b) (a) + video self-supervision on the `unlabeled` split: (a)'s
      checkpoint at half the budget, fine-tuned for the other half with
      labelled images + unlabelled clips (the paper fine-tunes an image
      model with video; the cycle loss needs confident pseudo-instances)
  (c) the segmenter of (a) with mask-IoU association only (MaskIoUTracker)
  (d) mmdet's MaskTrack R-CNN trained WITH the identity labels of `train`

and writes ``<work-dir>/results.{md,json}`` and two plots: YouTube-VIS
AP/AP50/AP75/AR1/AR10, identity switches per 100 frames, training seconds
per iteration, inference fps, the ratios pipeline / bare segmenter and
ours / MaskTrack R-CNN (time per frame, measured in this process), and the
tracker's time against the number of instances. Where a CUDA device is
present (or ``--r50-device`` asks for one), the R50 SOLOTrack config and
mmdet's MaskTrack R-CNN R50 are also timed at 360x640 in the same run.

    python tools/analysis_tools/benchmark_synthvis.py            # full
    python tools/analysis_tools/benchmark_synthvis.py --quick    # smoke

Runs again reuse finished trainings (``<work-dir>/<method>/iter_N.pth``)
and resume interrupted ones.
"""
import argparse
import copy
import json
import os
import os.path as osp
import platform
import statistics
import sys
import time
from datetime import date

import numpy as np
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CFG = osp.join(REPO, 'configs')
CONFIGS = dict(
    image=osp.join(CFG, 'solotrack',
                   'solotrack_solov2-r18-tiny_fpn_1xb4-24e_synthvis.py'),
    ssl=osp.join(CFG, 'solotrack',
                 'solotrack_solov2-r18-tiny_fpn_1xb6-720i_video-ssl_synthvis.py'),
    masktrack=osp.join(CFG, 'masktrack_rcnn',
                       'masktrack-rcnn_r18-tiny_fpn_1xb4-24e_synthvis.py'),
    bare=osp.join(CFG, 'solov2',
                  'solov2_r18-tiny_fpn_1xb4-24e_synthvis-frames.py'))
#: The YouTube-VIS R50 models timed at 360x640 (random weights: speed only).
R50_CONFIGS = dict(
    solotrack=osp.join(CFG, 'solotrack',
                       'solotrack_solov2-r50_fpn_8xb2-12e_coco-ytvis19.py'),
    masktrack='mmdet::masktrack_rcnn/'
    'masktrack-rcnn_mask-rcnn_r50_fpn_8xb1-12e_youtubevis2019.py')
METHODS = {
    'a': 'image-only embedding + EmbeddingTracker',
    'b': '(a) + video self-supervision',
    'c': 'same segmenter, mask-IoU association',
    'd': 'MaskTrack R-CNN, trained with identities',
}
METRICS = ('AP', 'AP50', 'AP75', 'AR1', 'AR10')
#: Class-agnostic items (categories ignored in matching): segmentation and
#: association quality without the classifier's errors.
AGNOSTIC = ('AP', 'AP50', 'AR10')


def parse_args():
    parser = argparse.ArgumentParser(
        description='SynthVIS benchmark: (a) image-only, (b) + video SSL, '
        '(c) mask-IoU association, (d) MaskTrack R-CNN')
    parser.add_argument('--data-root', default='data/synthvis')
    parser.add_argument('--work-dir', default='work_dirs/benchmark')
    parser.add_argument(
        '--iters', type=int, default=None,
        help='training iterations per method (default: the epochs of the '
        'image-only config on the labelled frames, in full batches: '
        'max_epochs x floor(frames / batch_size))')
    parser.add_argument(
        '--seed', type=int, default=0,
        help='training seed of every method (the data stays the same)')
    parser.add_argument(
        '--data-seed', type=int, default=0,
        help='seed of the SynthVIS generated into --data-root when it is '
        'missing; an existing SynthVIS of another seed is refused')
    parser.add_argument(
        '--quick', action='store_true',
        help='tiny data and a few iterations: a smoke test, numbers are '
        'meaningless')
    parser.add_argument(
        '--tracker-sizes', type=int, nargs='+', default=[10, 50, 100, 500])
    parser.add_argument(
        '--r50-device', default='cuda' if torch.cuda.is_available() else
        'none', help='device on which to time the R50 SOLOTrack and '
        'MaskTrack R-CNN models at 360x640 (default: cuda when present, '
        'else none = not measured; "cpu" measures on the CPU)')
    parser.add_argument(
        '--r50-frames', type=int, default=20,
        help='frames per timed run of the R50 models')
    args = parser.parse_args()
    if args.r50_device.startswith('cuda') and not torch.cuda.is_available():
        parser.error(f'--r50-device {args.r50_device}: CUDA is not '
                     'available in this torch build')
    if args.r50_frames < 1:
        parser.error('--r50-frames must be >= 1')
    return args


def say(msg):
    print(f'\n==> {msg}', flush=True)


# ------------------------------------------------------------------ data
def ensure_data(root, seed, quick):
    """Generate SynthVIS (data seed ``seed``) into ``root`` unless there.

    Raises:
        SystemExit: ``root`` holds a SynthVIS generated with other
            parameters, e.g. another seed (its ``meta.json`` is named): runs
            on different data would be compared as one benchmark.
    """
    from mmsolotrack.datasets.synthvis import SynthVISConfig, ensure_synthvis
    cfg = SynthVISConfig(seed=seed)
    if quick:
        cfg = SynthVISConfig(
            seed=seed, num_train=2, num_unlabeled=2, num_val=1, num_frames=4)
    try:
        ensure_synthvis(root, cfg, log=say, progress=not quick)
    except (FileExistsError, ValueError) as err:
        raise SystemExit(str(err))


def default_iters(image_cfg, data_root) -> int:
    """The budget when ``--iters`` is not given: the image-only config's
    epochs over the labelled train frames, in full batches,
    ``max_epochs * floor(frames / batch_size)`` (the config's own
    epoch-based log counts ``ceil(frames / batch_size)`` per epoch)."""
    with open(osp.join(data_root, 'annotations', 'synthvis_train.json')) as f:
        num_imgs = len({a['image_id'] for a in json.load(f)['annotations']})
    return image_cfg.train_cfg.max_epochs * (
        num_imgs // image_cfg.train_dataloader.batch_size)


def load_cfg(path, data_root, work_dir, iters, seed, quick):
    from mmengine.config import Config
    cfg = Config.fromfile(path)
    root = data_root.rstrip('/') + '/'
    _set_data_root(cfg.train_dataloader.dataset, root)
    for key in ('val_dataloader', 'test_dataloader'):
        if cfg.get(key):
            _set_data_root(cfg[key].dataset, root)
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=seed)
    cfg.train_cfg = dict(
        type='IterBasedTrainLoop', max_iters=iters, val_interval=10**9)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    warmup = max(1, min(50, iters // 5))
    cfg.param_scheduler = [
        dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
             end=warmup),
        dict(type='MultiStepLR', by_epoch=False, begin=0, end=iters,
             milestones=[int(iters * 0.75), int(iters * 0.92)], gamma=0.1)
    ]
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', by_epoch=False, interval=iters,
        max_keep_ckpts=1)
    cfg.default_hooks.logger = dict(
        type='LoggerHook', interval=1 if quick else 20)
    cfg.log_processor = dict(type='LogProcessor', by_epoch=False,
                             window_size=20)
    return cfg


def split_budget(image_cfg, ssl_cfg, iters, image_work_dir):
    """(b) = (a)'s first half + the other half with video self-supervision.

    (a) also keeps its checkpoint at ``iters // 2``; (b) starts from it and
    trains ``iters - iters // 2`` iterations on the tail of (a)'s learning
    rate schedule (no second warm-up), so both see the same budget and the
    same number of labelled images per iteration.

    Returns:
        int: The iteration (b) starts from.
    """
    half = max(1, iters // 2)
    image_cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', by_epoch=False, interval=half)
    rest = iters - half
    ssl_cfg.train_cfg.max_iters = rest
    ssl_cfg.default_hooks.checkpoint.interval = rest
    ssl_cfg.load_from = osp.join(image_work_dir, f'iter_{half}.pth')
    milestones = [
        m - half for m in image_cfg.param_scheduler[1].milestones if m > half
    ]
    ssl_cfg.param_scheduler = [
        dict(type='MultiStepLR', by_epoch=False, begin=0, end=rest,
             milestones=milestones or [rest], gamma=0.1)
    ]
    return half


def _set_data_root(ds, root):
    if ds.get('type') in ('ConcatDataset', 'mmengine.ConcatDataset'):
        for sub in ds.datasets:
            _set_data_root(sub, root)
    else:
        ds.data_root = root


# ------------------------------------------------------------- training
def train(cfg, name):
    from mmengine.runner import Runner
    final = osp.join(cfg.work_dir, f'iter_{cfg.train_cfg.max_iters}.pth')
    stats_file = osp.join(cfg.work_dir, 'train_stats.json')
    if osp.isfile(final) and osp.isfile(stats_file):
        say(f'{name}: reusing {final}')
        with open(stats_file) as f:
            return final, json.load(f)['sec_per_iter']
    say(f'{name}: training {cfg.train_cfg.max_iters} iterations')
    if cfg.get('load_from') and not osp.isfile(cfg.load_from):
        raise FileNotFoundError(
            f'{name} starts from {cfg.load_from}, which does not exist (a '
            'work dir from an older benchmark run?); use a new --work-dir')
    # An interrupted run resumes from its own latest checkpoint; otherwise
    # `load_from` (if any) only initialises the weights. (mmengine resumes
    # from `load_from` itself when both are set, iteration count included.)
    from mmengine.runner import find_latest_checkpoint
    cfg = copy.deepcopy(cfg)
    cfg.resume = find_latest_checkpoint(cfg.work_dir) is not None
    if cfg.resume:
        cfg.load_from = None
    runner = Runner.from_cfg(cfg)
    runner.train()
    times = runner.message_hub.get_scalar('train/time').data[0]
    sec = float(np.median(times[1:] if len(times) > 1 else times))
    with open(stats_file, 'w') as f:
        json.dump(dict(sec_per_iter=sec), f)
    return final, sec


def evaluate(cfg, checkpoint, tracker=None):
    """Run the VIS test loop; returns metrics and whole-pipeline fps."""
    from mmengine.runner import Runner
    cfg = copy.deepcopy(cfg)
    cfg.load_from = checkpoint
    cfg.resume = False
    if tracker is not None:
        cfg.model.tracker = tracker
    evaluators = cfg.test_evaluator if isinstance(cfg.test_evaluator,
                                                  list) else [
                                                      cfg.test_evaluator
                                                  ]
    if not any('IDSwitchMetric' in e['type'] for e in evaluators):
        evaluators = list(evaluators) + [
            dict(type='mmsolotrack.IDSwitchMetric')
        ]
    cfg.test_evaluator = evaluators  # class-agnostic AP: set in the configs
    runner = Runner.from_cfg(cfg)
    frames = sum(
        runner.test_dataloader.dataset.get_data_info(i)['video_length']
        for i in range(len(runner.test_dataloader.dataset)))
    start = time.perf_counter()
    metrics = runner.test()
    elapsed = time.perf_counter() - start
    out = {k: float(metrics[f'youtube_vis/segm_{k}']) for k in METRICS}
    out.update({
        f'agnostic_{k}': float(metrics[f'youtube_vis/segm_agnostic_{k}'])
        for k in AGNOSTIC
    })
    out['idsw_per_100_frames'] = float(metrics['track/idsw_per_100_frames'])
    out['fps'] = frames / elapsed
    return out


# -------------------------------------------------------- speed, same run
def time_per_frame(videos, frames, repeat=3, warmup=0, device='cpu'):
    """Median seconds per frame of each model on the same frames,
    interleaved so that machine noise hits all alike.

    Args:
        videos (dict): name -> callable that starts a new video and returns
            the function that processes one frame of it.
        warmup (int): untimed frames per model first (cuDNN autotuning,
            allocator).
        device (str): on CUDA the device is synchronised around each run.
    """

    def sync():
        if str(device).startswith('cuda'):
            torch.cuda.synchronize()

    timings = {name: [] for name in videos}
    with torch.no_grad():
        for new_video in videos.values():
            run = new_video()
            for frame in frames[:warmup]:
                run(frame)
        for _ in range(repeat):
            for name, new_video in videos.items():
                run = new_video()
                sync()
                start = time.perf_counter()
                for frame in frames:
                    run(frame)
                sync()
                timings[name].append(
                    (time.perf_counter() - start) / len(frames))
    return {name: statistics.median(t) for name, t in timings.items()}


def speed_table(cfgs, checkpoints, data_root, num_frames):
    """Seconds per frame: SOLOTrack pipeline, bare SOLOv2, MaskTrack R-CNN."""
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint

    from mmsolotrack.registry import DATASETS, MODELS

    init_default_scope('mmsolotrack')
    video_ds = DATASETS.build(cfgs['image'].test_dataloader.dataset)
    video = pseudo_collate([video_ds[0]])

    def build(cfg, ckpt, **kwargs):
        model = MODELS.build(cfg.model)
        load_checkpoint(model, ckpt, map_location='cpu', logger='silent',
                        **kwargs)
        return model.eval()

    ours = build(cfgs['image'], checkpoints['a'])
    # the bare segmenter carries (a)'s own SOLOv2 weights (its embedding
    # branch is simply not there), so both predict the same instances and
    # the ratio isolates the cost of the embeddings and the tracker
    bare = build(cfgs['bare'], checkpoints['a'], strict=False,
                 revise_keys=[(r'^detector\.', '')])
    ours_state = ours.state_dict()
    for key, value in bare.state_dict().items():
        if not torch.equal(value, ours_state[f'detector.{key}']):
            raise RuntimeError(f'bare segmenter: {key} differs from (a)')
    init_default_scope('mmdet')
    masktrack = build(cfgs['masktrack'], checkpoints['d'])
    init_default_scope('mmsolotrack')

    data = ours.data_preprocessor(video, False)
    inputs, sample = data['inputs'], data['data_samples'][0]
    length = min(num_frames, inputs.shape[1])
    mt_data = masktrack.data_preprocessor(video, False)
    mt_inputs, mt_sample = mt_data['inputs'], mt_data['data_samples'][0]
    # frame t for every model: (SOLOTrack input, its sample, MaskTrack ones)
    frames = [(inputs[:, t:t + 1], sample[t], mt_inputs[:, t:t + 1],
               mt_sample[t]) for t in range(length)]

    def as_video(frame_sample):
        from mmdet.structures import TrackDataSample
        clip = TrackDataSample()
        clip.video_data_samples = [frame_sample]
        return [clip]

    def run_ours(frame):
        ours.predict(frame[0], as_video(frame[1]))

    def run_bare(frame):
        bare.predict(frame[0][:, 0], [frame[1]])

    def run_masktrack(frame):
        masktrack.predict(frame[2], as_video(frame[3]))

    # each frame carries its frame_id: the trackers reset at frame 0
    return time_per_frame(
        dict(pipeline=lambda: run_ours, bare=lambda: run_bare,
             masktrack=lambda: run_masktrack), frames)


def r50_speed(device, num_frames, shape=(360, 640), warmup=2, repeat=3):
    """Seconds per frame of the R50 SOLOTrack pipeline and MaskTrack R-CNN
    R50, frame by frame through the same inference path as the video demo,
    interleaved in this process. Random weights with the modules' own
    initialisation (classifier priors): timings only, and few instances.

    Returns:
        dict: ``solotrack`` and ``masktrack`` s/frame, ``instances`` (mean
        tracked instances per frame of each, since post-processing and the
        tracker cost depend on it), ``device`` and ``shape``.
    """
    from mmengine.hub import get_config

    from mmsolotrack.apis import VideoInferencer, init_model
    rng = np.random.default_rng(0)
    frames = [
        rng.integers(0, 256, (*shape, 3), dtype=np.uint8)
        for _ in range(num_frames)
    ]
    inferencers, tracked = {}, {}
    for name, path in R50_CONFIGS.items():
        cfg = get_config(path) if '::' in path else path
        inferencers[name] = VideoInferencer(
            init_model(cfg, device=device, init_weights=True))
        tracked[name] = []

    def new_video(name):
        inferencer = inferencers[name]

        def start():
            inferencer.reset()

            def run(frame):
                tracked[name].append(
                    len(inferencer(frame).pred_track_instances))
            return run
        return start

    out = time_per_frame({name: new_video(name)
                          for name in inferencers}, frames, repeat, warmup,
                         device)
    out['instances'] = {
        name: float(np.mean(n)) if n else 0.0
        for name, n in tracked.items()
    }
    out['device'] = str(device)
    out['shape'] = list(shape)
    return out


def tracker_scaling(sizes, dims=64, size=(160, 256), frames=5):
    """Seconds per frame of EmbeddingTracker.track vs number of instances."""
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData

    from mmsolotrack.registry import MODELS
    tracker = MODELS.build(dict(type='EmbeddingTracker', max_per_frame=10**6))
    out = {}
    rng = torch.Generator().manual_seed(0)
    for n in sizes:
        embeds = torch.nn.functional.normalize(
            torch.randn(n, dims, generator=rng), dim=1)
        masks = torch.zeros(n, *size, dtype=torch.bool)
        ys = torch.randint(0, size[0] - 8, (n, ), generator=rng)
        xs = torch.randint(0, size[1] - 8, (n, ), generator=rng)
        for i in range(n):
            masks[i, ys[i]:ys[i] + 8, xs[i]:xs[i] + 8] = True
        tracker.reset()
        times = []
        for t in range(frames):
            sample = DetDataSample(metainfo=dict(frame_id=t))
            inst = InstanceData()
            inst.masks = masks
            inst.bboxes = torch.zeros(n, 4)
            inst.scores = torch.ones(n)
            inst.labels = torch.zeros(n, dtype=torch.long)
            inst.embeddings = embeds
            sample.pred_instances = inst
            start = time.perf_counter()
            tracker.track(sample)
            times.append(time.perf_counter() - start)
        out[n] = statistics.median(times[1:])
    return out


# --------------------------------------------------------------- report
def plot(results, scaling, work_dir):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    paths = []
    fig, ax = plt.subplots(figsize=(6, 3.5))
    keys = list(results)
    ax.bar(keys, [results[k]['AP'] for k in keys], color='#4477aa')
    ax.set_ylabel('YouTube-VIS AP (SynthVIS val)')
    ax.set_xticks(range(len(keys)))
    ax.set_xticklabels([f'({k})' for k in keys])
    ax.set_title('AP per method')
    fig.tight_layout()
    paths.append(osp.join(work_dir, 'ap_per_method.png'))
    fig.savefig(paths[-1], dpi=100)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    sizes = sorted(scaling)
    ax.plot(sizes, [scaling[n] * 1000 for n in sizes], 'o-')
    ax.set_xlabel('instances per frame')
    ax.set_ylabel('tracker ms / frame')
    ax.set_xscale('log')
    ax.set_yscale('log')
    ax.set_title('EmbeddingTracker time vs instances')
    fig.tight_layout()
    paths.append(osp.join(work_dir, 'tracker_scaling.png'))
    fig.savefig(paths[-1], dpi=100)
    plt.close('all')
    return paths


def r50_lines(report):
    """The R50 360x640 rows, or the line saying they were not measured."""
    r50 = report.get('r50')
    if not r50:
        why = ('no CUDA device in this run' if not report['cuda'] else
               'skipped with --r50-device none')
        return [f'R50 at 360x640 (GPU figures): not measured ({why}; '
                '`--r50-device cpu` measures them on the CPU).']
    height, width = r50['shape']
    inst = r50['instances']
    return [
        f"| R50 models, {height}x{width}, {r50['device']}, random weights, "
        'same process | s/frame | fps | tracked instances / frame |',
        '|---|---|---|---|',
        f"| SOLOTrack SOLOv2-R50 (whole pipeline) | {r50['solotrack']:.4f} | "
        f"{1 / r50['solotrack']:.2f} | {inst['solotrack']:.1f} |",
        f"| MaskTrack R-CNN R50 (whole pipeline) | {r50['masktrack']:.4f} | "
        f"{1 / r50['masktrack']:.2f} | {inst['masktrack']:.1f} |",
        f"| ratio SOLOTrack / MaskTrack R-CNN | "
        f"{r50['solotrack'] / r50['masktrack']:.2f} | | |",
    ]


def write_report(report, work_dir):
    res, speed = report['results'], report['speed']
    lines = [
        '# SynthVIS benchmark', '',
        f"Command: `{report['command']}`  ",
        f"Machine: {report['machine']}  ", f"Date: {report['date']}  ",
        f"Seeds: training {report['seed']}, data {report['data_seed']}  ",
        f"Training budget: {report['iters']} iterations per method, "
        f"batch of {report['batch_size']} images, "
        f"input {report['input_size']}.", '',
        '| method | AP | AP50 | AP75 | AR1 | AR10 | class-agnostic AP / AP50 '
        '/ AR10 | IDSW/100 frames | train s/iter | fps (whole pipeline) |',
        '|---|---|---|---|---|---|---|---|---|---|'
    ]
    budget_note = (
        f"(b) starts from (a)'s checkpoint at iteration {report['ssl_start']} "
        f"and trains the other {report['iters'] - report['ssl_start']} "
        'iterations with 4 labelled images + 2 unlabelled clips per batch '
        "(its train s/iter is that phase's). (c) is (a)'s checkpoint with "
        'mask-IoU association. (d) sees the identities of the `train` '
        'videos; (a)-(c) never do. Class-agnostic: categories ignored when '
        'matching tracks to instances (segmentation + association quality '
        "without the classifier's errors).")
    for key, row in res.items():
        lines.append(
            f'| ({key}) {METHODS[key]} | ' +
            ' | '.join(f'{row[m]:.3f}' for m in METRICS) + ' | ' +
            ' / '.join(f"{row[f'agnostic_{m}']:.3f}" for m in AGNOSTIC) +
            f" | {row['idsw_per_100_frames']:.2f} | "
            f"{row.get('sec_per_iter', float('nan')):.2f} | "
            f"{row['fps']:.2f} |")
    lines += [
        '', budget_note, '', '| speed, same process (s/frame) | value |',
        '|---|---|',
        f"| SOLOTrack pipeline (segmenter + embedding + tracker) | "
        f"{speed['pipeline']:.4f} |",
        f"| bare SOLOv2 segmenter ((a)'s weights, no embedding, no tracker) | "
        f"{speed['bare']:.4f} |",
        f"| MaskTrack R-CNN | {speed['masktrack']:.4f} |",
        f"| ratio pipeline / bare segmenter | "
        f"{speed['pipeline'] / speed['bare']:.2f} |",
        f"| ratio ours / MaskTrack R-CNN | "
        f"{speed['pipeline'] / speed['masktrack']:.2f} |", '',
        '| instances per frame | tracker ms / frame |', '|---|---|'
    ]
    for n, sec in report['tracker_scaling'].items():
        lines.append(f'| {n} | {sec * 1000:.2f} |')
    lines += [''] + r50_lines(report) + ['']
    path = osp.join(work_dir, 'results.md')
    with open(path, 'w') as f:
        f.write('\n'.join(lines))
    with open(osp.join(work_dir, 'results.json'), 'w') as f:
        json.dump(report, f, indent=2)
    return path


def main():
    args = parse_args()
    import mmsolotrack  # noqa: F401
    from mmengine.registry import init_default_scope
    work_dir = osp.abspath(args.work_dir)
    os.makedirs(work_dir, exist_ok=True)
    data_root = args.data_root
    if args.quick and args.data_root == 'data/synthvis':
        data_root = osp.join(work_dir, 'synthvis_quick')
    ensure_data(data_root, args.data_seed, args.quick)

    iters = args.iters or (3 if args.quick else None)
    cfgs = {}
    if iters is None:
        from mmengine.config import Config
        iters = default_iters(Config.fromfile(CONFIGS['image']), data_root)
    for key in ('image', 'ssl', 'masktrack', 'bare'):
        cfgs[key] = load_cfg(CONFIGS[key], data_root,
                             osp.join(work_dir, key), iters, args.seed,
                             args.quick)
    # test-time data (the video configs)
    for key in ('image', 'ssl', 'masktrack'):
        src = __import__('mmengine').config.Config.fromfile(CONFIGS[key])
        for k in ('test_dataloader', 'test_evaluator', 'test_cfg'):
            cfgs[key][k] = src[k]
        _set_data_root(cfgs[key].test_dataloader.dataset,
                       data_root.rstrip('/') + '/')
        evaluators = cfgs[key].test_evaluator
        for evaluator in (evaluators if isinstance(evaluators, list) else
                          [evaluators]):
            if evaluator['type'].endswith('YouTubeVISMetric'):
                evaluator['outfile_prefix'] = osp.join(
                    work_dir, key, 'val_results')
    ssl_start = split_budget(cfgs['image'], cfgs['ssl'], iters,
                             osp.join(work_dir, 'image'))

    results, checkpoints, sec = {}, {}, {}
    init_default_scope('mmsolotrack')
    checkpoints['a'], sec['a'] = train(cfgs['image'], '(a)')
    checkpoints['b'], sec['b'] = train(cfgs['ssl'], '(b)')
    init_default_scope('mmdet')
    checkpoints['d'], sec['d'] = train(cfgs['masktrack'], '(d)')
    init_default_scope('mmsolotrack')

    say('Evaluating')
    results['a'] = evaluate(cfgs['image'], checkpoints['a'])
    results['b'] = evaluate(cfgs['ssl'], checkpoints['b'])
    # same thresholds, association by mask IoU only
    shared = ('det_score_thr', 'init_score_thr', 'max_per_frame', 'match_thr',
              'num_frames_retain', 'dedup_iou_thr')
    iou_tracker = dict(
        type='MaskIoUTracker',
        **{
            k: v
            for k, v in cfgs['image'].model.tracker.items() if k in shared
        })
    results['c'] = evaluate(cfgs['image'], checkpoints['a'], iou_tracker)
    init_default_scope('mmdet')
    results['d'] = evaluate(cfgs['masktrack'], checkpoints['d'])
    init_default_scope('mmsolotrack')
    for key, s in (('a', sec['a']), ('b', sec['b']), ('c', sec['a']),
                   ('d', sec['d'])):
        results[key]['sec_per_iter'] = s

    say('Timing (same process, interleaved)')
    speed = speed_table(cfgs, checkpoints, data_root,
                        num_frames=4 if args.quick else 10)
    scaling = tracker_scaling(args.tracker_sizes)
    r50 = None
    if args.r50_device != 'none':
        say(f'Timing the R50 models at 360x640 on {args.r50_device}')
        r50 = r50_speed(args.r50_device, args.r50_frames)
    report = dict(
        command=' '.join(['python'] + sys.argv),
        machine=f'{platform.processor() or platform.machine()}, '
        f'{os.cpu_count()} cores, torch {torch.__version__}',
        date=str(date.today()),
        seed=args.seed,
        data_seed=args.data_seed,
        iters=iters,
        batch_size=cfgs['image'].train_dataloader.batch_size,
        input_size='160 x 256',
        quick=args.quick,
        results=results,
        speed=speed,
        tracker_scaling={str(k): v for k, v in scaling.items()},
        ssl_start=ssl_start,
        r50=r50,
        cuda=torch.cuda.is_available())
    md = write_report(report, work_dir)
    plots = plot(results, scaling, work_dir)
    with open(md) as f:
        print('\n' + f.read())
    say('Wrote ' + ', '.join([md, osp.join(work_dir, 'results.json')] +
                             plots))


if __name__ == '__main__':
    main()
