# Copyright (c) mmsolotrack contributors. All rights reserved.
from .embedding_diagnostic_metric import (EmbeddingDiagnosticMetric,
                                          embedding_retrieval_stats)
from .youtube_vis_metric import YouTubeVISMetric

__all__ = [
    'EmbeddingDiagnosticMetric', 'YouTubeVISMetric',
    'embedding_retrieval_stats'
]
