# Copyright (c) mmsolotrack contributors. All rights reserved.
"""mmsolotrack: learning to track instances without video annotations.

Importing the package (which mim and ``custom_imports`` do) makes three
things true: ``mmsolotrack::`` config paths resolve, checkpoints written by an
mmengine Runner load under torch >= 2.6 with ``weights_only=True`` and our
allow-list, and the installed stack is checked (with warnings, never an
import-time assert).
"""
from .utils.compat import check_stack_versions, register_config_scope
from .utils.checkpoint import register_safe_checkpoint_loader
from .version import __version__, version_info

register_config_scope()
register_safe_checkpoint_loader()
check_stack_versions()

__all__ = ['__version__', 'version_info']
