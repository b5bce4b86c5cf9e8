# Copyright (c) mmsolotrack contributors. All rights reserved.
from .contrastive_loss import (CenterContrastiveLoss, InstanceContrastiveLoss,
                               MaxEntropyLoss, center_contrastive_loss,
                               identity_centers, instance_contrastive_loss,
                               max_entropy_loss)
from .cycle_consistency_loss import (CycleConsistencyLoss,
                                     cycle_consistency_loss,
                                     palindrome_cycle_loss)

__all__ = [
    'InstanceContrastiveLoss', 'CenterContrastiveLoss', 'MaxEntropyLoss',
    'CycleConsistencyLoss', 'instance_contrastive_loss',
    'center_contrastive_loss', 'max_entropy_loss', 'identity_centers',
    'cycle_consistency_loss', 'palindrome_cycle_loss'
]
