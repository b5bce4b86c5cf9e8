# Copyright (c) mmsolotrack contributors. All rights reserved.
"""The 25 OVIS class names, in official category id order.

Spelled exactly as in the official annotation files (capitalised, and
``'Vehical'`` with its typo): mmdet's ``YouTubeVISDataset`` finds the
categories of the json by these names. ``configs/_base_/datasets/ovis.py``
repeats the tuple by value (a test keeps the two equal).
"""

OVIS_CLASSES = ('Person', 'Bird', 'Cat', 'Dog', 'Horse', 'Sheep', 'Cow',
                'Elephant', 'Bear', 'Zebra', 'Giraffe', 'Poultry',
                'Giant_panda', 'Lizard', 'Parrot', 'Monkey', 'Rabbit', 'Tiger',
                'Fish', 'Turtle', 'Bicycle', 'Motorcycle', 'Airplane', 'Boat',
                'Vehical')
