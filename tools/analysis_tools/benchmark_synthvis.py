# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Side-by-side SynthVIS benchmark: is video supervision needed to track?

Trains and evaluates, on the same SynthVIS data (the quickstart's: 240
train, 24 unlabelled, 64 val videos), with the same iteration budget,
labelled images per batch and input size (read from the configs and checked
to agree), in one run:

  (a) image-only contrastive embedding + EmbeddingTracker (the quickstart)
  (b) (a) + video self-supervision on the `unlabeled` split: (a)'s
      checkpoint at half the budget resumed with unlabelled clips added to
      every batch for the other half (the paper fine-tunes an image model
      with video)
  (c) the segmenter of (a) with mask-IoU association only (MaskIoUTracker)
  (d) mmdet's MaskTrack R-CNN trained WITH the identity labels of `train`
  (e) (a) without the three embedding losses (does learning matter?)

and writes ``<work-dir>/results.{md,json}`` and plots: YouTube-VIS
AP/AP50/AP75/AR1/AR10 (also class-agnostic), identity switches per 100
frames, the decomposition (per-frame AP of the segmenter alone,
association-only AP), training seconds per iteration, inference fps, the
ratios pipeline / bare segmenter and ours / MaskTrack R-CNN (time per frame,
measured in this process), and the tracker's time against the number of
instances. Where a CUDA device is present (or ``--r50-device`` asks for
one), the R50 SOLOTrack config and mmdet's MaskTrack R-CNN R50 are also
timed at 360x640 in the same run.

    python tools/analysis_tools/benchmark_synthvis.py                # full
    python tools/analysis_tools/benchmark_synthvis.py --seed 1 \\
        --work-dir work_dirs/benchmark_seed1 --no-speed             # a seed
    python tools/analysis_tools/benchmark_synthvis.py --quick        # smoke

Runs again reuse finished trainings (``<work-dir>/<method>/iter_N.pth``)
and evaluations (``<work-dir>/<method>/eval.json``, while checkpoint and
tracker are the same), and resume interrupted trainings.
``summarize_benchmark_seeds.py`` turns several seeds' work dirs into mean
+- std and paired comparisons.
"""
import argparse
import copy
import json
import os
import os.path as osp
import platform
import sys
import time
from datetime import date

import numpy as np
import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CFG = osp.join(REPO, 'configs')
#: the methods each method needs trained
NEEDS = dict(a='a', b='ab', c='a', d='d', e='e')


def parse_args(argv=None):
    from mmsolotrack.benchmark import METHODS
    parser = argparse.ArgumentParser(
        description='SynthVIS benchmark: (a) image-only, (b) + video SSL, '
        '(c) mask-IoU association, (d) MaskTrack R-CNN, (e) no embedding '
        'losses')
    parser.add_argument('--data-root', default='data/synthvis')
    parser.add_argument('--work-dir', default='work_dirs/benchmark')
    parser.add_argument(
        '--methods', nargs='+', choices=sorted(METHODS),
        default=sorted(METHODS), help='methods to train and evaluate')
    parser.add_argument(
        '--seed', type=int, default=0,
        help='training seed of every method (the data stays the same)')
    parser.add_argument(
        '--data-seed', type=int, default=0,
        help='seed of the SynthVIS generated into --data-root when it is '
        'missing; an existing SynthVIS of another seed is refused')
    parser.add_argument(
        '--quick', action='store_true',
        help='tiny data and 3 iterations: a smoke test, numbers are '
        'meaningless')
    parser.add_argument(
        '--no-speed', action='store_true',
        help='skip the timings (e.g. for the runs of further seeds)')
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
    args = parser.parse_args(argv)
    if args.r50_device.startswith('cuda') and not torch.cuda.is_available():
        parser.error(f'--r50-device {args.r50_device}: CUDA is not '
                     'available in this torch build')
    if args.r50_frames < 1:
        parser.error('--r50-frames must be >= 1')
    return args


def say(msg):
    print(f'\n==> {msg}', flush=True)


def ensure_data(root, seed, quick):
    """Generate SynthVIS (data seed ``seed``, the quickstart's size) into
    ``root`` unless there.

    Raises:
        SystemExit: ``root`` holds a SynthVIS generated with other
            parameters, e.g. another seed (its ``meta.json`` is named): runs
            on different data would be compared as one benchmark.
    """
    from mmsolotrack.benchmark import SYNTHVIS_SIZE
    from mmsolotrack.datasets.synthvis import SynthVISConfig, ensure_synthvis
    size = dict(num_train=2, num_unlabeled=2, num_val=1,
                num_frames=4) if quick else SYNTHVIS_SIZE
    try:
        ensure_synthvis(root, SynthVISConfig(seed=seed, **size), log=say,
                        progress=not quick)
    except (FileExistsError, ValueError) as err:
        raise SystemExit(str(err))


def train(cfg, name, timed_iters):
    """Train (or reuse, or resume) one method.

    Returns:
        tuple: The final checkpoint and the median seconds per iteration of
        the last ``timed_iters`` iterations (this method's own phase).
    """
    from mmengine.runner import Runner, find_latest_checkpoint
    final = osp.join(cfg.work_dir, f'iter_{cfg.train_cfg.max_iters}.pth')
    stats_file = osp.join(cfg.work_dir, 'train_stats.json')
    if osp.isfile(final) and osp.isfile(stats_file):
        say(f'{name}: reusing {final}')
        with open(stats_file) as f:
            return final, json.load(f)['sec_per_iter']
    say(f'{name}: training to iteration {cfg.train_cfg.max_iters}')
    if cfg.get('load_from') and not osp.isfile(cfg.load_from):
        raise FileNotFoundError(
            f'{name} starts from {cfg.load_from}, which does not exist (a '
            'work dir from an older benchmark run?); use a new --work-dir')
    cfg = copy.deepcopy(cfg)
    # an interrupted run resumes from its own latest checkpoint; (b) starts
    # by resuming (a)'s (set by continue_from)
    if find_latest_checkpoint(cfg.work_dir) is not None:
        cfg.resume, cfg.load_from = True, None
    runner = Runner.from_cfg(cfg)
    runner.train()
    times = runner.message_hub.get_scalar('train/time').data[0]
    times = times[-timed_iters:]
    sec = float(np.median(times[1:] if len(times) > 1 else times))
    with open(stats_file, 'w') as f:
        json.dump(dict(sec_per_iter=sec), f)
    return final, sec


def evaluate(cfg, checkpoint, cache, tracker=None):
    """Run the VIS test loop; returns the report row and whole-pipeline
    fps. The row is kept in ``cache`` (a json file) and reused while the
    checkpoint and the tracker stay the same."""
    from mmengine.runner import Runner

    from mmsolotrack.benchmark import metrics_row
    key = dict(checkpoint=osp.abspath(checkpoint),
               tracker=tracker or cfg.model.get('tracker'))
    key = json.loads(json.dumps(key, default=str))
    if osp.isfile(cache):
        with open(cache) as f:
            cached = json.load(f)
        if cached.get('key') == key:
            say(f'reusing the evaluation in {cache}')
            return cached['row']
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
    cfg.test_evaluator = evaluators
    runner = Runner.from_cfg(cfg)
    frames = sum(
        runner.test_dataloader.dataset.get_data_info(i)['video_length']
        for i in range(len(runner.test_dataloader.dataset)))
    start = time.perf_counter()
    metrics = runner.test()
    elapsed = time.perf_counter() - start
    out = metrics_row(metrics)
    out['fps'] = frames / elapsed
    os.makedirs(osp.dirname(cache), exist_ok=True)
    with open(cache, 'w') as f:
        json.dump(dict(key=key, row=out), f, indent=2)
    return out


def mask_iou_tracker(tracker):
    """(c): the same thresholds as (a)'s tracker, association by mask IoU."""
    shared = ('det_score_thr', 'init_score_thr', 'max_per_frame', 'match_thr',
              'num_frames_retain', 'dedup_iou_thr')
    return dict(
        type='MaskIoUTracker',
        **{k: v
           for k, v in tracker.items() if k in shared})


def main(argv=None):
    args = parse_args(argv)
    import mmsolotrack  # noqa: F401
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from mmsolotrack import benchmark as bench
    work_dir = osp.abspath(args.work_dir)
    os.makedirs(work_dir, exist_ok=True)
    data_root = args.data_root
    if args.quick and args.data_root == 'data/synthvis':
        data_root = osp.join(work_dir, 'synthvis_quick')
    ensure_data(data_root, args.data_seed, args.quick)

    methods = sorted(set(args.methods))
    trained = sorted({k for m in methods for k in NEEDS[m]})
    paths = bench.config_paths(CFG)
    raw = {k: Config.fromfile(paths[k]) for k in trained}
    budget = bench.check_budget(raw)
    iters = 3 if args.quick else budget['iters']
    half = max(1, iters // 2)
    cfgs = {
        k: bench.prepare(
            raw[k], data_root, osp.join(work_dir, k), args.seed,
            ckpt_interval=half if k == 'a' else iters,
            iters=iters if args.quick else None)
        for k in trained
    }
    if 'b' in cfgs:
        bench.continue_from(cfgs['b'], osp.join(work_dir, 'a',
                                                f'iter_{half}.pth'))

    checkpoints, sec = {}, {}
    for key in trained:
        init_default_scope('mmdet' if key == 'd' else 'mmsolotrack')
        checkpoints[key], sec[key] = train(
            cfgs[key], f'({key})', iters - half if key == 'b' else iters)
    init_default_scope('mmsolotrack')

    say('Evaluating')
    results = {}
    for key in methods:
        init_default_scope('mmdet' if key == 'd' else 'mmsolotrack')
        cache = osp.join(work_dir, key, 'eval.json')
        if key == 'c':
            results[key] = evaluate(
                cfgs['a'], checkpoints['a'], cache,
                mask_iou_tracker(cfgs['a'].model.tracker))
        else:
            results[key] = evaluate(cfgs[key], checkpoints[key], cache)
        results[key]['sec_per_iter'] = sec['a' if key == 'c' else key]
    init_default_scope('mmsolotrack')

    speed = scaling = r50 = None
    if not args.no_speed and {'a', 'd'} <= set(cfgs):
        say('Timing (same process, interleaved)')
        speed = bench.speed_table(cfgs, checkpoints,
                                  num_frames=4 if args.quick else 10)
        scaling = bench.tracker_scaling(args.tracker_sizes)
        if args.r50_device != 'none':
            say(f'Timing the R50 models at 360x640 on {args.r50_device}')
            r50 = bench.r50_speed(CFG, args.r50_device, args.r50_frames)
    report = dict(
        command=' '.join(['python'] + sys.argv),
        machine=f'{platform.processor() or platform.machine()}, '
        f'{os.cpu_count()} cores, torch {torch.__version__}',
        date=str(date.today()),
        seed=args.seed,
        data_seed=args.data_seed,
        iters=iters,
        batch_size=budget['images'],
        input_size='{1} x {0}'.format(*budget['train_scale']),
        budget=dict(budget, iters=iters),
        quick=args.quick,
        results=results,
        speed=speed,
        tracker_scaling={str(k): v
                         for k, v in scaling.items()} if scaling else None,
        ssl_start=half,
        r50=r50,
        cuda=torch.cuda.is_available())
    md = bench.write_report(report, work_dir)
    plots = bench.plot(results, scaling, work_dir)
    with open(md) as f:
        print('\n' + f.read())
    say('Wrote ' + ', '.join([md, osp.join(work_dir, 'results.json')] +
                             plots))


if __name__ == '__main__':
    main()
