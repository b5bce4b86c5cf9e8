# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Segment and track instances in a video; write an annotated mp4.

    python tools/demo/video_demo.py INPUT CONFIG CHECKPOINT --out OUT.mp4 \
        [--out-json results.json] [--device cpu|cuda] [--score-thr 0.3] \
        [--max-frames N] [--fps F] [--amp] [--channels-last] \
        [--cfg-options k=v ...]

INPUT is a video file (mp4, avi, ..., checked by its content: a text file
that FFmpeg would render as frames is refused), an image, or a folder of
frames (read in natural order of their names). Frames are streamed: decode ->
segment and track ->
draw -> write, one at a time, so memory does not grow with the length of the
video. The output shows each track's mask in its colour, its id, category
and score (mmdet's ``TrackLocalVisualizer``; instances with score <=
``--score-thr`` are not drawn). ``--out-json`` writes the YouTube-VIS result
layout for the whole video (every track, whatever ``--score-thr``).

Decoding is :func:`mmsolotrack.apis.read_video_frames`, the reader training
uses: a truncated JPEG / PNG frame is an error naming it, and the frame at
the cut of a truncated video is left out. If decoding fails part-way, the
demo stops, closes the mp4 (which then holds the frames done and stays
playable), writes the json for those frames and prints an error naming the
file and the frame. When only the last ``TAIL_FRAMES`` frames a video file
announces do not decode (containers that over-count), this is a warning and
the exit status is 0; any other failure exits with status 1.
"""
import argparse
import itertools
import json
import os
import os.path as osp
import sys
from typing import Optional, Tuple

import cv2
import numpy as np
import torch
from mmengine.config import DictAction
from tqdm import tqdm

from mmsolotrack.apis import (VideoInferencer, VideoReadError,
                              YTVISTrackCollector, init_model,
                              read_video_frames, video_info)

#: Frame rate of the output when neither --fps nor the input gives one.
DEFAULT_FPS = 10.0
#: A video file whose decoding stops this many frames or fewer before the
#: count its container announces only misses its tail: a warning, exit 0.
TAIL_FRAMES = 1


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Segment and track instances in a video (mmsolotrack)')
    parser.add_argument('input', help='video file or folder of frames')
    parser.add_argument('config', help='model config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', required=True, help='output video (.mp4)')
    parser.add_argument('--out-json',
                        help='also write YouTube-VIS-format results here')
    parser.add_argument('--device',
                        default='cpu',
                        help='device, e.g. cpu, cuda, cuda:1')
    parser.add_argument('--score-thr',
                        type=float,
                        default=0.3,
                        help='draw tracked instances with a score above this')
    parser.add_argument('--max-frames',
                        type=int,
                        help='process at most this many frames')
    parser.add_argument(
        '--fps',
        type=float,
        help='frame rate of the output (default: the input\'s, else '
        f'{DEFAULT_FPS:g})')
    parser.add_argument('--amp',
                        action='store_true',
                        help='bf16 autocast of the network forwards '
                        "(default: the config's inference_cfg)")
    parser.add_argument('--channels-last',
                        action='store_true',
                        help='channels-last weights and inputs '
                        "(default: the config's inference_cfg)")
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, key=value pairs')
    args = parser.parse_args(argv)
    for path, what in ((args.config, 'config'), (args.checkpoint,
                                                 'checkpoint')):
        if not osp.isfile(path):
            parser.error(f'{what} file {path} does not exist')
    if args.device.startswith('cuda') and not torch.cuda.is_available():
        parser.error(f'--device {args.device}: CUDA is not available')
    if osp.splitext(args.out)[1].lower() != '.mp4':
        parser.error(f'--out must be an .mp4 file, got {args.out}')
    if not 0.0 <= args.score_thr <= 1.0:
        parser.error(f'--score-thr must be in [0, 1], got {args.score_thr}')
    if args.max_frames is not None and args.max_frames < 1:
        parser.error(f'--max-frames must be >= 1, got {args.max_frames}')
    if args.fps is not None and not args.fps > 0:
        parser.error(f'--fps must be > 0, got {args.fps}')
    return args


class Mp4Writer:
    """cv2.VideoWriter (mp4v) opened at the first frame, with its size.

    Args:
        path (str): Output file.
        fps (float): Frame rate.
    """

    def __init__(self, path: str, fps: float) -> None:
        self.path = path
        self.fps = fps
        self.size: Optional[Tuple[int, int]] = None
        self.num_frames = 0
        self._writer = None

    def write(self, frame: np.ndarray) -> None:
        """Append one (H, W, 3) BGR uint8 frame."""
        height, width = frame.shape[:2]
        if self._writer is None:
            os.makedirs(osp.dirname(osp.abspath(self.path)), exist_ok=True)
            self._writer = cv2.VideoWriter(self.path,
                                           cv2.VideoWriter_fourcc(*'mp4v'),
                                           self.fps, (width, height))
            if not self._writer.isOpened():
                raise RuntimeError(f'cannot open {self.path} for writing '
                                   '(OpenCV VideoWriter, mp4v)')
            self.size = (width, height)
        self._writer.write(np.ascontiguousarray(frame))
        self.num_frames += 1

    def close(self) -> None:
        """Finish the file (writes the mp4 index); safe to call twice."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None


def build_visualizer(dataset_meta: dict):
    """mmdet's ``TrackLocalVisualizer`` (no backends: we write the video)."""
    from mmdet.visualization import TrackLocalVisualizer
    visualizer = TrackLocalVisualizer(name='video_demo')
    visualizer.dataset_meta = dataset_meta
    return visualizer


def draw_tracks(visualizer, frame: np.ndarray, sample,
                score_thr: float) -> np.ndarray:
    """The (H, W, 3) BGR frame with the tracked instances drawn on it."""
    visualizer.add_datasample('frame',
                              frame[..., ::-1],
                              data_sample=sample,
                              draw_gt=False,
                              show=False,
                              pred_score_thr=score_thr)
    return visualizer.get_image()[..., ::-1]


def count_frames(path: str) -> int:
    """Frames a written mp4 announces when OpenCV re-opens it (0 if it
    cannot be opened)."""
    cap = cv2.VideoCapture(path)
    try:
        return int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) if cap.isOpened() else 0
    finally:
        cap.release()


def track_video(args) -> Tuple[int, Optional[Exception]]:
    """Decode, track, draw and write; returns (frames done, error)."""
    info = video_info(args.input)
    fps = args.fps or info.fps or DEFAULT_FPS
    total = info.num_frames
    if args.max_frames is not None:
        total = min(total or args.max_frames, args.max_frames)

    model = init_model(args.config, args.checkpoint, args.device,
                       args.cfg_options)
    inferencer = VideoInferencer(model,
                                 amp='bfloat16' if args.amp else None,
                                 channels_last=args.channels_last or None)
    visualizer = build_visualizer(model.dataset_meta)
    collector = YTVISTrackCollector(video_id=1) if args.out_json else None
    writer = Mp4Writer(args.out, fps)

    frames = read_video_frames(args.input)
    error = None
    # frames done and frames per second (never inverted to s/frame)
    progress = tqdm(total=total,
                    unit='frame',
                    desc=osp.basename(args.input.rstrip('/')),
                    bar_format='{l_bar}{bar}| {n_fmt}/{total_fmt} '
                    '[{elapsed}<{remaining}, {rate_noinv_fmt}{postfix}]')
    try:
        for index, frame in enumerate(itertools.islice(frames,
                                                       args.max_frames)):
            if writer.size is not None and (frame.shape[1],
                                            frame.shape[0]) != writer.size:
                raise VideoReadError(
                    args.input, index, f'{frame.shape[1]}x{frame.shape[0]}, '
                    f'frame 0 is {writer.size[0]}x{writer.size[1]}; all '
                    'frames of a video must have one size')
            sample = inferencer(frame)
            writer.write(draw_tracks(visualizer, frame, sample,
                                     args.score_thr))
            if collector is not None:
                collector.add(sample.pred_track_instances)
            progress.update(1)
            progress.set_postfix(tracks=len(sample.pred_track_instances))
    except VideoReadError as err:
        error = err
    finally:
        progress.close()
        frames.close()
        writer.close()

    if collector is not None:
        os.makedirs(osp.dirname(osp.abspath(args.out_json)), exist_ok=True)
        with open(args.out_json, 'w') as f:
            json.dump(collector.results(), f)
    return writer.num_frames, error


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        num_frames, error = track_video(args)
    except VideoReadError as err:  # the input cannot be opened at all
        print(f'error: {err}', file=sys.stderr)
        return 1

    written = count_frames(args.out) if num_frames else 0
    if written != num_frames:
        print(
            f'error: {args.out} re-opens with {written} frames, '
            f'{num_frames} were written',
            file=sys.stderr)
        return 1
    done = f'{num_frames} frames written to {args.out}'
    if args.out_json:
        done += f', results in {args.out_json}'
    if error is not None and only_tail_missing(args.input, error):
        print(f'warning: {error}', file=sys.stderr)
        print(f'only the tail of {args.input} is missing; {done}')
        return 0
    if error is not None:
        print(f'error: {error}', file=sys.stderr)
        print(f'stopped at frame {error.frame_index}; {done}', file=sys.stderr)
        return 1
    print(done)
    return 0


def only_tail_missing(input_path: str, error: VideoReadError) -> bool:
    """Whether decoding a video file stopped within its last
    ``TAIL_FRAMES`` announced frames (and not at a bad frame image)."""
    announced = error.num_frames_announced
    return (osp.isfile(input_path) and error.path == input_path
            and error.frame_index is not None and announced is not None
            and bool(error.usable_len)
            and 0 < announced - error.frame_index <= TAIL_FRAMES)


if __name__ == '__main__':
    sys.exit(main())
