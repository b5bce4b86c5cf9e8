# Copyright (c) mmsolotrack contributors. All rights reserved.
from .eval_progress_hook import EvalProgressHook
from .video_read_report_hook import (VideoReadReportHook,
                                     find_skip_logging_datasets,
                                     find_unlabeled_video_datasets)

__all__ = [
    'EvalProgressHook', 'VideoReadReportHook', 'find_skip_logging_datasets',
    'find_unlabeled_video_datasets'
]
