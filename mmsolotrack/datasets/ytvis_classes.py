# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The YouTube-VIS 2019 and 2021 class names, in official category id order.

Class index ``i`` is category id ``i + 1`` of the official json, and the
order mmdet's ``YouTubeVISDataset`` uses (a test checks both lists against
mmdet's).
"""

YTVIS_2019_CLASSES = ('person', 'giant_panda', 'lizard', 'parrot',
                      'skateboard', 'sedan', 'ape', 'dog', 'snake', 'monkey',
                      'hand', 'rabbit', 'duck', 'cat', 'cow', 'fish', 'train',
                      'horse', 'turtle', 'bear', 'motorbike', 'giraffe',
                      'leopard', 'fox', 'deer', 'owl', 'surfboard', 'airplane',
                      'truck', 'zebra', 'tiger', 'elephant', 'snowboard',
                      'boat', 'shark', 'mouse', 'frog', 'eagle',
                      'earless_seal', 'tennis_racket')

YTVIS_2021_CLASSES = ('airplane', 'bear', 'bird', 'boat', 'car', 'cat', 'cow',
                      'deer', 'dog', 'duck', 'earless_seal', 'elephant',
                      'fish', 'flying_disc', 'fox', 'frog', 'giant_panda',
                      'giraffe', 'horse', 'leopard', 'lizard', 'monkey',
                      'motorbike', 'mouse', 'parrot', 'person', 'rabbit',
                      'shark', 'skateboard', 'snake', 'snowboard', 'squirrel',
                      'surfboard', 'tennis_racket', 'tiger', 'train', 'truck',
                      'turtle', 'whale', 'zebra')

#: version -> class names
YTVIS_CLASSES = {'2019': YTVIS_2019_CLASSES, '2021': YTVIS_2021_CLASSES}
