# Copyright (c) mmsolotrack contributors. All rights reserved.
import torch.nn as nn
from torch import Tensor

from mmsolotrack.registry import MODELS

from .contrastive import check_temperature, max_entropy_loss


@MODELS.register_module()
class MaxEntropyLoss(nn.Module):
    """Maximum-entropy regulariser L_ent: spreads the identity centers.

    A thin weighted wrapper around :func:`max_entropy_loss`.

    Args:
        temperature (float): The softmax temperature tau. Defaults to 0.1.
        loss_weight (float): Weight of the loss (l_ent in the paper's
            image loss). Defaults to 1.0.
    """

    def __init__(self,
                 temperature: float = 0.1,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        check_temperature(temperature, 'MaxEntropyLoss')
        self.temperature = temperature
        self.loss_weight = loss_weight

    def forward(self, embeddings: Tensor, identities: Tensor) -> Tensor:
        """Compute the weighted loss.

        Args:
            embeddings (Tensor): Shape (N, D), L2-normalised cell embeddings.
            identities (Tensor): Shape (N,), integer identity of each row.

        Returns:
            Tensor: Shape (), ``loss_weight`` times L_ent.
        """
        loss = max_entropy_loss(embeddings, identities, self.temperature)
        return self.loss_weight * loss

    def extra_repr(self) -> str:
        return (f'temperature={self.temperature}, '
                f'loss_weight={self.loss_weight}')
