# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The registries of mmsolotrack.

Every registry is a child of mmengine's root registry of the same kind, and
finds its modules through ``locations`` (the mmyolo pattern): nothing is
registered by import side effects. Modules of mmdet are reached from our
configs with the ``mmdet.`` prefix, e.g. ``dict(type='mmdet.ResNet')``.
"""
from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import \
    RUNNER_CONSTRUCTORS as MMENGINE_RUNNER_CONSTRUCTORS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TASK_UTILS as MMENGINE_TASK_UTILS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import \
    WEIGHT_INITIALIZERS as MMENGINE_WEIGHT_INITIALIZERS
from mmengine.registry import Registry as MMEngineRegistry


class Registry(MMEngineRegistry):
    """mmengine's ``Registry``; a type it cannot find that mmdet registers
    under the same name is refused with the ``mmdet.`` spelling to use.

    (mmengine alone says ``ResNet is not in the mmsolotrack::model
    registry`` and leaves the user to guess the prefix.)
    """

    def get(self, key: str):
        obj = super().get(key)
        if obj is None and isinstance(key, str) and '.' not in key:
            mmdet = self._get_root_registry()._search_child('mmdet')
            if mmdet is not None and mmdet.get(key) is not None:
                raise KeyError(
                    f'{key} is not in the {self.scope}::{self.name} registry'
                    f' but mmdet has it: write type=\'mmdet.{key}\' (mmdet '
                    'modules are reached with the `mmdet.` prefix in '
                    'mmsolotrack configs)')
        return obj

RUNNERS = Registry('runner', parent=MMENGINE_RUNNERS)
RUNNER_CONSTRUCTORS = Registry(
    'runner constructor', parent=MMENGINE_RUNNER_CONSTRUCTORS)
LOOPS = Registry(
    'loop', parent=MMENGINE_LOOPS, locations=['mmsolotrack.engine'])
HOOKS = Registry(
    'hook', parent=MMENGINE_HOOKS, locations=['mmsolotrack.engine'])

DATASETS = Registry(
    'dataset', parent=MMENGINE_DATASETS, locations=['mmsolotrack.datasets'])
DATA_SAMPLERS = Registry(
    'data sampler',
    parent=MMENGINE_DATA_SAMPLERS,
    locations=['mmsolotrack.datasets'])
TRANSFORMS = Registry(
    'transform',
    parent=MMENGINE_TRANSFORMS,
    locations=['mmsolotrack.datasets.transforms'])

MODELS = Registry(
    'model', parent=MMENGINE_MODELS, locations=['mmsolotrack.models'])
MODEL_WRAPPERS = Registry(
    'model_wrapper',
    parent=MMENGINE_MODEL_WRAPPERS,
    locations=['mmsolotrack.models'])
WEIGHT_INITIALIZERS = Registry(
    'weight initializer',
    parent=MMENGINE_WEIGHT_INITIALIZERS,
    locations=['mmsolotrack.models'])
TASK_UTILS = Registry(
    'task util',
    parent=MMENGINE_TASK_UTILS,
    locations=['mmsolotrack.models'])

OPTIMIZERS = Registry(
    'optimizer', parent=MMENGINE_OPTIMIZERS, locations=['mmsolotrack.engine'])
OPTIM_WRAPPERS = Registry(
    'optim_wrapper',
    parent=MMENGINE_OPTIM_WRAPPERS,
    locations=['mmsolotrack.engine'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor',
    parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
    locations=['mmsolotrack.engine'])
PARAM_SCHEDULERS = Registry(
    'parameter scheduler',
    parent=MMENGINE_PARAM_SCHEDULERS,
    locations=['mmsolotrack.engine'])

METRICS = Registry(
    'metric', parent=MMENGINE_METRICS, locations=['mmsolotrack.evaluation'])
EVALUATOR = Registry(
    'evaluator',
    parent=MMENGINE_EVALUATOR,
    locations=['mmsolotrack.evaluation'])

# The package registers no visualizer of its own (configs use mmdet's
# TrackLocalVisualizer), so these have no location to import.
VISUALIZERS = Registry('visualizer', parent=MMENGINE_VISUALIZERS)
VISBACKENDS = Registry('vis_backend', parent=MMENGINE_VISBACKENDS)
LOG_PROCESSORS = Registry(
    'log_processor',
    parent=MMENGINE_LOG_PROCESSORS,
    locations=['mmsolotrack.engine'])
