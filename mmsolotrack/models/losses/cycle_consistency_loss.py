# Copyright (c) mmsolotrack contributors. All rights reserved.
from typing import Optional, Sequence, Union

import torch.nn as nn
from torch import Tensor

from mmsolotrack.registry import MODELS

from .contrastive import check_temperature
from .cycle import cycle_consistency_loss, palindrome_cycle_loss


@MODELS.register_module()
class CycleConsistencyLoss(nn.Module):
    """Cycle-consistency loss L_cyc on unlabelled video.

    A thin weighted wrapper around :func:`cycle_consistency_loss` (a frame
    pair) and :func:`palindrome_cycle_loss` (a clip of T frames).

    Args:
        temperature (float): The affinity temperature tau_v. Defaults to 0.1.
        loss_weight (float): Weight of the loss (l_cyc in the paper's total
            loss). Defaults to 1.0.
    """

    def __init__(self,
                 temperature: float = 0.1,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        check_temperature(temperature, 'CycleConsistencyLoss')
        self.temperature = temperature
        self.loss_weight = loss_weight

    def forward(self,
                x_t: Union[Tensor, Sequence[Tensor]],
                x_t2: Optional[Tensor] = None) -> Tensor:
        """Compute the weighted loss.

        Args:
            x_t (Tensor | Sequence[Tensor]): Shape (P, D), L2-normalised
                instance embeddings of frame t; or a list of T >= 2 such
                tensors, frame i of shape (P_i, D), for a palindrome clip
                (then ``x_t2`` must be None).
            x_t2 (Tensor, optional): Shape (Q, D), instance embeddings of
                frame t'. Required when ``x_t`` is a tensor.

        Returns:
            Tensor: Shape (), ``loss_weight`` times L_cyc.
        """
        if isinstance(x_t, (list, tuple)):
            if x_t2 is not None:
                raise ValueError(
                    'CycleConsistencyLoss: pass either a list of per-frame '
                    'tensors as `x_t` (palindrome clip) or two tensors '
                    '`x_t`, `x_t2`, not a list and `x_t2`.')
            loss = palindrome_cycle_loss(x_t, self.temperature)
        else:
            if x_t2 is None:
                raise ValueError('CycleConsistencyLoss: `x_t2` (Q, D) is '
                                 'required when `x_t` is a tensor.')
            loss = cycle_consistency_loss(x_t, x_t2, self.temperature)
        return self.loss_weight * loss

    def extra_repr(self) -> str:
        return (f'temperature={self.temperature}, '
                f'loss_weight={self.loss_weight}')
