# Copyright (c) mmsolotrack contributors. All rights reserved.
from .loading import LoadCheckedImageFromFile

__all__ = ['LoadCheckedImageFromFile']
