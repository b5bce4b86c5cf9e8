# Copyright (c) mmsolotrack contributors. All rights reserved.
from .cosine_roi_embed_head import CosineRoIEmbedHead
from .embedding_branch import EmbeddingBranch
from .solo_embed_head import SOLOEmbedHead

__all__ = ['CosineRoIEmbedHead', 'EmbeddingBranch', 'SOLOEmbedHead']
