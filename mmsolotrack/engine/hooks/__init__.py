# Copyright (c) mmsolotrack contributors. All rights reserved.
from .checkpoint_check_hook import CheckpointCheckHook
from .eval_progress_hook import EvalProgressHook
from .finite_check_hook import FiniteCheckHook, NonFiniteTrainingError
from .random_state_hook import RANDOM_STATES_KEY, RandomStateHook
from .video_read_report_hook import (VideoReadReportHook,
                                     find_skip_logging_datasets,
                                     find_unlabeled_video_datasets)

__all__ = [
    'CheckpointCheckHook', 'EvalProgressHook', 'FiniteCheckHook',
    'NonFiniteTrainingError', 'RANDOM_STATES_KEY', 'RandomStateHook',
    'VideoReadReportHook',
    'find_skip_logging_datasets',
    'find_unlabeled_video_datasets'
]
