# Copyright (c) mmsolotrack contributors. All rights reserved.
from .embedding_branch import EmbeddingBranch
from .solo_embed_head import SOLOEmbedHead

__all__ = ['EmbeddingBranch', 'SOLOEmbedHead']
