# Copyright (c) mmsolotrack contributors. All rights reserved.
from mmsolotrack.registry import MODELS

from .contrastive import instance_contrastive_loss
from .identity_loss import IdentityLoss


@MODELS.register_module()
class InstanceContrastiveLoss(IdentityLoss):
    """Instance contrastive loss L_ins: cells of one instance attract.

    A thin weighted wrapper around :func:`instance_contrastive_loss`.

    Args:
        temperature (float): The softmax temperature tau. Defaults to 0.1.
        loss_weight (float): Weight of the loss (l_ins in the paper's image
            loss). Defaults to 1.0.
    """

    loss_fn = staticmethod(instance_contrastive_loss)
