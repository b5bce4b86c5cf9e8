# Copyright (c) mmsolotrack contributors. All rights reserved.
from .checkpoint import (CHECKPOINT_SAFE_GLOBALS, CheckpointFileError,
                         UnsafeCheckpointError, check_checkpoint_file,
                         allow_checkpoint_globals, load_checkpoint_file,
                         register_safe_checkpoint_loader)
from .checkpoint_checks import (CheckpointMismatchError,
                                LegacyCheckpointError, check_checkpoint_keys,
                                non_finite_tensors)
from .compat import check_stack_versions, register_config_scope
from .random_state import get_random_states, set_random_states
from .setup_env import register_all_modules

__all__ = [
    'CHECKPOINT_SAFE_GLOBALS', 'CheckpointFileError', 'UnsafeCheckpointError',
    'allow_checkpoint_globals', 'check_checkpoint_file',
    'load_checkpoint_file', 'register_safe_checkpoint_loader',
    'CheckpointMismatchError', 'LegacyCheckpointError',
    'check_checkpoint_keys', 'non_finite_tensors',
    'check_stack_versions', 'register_config_scope', 'register_all_modules',
    'get_random_states', 'set_random_states'
]
