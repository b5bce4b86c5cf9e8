# Copyright (c) mmsolotrack contributors. All rights reserved.
from .embed_head_mixin import EmbedHeadMixin
from .embedding_branch import EmbeddingBranch
from .solo_embed_head import SOLOEmbedHead
from .solov2_embed_head import SOLOV2EmbedHead

__all__ = [
    'EmbedHeadMixin', 'EmbeddingBranch', 'SOLOEmbedHead', 'SOLOV2EmbedHead'
]
