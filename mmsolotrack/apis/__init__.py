# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Python API: build a model and track instances in videos."""
from mmsolotrack.datasets.video_io import (VideoInfo, VideoReadError,
                                           read_video_frames, video_info)
from .inference import (VideoInferencer, build_video_test_pipeline,
                        inference_video, init_model)
from .ytvis_results import YTVISTrackCollector

__all__ = [
    'VideoInferencer', 'VideoInfo', 'VideoReadError', 'YTVISTrackCollector',
    'build_video_test_pipeline', 'inference_video', 'init_model',
    'read_video_frames', 'video_info'
]
