# Copyright (c) mmsolotrack contributors. All rights reserved.
# Each pure function is imported from the module file of the same name, so
# that the function (not the submodule) is what the package name refers to.
from .center_contrastive_loss import (CenterContrastiveLoss,
                                      center_contrastive_loss)
from .contrastive import identity_centers
from .cycle import palindrome_cycle_loss
from .cycle_consistency_loss import (CycleConsistencyLoss,
                                     cycle_consistency_loss)
from .instance_contrastive_loss import (InstanceContrastiveLoss,
                                        instance_contrastive_loss)
from .max_entropy_loss import MaxEntropyLoss, max_entropy_loss

__all__ = [
    'InstanceContrastiveLoss', 'CenterContrastiveLoss', 'MaxEntropyLoss',
    'CycleConsistencyLoss', 'instance_contrastive_loss',
    'center_contrastive_loss', 'max_entropy_loss', 'identity_centers',
    'cycle_consistency_loss', 'palindrome_cycle_loss'
]
