# Copyright (c) mmsolotrack contributors. All rights reserved.
from .holdout import (HOLDOUT_PARTS, check_holdout_fraction, holdout_paths,
                      holdout_video_ids, split_holdout)
from .ytvis2cocovid import (OFFICIAL_LAYOUTS, convert_holdout_file,
                            convert_ytvis_file, convert_ytvis_root,
                            convert_ytvis_to_cocovid)

__all__ = [
    'HOLDOUT_PARTS', 'OFFICIAL_LAYOUTS', 'check_holdout_fraction',
    'convert_holdout_file', 'convert_ytvis_file', 'convert_ytvis_root',
    'convert_ytvis_to_cocovid', 'holdout_paths', 'holdout_video_ids',
    'split_holdout'
]
