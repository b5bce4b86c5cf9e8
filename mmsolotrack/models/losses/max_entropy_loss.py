# Copyright (c) mmsolotrack contributors. All rights reserved.
from mmsolotrack.registry import MODELS

from .contrastive import max_entropy_loss
from .identity_loss import IdentityLoss


@MODELS.register_module()
class MaxEntropyLoss(IdentityLoss):
    """Maximum-entropy regulariser L_ent: spreads the identity centers.

    A thin weighted wrapper around :func:`max_entropy_loss`.

    Args:
        temperature (float): The softmax temperature tau. Defaults to 0.1.
        loss_weight (float): Weight of the loss (l_ent in the paper's image
            loss). Defaults to 1.0.
    """

    loss_fn = staticmethod(max_entropy_loss)
