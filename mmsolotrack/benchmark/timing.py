# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Timing for the SynthVIS side-by-side, measured in one process.

Models are timed on the same frames, interleaved, so that machine noise hits
them alike: the SOLOTrack pipeline, the bare segmenter with the same weights
and MaskTrack R-CNN; the R50 models at 360x640; the tracker alone.
"""
import os.path as osp
import statistics
import time

import numpy as np
import torch

#: The YouTube-VIS R50 models timed at 360x640 (random weights: speed only).
R50_CONFIGS = dict(
    solotrack='solotrack/solotrack_solov2-r50_fpn_8xb2-12e_coco-ytvis19.py',
    masktrack='mmdet::masktrack_rcnn/'
    'masktrack-rcnn_mask-rcnn_r50_fpn_8xb1-12e_youtubevis2019.py')


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


def bare_detector_cfg(model_cfg) -> dict:
    """(a)'s segmenter alone: its stock mmdet ``detector`` config (the track
    head, classifier and tracker are SOLOTrack's own modules beside it)."""
    import copy
    det = copy.deepcopy(model_cfg.detector)
    det.data_preprocessor = dict(type='mmdet.DetDataPreprocessor')
    return det


def speed_table(cfgs, checkpoints, num_frames):
    """Seconds per frame: SOLOTrack pipeline (``cfgs['a']``), the bare
    segmenter with its weights, MaskTrack R-CNN (``cfgs['d']``)."""
    from mmengine.dataset import pseudo_collate
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint

    from mmsolotrack.registry import DATASETS, MODELS

    init_default_scope('mmsolotrack')
    video_ds = DATASETS.build(cfgs['a'].test_dataloader.dataset)
    video = pseudo_collate([video_ds[0]])

    def build(model_cfg, ckpt, **kwargs):
        model = MODELS.build(model_cfg)
        load_checkpoint(model, ckpt, map_location='cpu', logger='silent',
                        **kwargs)
        return model.eval()

    ours = build(cfgs['a'].model, checkpoints['a'])
    # the bare segmenter carries (a)'s own detector weights (the track head,
    # the classifier and the tracker are simply not there): both find the
    # same masks, and the ratio isolates the cost of what tracking adds
    bare = build(
        bare_detector_cfg(cfgs['a'].model),
        checkpoints['a'],
        strict=False,
        revise_keys=[(r'^detector\.', '')])
    ours_state = ours.state_dict()
    for key, value in bare.state_dict().items():
        if not torch.equal(value, ours_state[f'detector.{key}']):
            raise RuntimeError(f'bare segmenter: {key} differs from (a)')
    init_default_scope('mmdet')
    masktrack = build(cfgs['d'].model, checkpoints['d'])
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


def r50_speed(config_root,
              device,
              num_frames,
              shape=(360, 640),
              warmup=2,
              repeat=3):
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
        cfg = get_config(path) if '::' in path else osp.join(
            config_root, path)
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


