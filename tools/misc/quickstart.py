# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The quickstart behind `make demo`.

Generates SynthVIS (unless present), trains the tiny image-only SOLOTrack
config on CPU (resuming an interrupted run), tracks the `val` videos, prints
the YouTube-VIS metrics and writes them to ``<work-dir>/metrics.json``.
Running it again reuses the data and the trained checkpoint; ``--fresh``
starts over.
"""
import argparse
import json
import os
import os.path as osp
import shutil
import sys
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEFAULT_CONFIG = osp.join(
    REPO, 'configs', 'solotrack',
    'solotrack_solov2-r18-tiny_fpn_1xb4-2400i_synthvis.py')
METRIC_KEYS = ('AP', 'AP50', 'AP75', 'AR1', 'AR10')
EXTRA_KEYS = {
    'youtube_vis/segm_agnostic_AP': 'agnostic_AP',
    'youtube_vis/segm_agnostic_AP50': 'agnostic_AP50',
    'youtube_vis/segm_agnostic_AR10': 'agnostic_AR10',
    'track/idsw_per_100_frames': 'IDSW_per_100_frames',
    'embed/rank1': 'embed_rank1',
    'embed/cos_gap': 'embed_cos_gap',
    # the decomposition: the segmenter alone, per frame ...
    'frame/segm_AP': 'frame_AP',
    'frame/segm_agnostic_AP': 'frame_agnostic_AP',
    'frame/recall50': 'frame_recall50',
    'frame/cls_acc': 'frame_cls_acc',
    'frame/det_cls_acc': 'frame_det_cls_acc',
    'frame/score_tp_p50': 'frame_score_tp_p50',
    'frame/score_fp_p50': 'frame_score_fp_p50',
    # ... and association alone (ground-truth masks and labels)
    'oracle_assoc/segm_AP': 'oracle_assoc_AP',
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument('--data-root', default='data/synthvis')
    parser.add_argument('--work-dir', default='work_dirs/quickstart')
    parser.add_argument('--seed', type=int, default=0, help='SynthVIS seed')
    parser.add_argument(
        '--iters', type=int, default=None,
        help='training iterations of an iteration-based config (default: '
        'the config\'s schedule)')
    parser.add_argument(
        '--epochs', type=int, default=None,
        help='training epochs of an epoch-based config (default: the '
        'config\'s schedule)')
    parser.add_argument(
        '--fresh', action='store_true',
        help='regenerate the data and train from scratch')
    parser.add_argument(
        '--no-render', action='store_true',
        help='skip the demo video and contact sheet')
    return parser.parse_args()


def say(msg: str) -> None:
    print(f'\n==> {msg}', flush=True)


#: The quickstart's SynthVIS: 240 labelled train videos (the tiny model
#: learns far more from them than from the default 24) and 64 val videos
#: (8 are too few to rank anything: one checkpoint varies by ~0.09 AP
#: between groups of 8).
QUICKSTART_DATA = dict(num_train=240, num_val=64)


def ensure_data(root: str, seed: int, fresh: bool) -> None:
    from mmsolotrack.datasets.synthvis import SynthVISConfig, ensure_synthvis
    try:
        # data of another seed is refused; of another size, used with a
        # warning (the README's numbers are for QUICKSTART_DATA)
        ensure_synthvis(root, SynthVISConfig(seed=seed, **QUICKSTART_DATA),
                        fresh=fresh, log=say, match=('seed', ))
    except (FileExistsError, ValueError) as err:
        sys.exit(str(err))
    with open(osp.join(root, 'meta.json')) as f:
        params = json.load(f).get('config', {})
    other = {k: params.get(k) for k, v in QUICKSTART_DATA.items()
             if params.get(k) != v}
    if other:
        say(f'WARNING: {root} has {other}, the quickstart recipe is sized '
            f'for {QUICKSTART_DATA}; --fresh regenerates it')


def point_config_at_data(cfg, root: str) -> None:
    root = root.rstrip('/') + '/'
    dataset = cfg.train_dataloader.dataset
    # a ConcatDataset (labelled images + unlabelled clips) holds several
    for part in dataset.get('datasets', [dataset]):
        part.data_root = root
    for key in ('val_dataloader', 'test_dataloader'):
        if cfg.get(key):
            cfg[key].dataset.data_root = root


def set_schedule(cfg, epochs=None, iters=None) -> None:
    """Change the length of the config's schedule (epochs or iterations):
    every scheduler's begin / end (and cosine ``T_max``, step milestones)
    is stretched by the same factor, so warm-up and decay keep their share.
    """
    by_iter = 'max_iters' in cfg.train_cfg
    if (iters is not None and not by_iter) or (epochs is not None
                                               and by_iter):
        sys.exit(f'{osp.basename(cfg.filename)} trains by '
                 f'{"iterations" if by_iter else "epochs"}: use '
                 f'{"--iters" if by_iter else "--epochs"}')
    new = iters if by_iter else epochs
    if new is None:
        return
    key = 'max_iters' if by_iter else 'max_epochs'
    old = cfg.train_cfg[key]
    cfg.train_cfg[key] = new
    for sched in cfg.get('param_scheduler') or []:
        # schedulers counted in the loop's own unit
        if sched.get('by_epoch', True) == by_iter:
            continue
        begin = round(sched.get('begin', 0) * new / old)
        end = max(round(min(sched.get('end', old), old) * new / old),
                  begin + 1)
        sched.update(begin=begin, end=end)
        if 'T_max' in sched:
            sched['T_max'] = end - begin
        if 'milestones' in sched:
            sched['milestones'] = [
                max(1, round(m * new / old)) for m in sched['milestones']]


def train(cfg, work_dir: str, fresh: bool):
    from mmengine.runner import Runner
    by_iter = 'max_iters' in cfg.train_cfg
    length = cfg.train_cfg.max_iters if by_iter else cfg.train_cfg.max_epochs
    unit = 'iterations' if by_iter else 'epochs'
    prefix = 'iter' if by_iter else 'epoch'
    final = osp.join(work_dir, f'{prefix}_{length}.pth')
    if fresh and osp.isdir(work_dir):
        shutil.rmtree(work_dir)
    if osp.isfile(final):
        say(f'Trained checkpoint found: {final} (reusing it)')
        return final
    cfg.work_dir = work_dir
    cfg.resume = True  # continues from the latest checkpoint if interrupted
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.train_cfg.val_interval = length + 1
    say(f'Training {osp.basename(cfg.filename)} for {length} {unit} on '
        'CPU (interrupt any time; the next run resumes)')
    Runner.from_cfg(cfg).train()
    return final


def evaluate(cfg, checkpoint: str, work_dir: str) -> dict:
    from mmengine.runner import Runner
    cfg.work_dir = work_dir
    cfg.load_from = checkpoint
    cfg.resume = False
    evaluators = cfg.test_evaluator if isinstance(
        cfg.test_evaluator, list) else [cfg.test_evaluator]
    for evaluator in evaluators:
        if evaluator['type'].endswith('YouTubeVISMetric'):
            evaluator['outfile_prefix'] = osp.join(work_dir, 'val_results')
    say('Tracking the val videos and computing YouTube-VIS metrics')
    metrics = Runner.from_cfg(cfg).test()
    out = {k: float(metrics[f'youtube_vis/segm_{k}']) for k in METRIC_KEYS}
    for key, name in EXTRA_KEYS.items():
        if key in metrics:
            out[name] = float(metrics[key])
    return out


def main():
    args = parse_args()
    start = time.time()
    import mmsolotrack  # noqa: F401
    from mmengine.config import Config

    ensure_data(args.data_root, args.seed, args.fresh)
    cfg = Config.fromfile(args.config)
    set_schedule(cfg, epochs=args.epochs, iters=args.iters)
    point_config_at_data(cfg, args.data_root)
    work_dir = osp.abspath(args.work_dir)
    checkpoint = train(cfg.copy(), work_dir, args.fresh)
    metrics = evaluate(cfg.copy(), checkpoint, work_dir)

    with open(osp.join(work_dir, 'metrics.json'), 'w') as f:
        json.dump(metrics, f, indent=2)
    rows = '\n'.join(f'| {k:<5} | {v:6.3f} |' for k, v in metrics.items())
    say('SynthVIS val, image-only SOLOTrack + EmbeddingTracker\n'
        f'| metric | value  |\n|-------|--------|\n{rows}')
    outputs = [f'metrics:    {osp.join(work_dir, "metrics.json")}',
               f'checkpoint: {checkpoint}',
               f'results:    {osp.join(work_dir, "val_results")}*']
    if not args.no_render:
        outputs += render(cfg, checkpoint, args.data_root, work_dir)
    say('Done in {:.1f} min. Outputs:\n  '.format((time.time() - start) / 60)
        + '\n  '.join(outputs))


def render(cfg, checkpoint: str, data_root: str, work_dir: str) -> list:
    """Render one tracked val video (the video demo) and a contact sheet."""
    import subprocess

    import cv2
    import numpy as np
    video_dir = sorted(
        e.path for e in os.scandir(osp.join(data_root, 'val', 'JPEGImages'))
        if e.is_dir())[0]
    mp4 = osp.join(work_dir, 'demo.mp4')
    say(f'Rendering {video_dir} with the video demo')
    subprocess.run([
        sys.executable,
        osp.join(REPO, 'tools', 'demo', 'video_demo.py'), video_dir,
        cfg.filename, checkpoint, '--out', mp4, '--out-json',
        osp.join(work_dir, 'demo.json'), '--fps', '2'
    ],
                   check=True)
    cap = cv2.VideoCapture(mp4)
    frames = []
    ok, frame = cap.read()
    while ok:
        frames.append(frame)
        ok, frame = cap.read()
    cap.release()
    picks = [frames[i] for i in np.linspace(0, len(frames) - 1, 6).astype(int)]
    rows = [np.hstack(picks[:3]), np.hstack(picks[3:])]
    sheet = osp.join(work_dir, 'demo_sheet.png')
    cv2.imwrite(sheet, np.vstack(rows))
    return [f'video:      {mp4}', f'sheet:      {sheet} (6 frames)']


if __name__ == '__main__':
    main()
