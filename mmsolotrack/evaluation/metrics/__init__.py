# Copyright (c) mmsolotrack contributors. All rights reserved.
from .youtube_vis_metric import YouTubeVISMetric

__all__ = ['YouTubeVISMetric']
