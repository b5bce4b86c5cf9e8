# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Every mmpose module mmsolotrack uses imports on this stack (real imports).

mmpose 1.3.2 is installed ``--no-deps`` (requirements/mmpose.txt): this is
the check that what it does need is there, e.g. xtcocotools built against
the installed numpy, which every mmpose head pulls in through
``mmpose.evaluation``.
"""
import importlib
import sys

import pytest

#: (module, names) that mmsolotrack's code and configs use.
USED = [
    ('mmpose', ('__version__', )),
    ('mmpose.models.heads.hybrid_heads.yoloxpose_head', ('YOLOXPoseHead', )),
    ('mmpose.models.pose_estimators', ('BottomupPoseEstimator', )),
    ('mmpose.models.backbones', ('CSPDarknet', )),
    ('mmpose.models.necks', ('YOLOXPAFPN', )),
    ('mmpose.models.data_preprocessors', ('PoseDataPreprocessor', )),
    ('mmpose.models.task_modules.assigners', ('SimOTAAssigner', )),
    ('mmpose.models.task_modules.prior_generators',
     ('MlvlPointGenerator', )),
    ('mmpose.models.losses', ('OKSLoss', 'BCELoss', 'IoULoss', 'L1Loss')),
    ('mmpose.datasets.datasets.base', ('BaseCocoStyleDataset', )),
    ('mmpose.datasets.transforms',
     ('LoadImage', 'BottomupRandomAffine', 'BottomupResize', 'RandomFlip',
      'FilterAnnotations', 'GenerateTarget', 'PackPoseInputs',
      'YOLOXHSVRandomAug')),
    ('mmpose.codecs', ('YOLOXPoseAnnotationProcessor', )),
    ('xtcocotools.coco', ('COCO', )),
]


@pytest.mark.parametrize('module,names', USED, ids=[m for m, _ in USED])
def test_mmpose_module_imports(module, names):
    mod = importlib.import_module(module)
    for name in names:
        assert hasattr(mod, name), f'{module} has no {name}'


def test_version_is_the_pinned_one():
    import mmpose
    assert mmpose.__version__ == '1.3.2'


def test_left_out_dependencies_are_not_needed():
    """chumpy and torchvision are left out; the used modules run without
    them (they are not imported)."""
    for module, _ in USED:
        importlib.import_module(module)
    assert 'chumpy' not in sys.modules
    assert 'torchvision' not in sys.modules
