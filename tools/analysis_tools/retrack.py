# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Tune the tracker without re-running the network: cache, then re-track.

    python tools/analysis_tools/retrack.py CONFIG CHECKPOINT \
        [--cache work_dirs/retrack/NAME.pt] \
        [--grid '[{"match_thr": 0.2}, {"momentum": 0.5}]'] \
        [--cfg-options k=v ...]

The first run segments every test video once with the checkpoint (the
config's test set; the model must be built with ``with_gt_embeddings=True``,
as the SynthVIS configs are) and saves the per-frame predictions (masks,
scores, labels, embeddings) and the ground truth with its pooled
embeddings, as plain tensors (``torch.save``; read back with
``weights_only=True``). Every run then tracks the cached frames again with the config's
tracker updated by each entry of ``--grid`` and prints, per entry, the
YouTube-VIS AP (category-aware and class-agnostic), the association-only AP
with ground-truth masks (``OracleAssociationMetric``) and the ID switches
per 100 frames. The empty entry ``{}`` is the config's own tracker: its row
equals what ``tools/test.py`` reports for the checkpoint.

Tune on one split and report on another: the SynthVIS quickstart tracker was
tuned on val of data seed 0 and checked on data seeds 1 and 2.
"""
import argparse
import contextlib
import io
import json
import os
import os.path as osp

ROW_KEYS = {
    'youtube_vis/segm_AP': 'AP',
    'youtube_vis/segm_agnostic_AP': 'agnostic_AP',
    'oracle_assoc/segm_AP': 'association_only_AP',
    'track/idsw_per_100_frames': 'IDSW_per_100_frames',
}


def parse_args():
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--cache', default=None,
                        help='the cached predictions (default: '
                        'work_dirs/retrack/<config name>.pt); reused when '
                        'present')
    parser.add_argument('--grid', default='[{}]',
                        help='JSON list of tracker overrides, one row each')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args()


def to_plain(video) -> list:
    """A TrackDataSample as plain tensors and Python values, so that the
    cache loads with ``torch.load(weights_only=True)``."""
    import torch
    frames = []
    for frame in video:
        gt = frame.gt_instances
        masks = gt.masks
        if hasattr(masks, 'to_tensor'):
            masks = masks.to_tensor(torch.bool, 'cpu')
        frames.append(dict(
            metainfo=dict(frame.metainfo),
            pred={k: v.cpu() for k, v in frame.pred_instances.items()},
            gt=dict({k: v.cpu() for k, v in gt.items() if k != 'masks'},
                    masks=masks.bool())))
    return frames


def from_plain(frames: list):
    """The TrackDataSample :func:`to_plain` wrote."""
    from mmdet.structures import DetDataSample, TrackDataSample
    from mmengine.structures import InstanceData
    samples = []
    for item in frames:
        sample = DetDataSample(metainfo=item['metainfo'])
        sample.pred_instances = InstanceData(**item['pred'])
        sample.gt_instances = InstanceData(**item['gt'])
        samples.append(sample)
    return TrackDataSample(video_data_samples=samples)


def predict_videos(cfg, checkpoint: str) -> list:
    """Segment every test video once: per video, its frames' predictions
    and ground truth (:func:`to_plain`), without the tracker's outputs."""
    import torch
    from mmengine.runner import Runner
    from tqdm import tqdm
    if not cfg.model.get('with_gt_embeddings'):
        raise SystemExit('retrack.py: the model needs with_gt_embeddings='
                         'True (association-only AP)')
    cfg.work_dir = osp.join('work_dirs', 'retrack')
    cfg.load_from = checkpoint
    cfg.resume = False
    runner = Runner.from_cfg(cfg)
    runner.load_or_resume()
    model = runner.model
    model.eval()
    videos = []
    with torch.no_grad():
        for batch in tqdm(runner.test_dataloader, desc='segment'):
            videos.append(to_plain(model.test_step(batch)[0]))
    return videos


def retrack(videos: list, tracker_cfg: dict, classes) -> dict:
    """Track cached videos with ``tracker_cfg``; the row's metrics."""
    from mmengine.evaluator import Evaluator

    from mmsolotrack.models.trackers.ground_truth_tracking import \
        track_ground_truth
    from mmsolotrack.registry import MODELS
    tracker = MODELS.build(tracker_cfg)
    oracle = MODELS.build(dict(tracker_cfg, det_score_thr=0.0,
                               init_score_thr=0.0))
    evaluator = Evaluator([
        dict(type='YouTubeVISMetric', metric='segm', class_agnostic=True),
        dict(type='OracleAssociationMetric'),
        dict(type='IDSwitchMetric'),
    ])
    evaluator.dataset_meta = dict(classes=classes)
    for video in videos:
        for t in range(len(video)):
            frame = video[t]
            if t == 0:
                tracker.reset()
                oracle.reset()
            frame.pred_track_instances = tracker.track(frame)
            frame.oracle_track_instances = track_ground_truth(
                oracle, frame, frame_id=t)
        evaluator.process([video])
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools' tables
        metrics = evaluator.evaluate(len(videos))
    return {name: round(float(metrics[key]), 4)
            for key, name in ROW_KEYS.items() if key in metrics}


def main():
    args = parse_args()
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmsolotrack  # noqa: F401
    init_default_scope('mmsolotrack')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cache = args.cache or osp.join(
        'work_dirs', 'retrack',
        osp.splitext(osp.basename(args.config))[0] + '.pt')
    import torch
    if osp.isfile(cache):
        print(f'reusing the predictions in {cache}')
        plain = torch.load(cache, weights_only=True)
    else:
        plain = predict_videos(cfg.copy(), args.checkpoint)
        os.makedirs(osp.dirname(osp.abspath(cache)), exist_ok=True)
        torch.save(plain, cache)
        print(f'predictions of {len(plain)} videos cached in {cache}')
    videos = [from_plain(frames) for frames in plain]
    try:
        grid = json.loads(args.grid)
    except json.JSONDecodeError as e:
        raise SystemExit(f'retrack.py: --grid is not JSON: {e}')
    if not isinstance(grid, list) or not all(
            isinstance(g, dict) for g in grid):
        raise SystemExit('retrack.py: --grid must be a JSON list of objects')
    classes = cfg.test_dataloader.dataset.metainfo['classes']
    for override in grid:
        row = retrack(videos, dict(cfg.model.tracker, **override), classes)
        print(json.dumps(dict(tracker=override, **row)), flush=True)


if __name__ == '__main__':
    main()
