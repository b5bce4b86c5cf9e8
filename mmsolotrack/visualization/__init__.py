# Copyright (c) mmsolotrack contributors. All rights reserved.
