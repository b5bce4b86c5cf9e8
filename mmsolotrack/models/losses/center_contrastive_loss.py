# Copyright (c) mmsolotrack contributors. All rights reserved.
from mmsolotrack.registry import MODELS

from .contrastive import center_contrastive_loss
from .identity_loss import IdentityLoss


@MODELS.register_module()
class CenterContrastiveLoss(IdentityLoss):
    """Center contrastive loss L_cc: cells attract their identity center.

    A thin weighted wrapper around :func:`center_contrastive_loss`.

    Args:
        temperature (float): The softmax temperature tau. Defaults to 0.1.
        loss_weight (float): Weight of the loss (l_cc in the paper's image
            loss). Defaults to 1.0.
    """

    loss_fn = staticmethod(center_contrastive_loss)
