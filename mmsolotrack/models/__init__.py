# Copyright (c) mmsolotrack contributors. All rights reserved.
import mmdet.registry  # noqa: F401  (so `mmdet.` prefixed types resolve)

from .classifiers import *  # noqa: F401,F403
from .data_preprocessors import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .pose import *  # noqa: F401,F403
from .task_modules import *  # noqa: F401,F403
from .trackers import *  # noqa: F401,F403
from .tracking_heads import *  # noqa: F401,F403
from .utils import *  # noqa: F401,F403
from .vis import *  # noqa: F401,F403
