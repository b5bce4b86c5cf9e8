# Copyright (c) mmsolotrack contributors. All rights reserved.
from typing import Callable

import torch.nn as nn
from torch import Tensor

from .contrastive import check_temperature


class IdentityLoss(nn.Module):
    """Base of the image-level embedding losses: a weighted pure function.

    Subclasses set ``loss_fn``, a function
    ``(embeddings (N, D), identities (N,), temperature) -> Tensor ()``.

    Args:
        temperature (float): The softmax temperature tau. Defaults to 0.1.
        loss_weight (float): Weight of the loss in the image loss.
            Defaults to 1.0.
    """

    loss_fn: Callable[[Tensor, Tensor, float], Tensor]

    def __init__(self,
                 temperature: float = 0.1,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        check_temperature(temperature, type(self).__name__)
        self.temperature = temperature
        self.loss_weight = loss_weight

    def forward(self, embeddings: Tensor, identities: Tensor) -> Tensor:
        """Compute the weighted loss.

        Args:
            embeddings (Tensor): Shape (N, D), L2-normalised cell embeddings.
            identities (Tensor): Shape (N,), integer identity of each row.

        Returns:
            Tensor: Shape (), ``loss_weight`` times the loss.
        """
        loss = type(self).loss_fn(embeddings, identities, self.temperature)
        return self.loss_weight * loss

    def extra_repr(self) -> str:
        return (f'temperature={self.temperature}, '
                f'loss_weight={self.loss_weight}')
