# Copyright (c) mmsolotrack contributors. All rights reserved.
from .video_read_report_hook import (VideoReadReportHook,
                                     find_unlabeled_video_datasets)

__all__ = ['VideoReadReportHook', 'find_unlabeled_video_datasets']
