# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Frames per second of video inference, whole and by part.

    python tools/analysis_tools/benchmark.py CONFIG [CHECKPOINT] \
        (--video PATH | --shape H W) [--num-frames 50] [--warmup 5] \
        [--repeat 3] [--device cpu] [--amp] [--channels-last] \
        [--cfg-options k=v ...]

Frames go one at a time through the same path as the video demo
(:class:`mmsolotrack.apis.VideoInferencer`): test pipeline + data
preprocessor, backbone + neck + heads, the head's post-processing
(``predict_by_feat``: matrix NMS, masks at the frame size, mask-pooled
embeddings) and the tracker. Each part is timed inside the same run as the
whole frame; after ``--warmup`` frames, ``--repeat`` runs of ``--num-frames``
frames each (a new video each run, so the tracker starts empty) give the
median per-frame time of every part and its share of the frame time.
Decoding is not timed: the frames are read (``--video``) or drawn at random
(``--shape``) beforehand. Without a checkpoint the weights are random with
the modules' own initialisation (``init_model(..., init_weights=True)``:
classifier prior bias, no pretrained download): plain random weights would
make the classifier fire in every grid cell and time a post-processing no
trained model runs. The number of instances per frame is printed, since the
post-processing and the tracker depend on it.

With ``--amp`` (bf16 autocast of the network's forwards) and / or
``--channels-last`` (:class:`VideoInferencer`'s speed options) the table
is for that variant, and a copy of the model in float32 and the default
layout runs the same frames interleaved with it (one of its runs after
each timed run of the variant): the ratio of the two whole-frame medians
is printed.

A trained model on real frames keeps a handful of instances, so the tracker
is also timed alone at ``--tracker-instances`` instances per frame
(crowded synthetic predictions at the frames' size, one in ten a duplicate,
``max_per_frame`` raised to the count, the config's other tracker
settings): one warm-up pass, then ``--repeat`` rounds that run every count
in turn; the median ms per frame and its share of the whole-pipeline frame
time measured above.
"""
import argparse
import copy
import itertools
import statistics
import time
from collections import defaultdict
from typing import Callable, Dict, List

import numpy as np
import torch
from mmengine.config import DictAction
from terminaltables import AsciiTable

from mmsolotrack.apis import VideoInferencer, init_model, read_video_frames
from mmsolotrack.models.utils import detector_heads
from mmsolotrack.testing.crowded_frames import crowded_predictions

#: (key, row label) of the timed parts, in pipeline order.
PARTS = (
    ('preprocess', 'preprocess (test pipeline + data preprocessor)'),
    ('forward', 'backbone + neck + heads (forward)'),
    ('postprocess', 'post-processing (predict_by_feat: matrix NMS, masks; '
     'embedding pooling)'),
    ('tracker', 'tracker'),
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Frames per second of mmsolotrack video inference')
    parser.add_argument('config', help='model config file')
    parser.add_argument('checkpoint',
                        nargs='?',
                        help='checkpoint (default: random weights)')
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--video', help='video file or folder of frames')
    source.add_argument('--shape',
                        type=int,
                        nargs=2,
                        metavar=('H', 'W'),
                        help='random frames of this size')
    parser.add_argument('--num-frames',
                        type=int,
                        default=50,
                        help='frames per timed run')
    parser.add_argument('--warmup',
                        type=int,
                        default=5,
                        help='untimed frames first')
    parser.add_argument('--repeat',
                        type=int,
                        default=3,
                        help='timed runs (median)')
    parser.add_argument('--device', default='cpu', help='cpu, cuda, ...')
    parser.add_argument('--amp',
                        action='store_true',
                        help='bf16 autocast of the network forwards, timed '
                        'against float32 in the same run (default: the '
                        "config's inference_cfg)")
    parser.add_argument('--channels-last',
                        action='store_true',
                        help='channels-last weights and inputs, timed '
                        'against the default layout in the same run '
                        "(default: the config's inference_cfg)")
    parser.add_argument('--tracker-instances',
                        type=int,
                        nargs='*',
                        default=[10, 50, 100, 500],
                        help='instance counts the tracker is timed at alone '
                        '(none: skip)')
    parser.add_argument('--tracker-frames',
                        type=int,
                        default=20,
                        help='frames per tracker-alone run')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, key=value pairs')
    args = parser.parse_args(argv)
    for name in ('num_frames', 'repeat'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be >= 1')
    if args.device.startswith('cuda') and not torch.cuda.is_available():
        parser.error(f'--device {args.device}: CUDA is not available')
    if args.warmup < 0:
        parser.error('--warmup must be >= 0')
    if args.tracker_frames < 1 or min(args.tracker_instances or [1]) < 1:
        parser.error('--tracker-frames and --tracker-instances must be >= 1')
    if args.shape is not None and min(args.shape) < 1:
        parser.error(f'--shape must be positive, got {args.shape}')
    return args


class PartTimer:
    """Accumulates wall time of wrapped methods, by part.

    Methods are wrapped on the instance (the class is untouched) and
    restored by :meth:`restore`. On CUDA the device is synchronised before
    each clock reading.

    Args:
        device (str): The model's device.
    """

    def __init__(self, device: str) -> None:
        self.seconds: Dict[str, float] = defaultdict(float)
        self._cuda = str(device).startswith('cuda')
        self._wrapped: List[tuple] = []

    def now(self) -> float:
        if self._cuda:
            torch.cuda.synchronize()
        return time.perf_counter()

    def wrap(self, obj, name: str, part: str) -> None:
        method: Callable = getattr(obj, name)

        def timed(*args, **kwargs):
            start = self.now()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds[part] += self.now() - start

        setattr(obj, name, timed)
        self._wrapped.append((obj, name))

    def restore(self) -> None:
        for obj, name in self._wrapped:
            delattr(obj, name)
        self._wrapped.clear()


def instrument(inferencer: VideoInferencer, timer: PartTimer) -> None:
    """Time the parts of what ``SOLOTrack.predict`` runs on a frame."""
    model = inferencer.model
    detector = getattr(model, 'detector', None)
    track_head = getattr(model, 'track_head', None)
    if detector is None or track_head is None or getattr(
            model, 'tracker', None) is None:
        raise TypeError('benchmark needs a SOLOTrack-like video model (with '
                        f'detector, track_head and tracker), got '
                        f'{type(model).__name__}')
    timer.wrap(inferencer, 'preprocess', 'preprocess')
    timer.wrap(detector, 'extract_feat', 'forward')
    for head in detector_heads(detector):
        timer.wrap(head, 'forward', 'forward')
        timer.wrap(head, 'predict_by_feat', 'postprocess')
    timer.wrap(track_head, 'forward', 'forward')
    timer.wrap(track_head, 'add_embeddings', 'postprocess')
    timer.wrap(model.tracker, 'track', 'tracker')


def timed_run(inferencer: VideoInferencer, timer: PartTimer,
              frames: List[np.ndarray]) -> dict:
    """One video: per-frame mean seconds of each part and of the whole."""
    inferencer.reset()
    timer.seconds.clear()
    total = 0.0
    dets = tracks = 0
    for frame in frames:
        start = timer.now()
        sample = inferencer(frame)
        total += timer.now() - start
        dets += len(sample.pred_instances)
        tracks += len(sample.pred_track_instances)
    n = len(frames)
    result = {key: timer.seconds[key] / n for key, _ in PARTS}
    result['other'] = total / n - sum(result.values())
    result['total'] = total / n
    result['instances'] = dets / n
    result['tracked'] = tracks / n
    return result


def load_frames(args) -> List[np.ndarray]:
    needed = args.num_frames
    if args.shape is not None:
        rng = np.random.default_rng(0)
        return [
            rng.integers(0, 256, (*args.shape, 3), dtype=np.uint8)
            for _ in range(needed)
        ]
    frames = list(itertools.islice(read_video_frames(args.video), needed))
    if len(frames) < needed:
        print(f'note: {args.video} has only {len(frames)} frames; timing '
              f'runs of {len(frames)} frames')
    return frames


def format_table(runs: List[dict]) -> str:
    """Median over runs of each part's ms/frame, fps and share."""

    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    rows = [['part', 'ms / frame', 'fps', 'share of frame']]
    for key, label in (*PARTS, ('other', 'other (glue, data structures)'),
                       ('total', 'whole pipeline')):
        ms = median(key) * 1000
        share = statistics.median(r[key] / r['total'] for r in runs)
        fps = f'{1000 / ms:.2f}' if key != 'other' and ms > 0 else '-'
        rows.append([label, f'{ms:.1f}', fps, f'{100 * share:.1f}%'])
    return AsciiTable(rows).table


def format_variant_ratio(runs: List[dict], base_runs: List[dict]) -> str:
    """Medians of the variant and of float32 / default layout (interleaved
    runs) and their ratios, for the whole frame and the forward."""
    rows = [['ms / frame', 'float32, default layout', 'variant', 'ratio']]
    for key, label in (('total', 'whole pipeline'),
                       ('forward', 'backbone + neck + heads (forward)')):
        ms = 1000 * statistics.median(r[key] for r in runs)
        base = 1000 * statistics.median(r[key] for r in base_runs)
        rows.append([label, f'{base:.1f}', f'{ms:.1f}', f'{ms / base:.3f}'])
    return AsciiTable(rows).table


def time_tracker_alone(tracker, counts: List[int], num_frames: int,
                       height: int, width: int, embed_dims: int,
                       repeat: int) -> Dict[int, dict]:
    """Median ms per frame of ``tracker`` (a copy per count, with
    ``max_per_frame`` = count) on crowded predictions, interleaved.

    Returns:
        dict[int, dict]: per count, ``ms`` (median per-frame ms over
        ``repeat`` rounds) and ``tracked`` (instances per frame in a track).
    """
    videos, trackers = {}, {}
    for n in counts:
        videos[n] = crowded_predictions(n, num_frames, height, width,
                                        embed_dims)
        trackers[n] = copy.deepcopy(tracker)
        trackers[n].max_per_frame = n

    def run(n: int) -> tuple:
        trackers[n].reset()
        start = time.perf_counter()
        tracked = sum(len(trackers[n].track(frame)) for frame in videos[n])
        return (time.perf_counter() - start) / num_frames, tracked

    for n in counts:  # warm-up
        run(n)
    seconds = defaultdict(list)
    tracked = {}
    for _ in range(repeat):
        for n in counts:
            sec, tracked[n] = run(n)
            seconds[n].append(sec)
    return {
        n:
        dict(ms=1000 * statistics.median(seconds[n]),
             tracked=tracked[n] / num_frames)
        for n in counts
    }


def format_tracker_table(rows: Dict[int, dict], frame_ms: float) -> str:
    """The tracker-alone timings and their share of a pipeline frame."""
    table = [[
        'instances / frame', 'tracked / frame', 'tracker ms / frame',
        'us / instance', 'share of frame'
    ]]
    for n, row in rows.items():
        table.append([
            str(n), f"{row['tracked']:.1f}", f"{row['ms']:.3f}",
            f"{1000 * row['ms'] / n:.1f}", f"{100 * row['ms'] / frame_ms:.1f}%"
        ])
    return AsciiTable(table).table


def main(argv=None) -> int:
    args = parse_args(argv)
    model = init_model(args.config,
                       args.checkpoint,
                       args.device,
                       args.cfg_options,
                       init_weights=True)
    # before VideoInferencer converts the weights to channels-last in place
    plain = copy.deepcopy(model)
    # flags not given: the config's inference_cfg decides
    inferencer = VideoInferencer(model,
                                 amp='bfloat16' if args.amp else None,
                                 channels_last=args.channels_last or None)
    variant = bool(inferencer.amp or inferencer.channels_last)
    baseline = VideoInferencer(plain, amp=False,
                               channels_last=False) if variant else None
    del plain
    frames = load_frames(args)
    if not frames:
        raise RuntimeError(f'no frame could be read from {args.video}')
    height, width = frames[0].shape[:2]

    timer = PartTimer(args.device)
    instrument(inferencer, timer)
    base_timer = PartTimer(args.device)
    if variant:
        instrument(baseline, base_timer)
    runs, base_runs = [], []
    try:
        for inf in (inferencer, baseline) if variant else (inferencer, ):
            inf.reset()
            for frame in itertools.islice(itertools.cycle(frames),
                                          args.warmup):
                inf(frame)
        for _ in range(args.repeat):
            runs.append(timed_run(inferencer, timer, frames))
            if variant:
                base_runs.append(timed_run(baseline, base_timer, frames))
    finally:
        timer.restore()
        base_timer.restore()

    source = args.video or 'random frames'
    weights = args.checkpoint or ('random weights (no checkpoint given; '
                                  'timings only)')
    print(f'config:  {args.config}')
    print(f'weights: {weights}')
    print(f'input:   {source}, {width}x{height} (W x H), device '
          f'{args.device}, {torch.get_num_threads()} torch threads')
    print(f'runs:    {args.warmup} warm-up frames, then the median of '
          f'{args.repeat} runs of {len(frames)} frames')
    print('network: {}, {} layout'.format(
        f'{inferencer.amp} autocast' if inferencer.amp else 'float32',
        'channels-last' if inferencer.channels_last else 'default'))
    print('instances per frame: {:.1f} after NMS, {:.1f} tracked'.format(
        statistics.median(r['instances'] for r in runs),
        statistics.median(r['tracked'] for r in runs)))
    print(format_table(runs))
    if variant:
        print(format_variant_ratio(runs, base_runs))
    if args.tracker_instances:
        rows = time_tracker_alone(model.tracker, args.tracker_instances,
                                  args.tracker_frames, height, width,
                                  model.track_head.embed_dims, args.repeat)
        frame_ms = 1000 * statistics.median(r['total'] for r in runs)
        print(f'tracker alone ({type(model.tracker).__name__}, '
              f'{args.tracker_frames} frames of crowded predictions, '
              f'share of the {frame_ms:.1f} ms pipeline frame above):')
        print(format_tracker_table(rows, frame_ms))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
