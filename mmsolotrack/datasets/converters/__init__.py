# Copyright (c) mmsolotrack contributors. All rights reserved.
from .ytvis2cocovid import (OFFICIAL_LAYOUTS, convert_ytvis_file,
                            convert_ytvis_root, convert_ytvis_to_cocovid)

__all__ = [
    'OFFICIAL_LAYOUTS', 'convert_ytvis_file', 'convert_ytvis_root',
    'convert_ytvis_to_cocovid'
]
