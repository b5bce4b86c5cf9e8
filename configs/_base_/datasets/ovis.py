# OVIS (Occluded Video Instance Segmentation), video level: the valid videos
# segmented and tracked frame by frame, as youtube_vis_2019.py (same test and
# training scales, same image training pipeline). OVIS keeps the YouTube-VIS
# json format with its own 25 classes.
#
# Convert the official json first:
#   python tools/dataset_converters/youtubevis2coco.py \
#       --dataset-root data/ovis --version ovis
# Valid / test annotations are not public: format_only=True writes the
# submission zip for the server.
#
# Frequently modified parameters: data_root, img_scale, train_scales
_base_ = './youtube_vis_2019.py'

data_root = 'data/ovis/'
# The official OVIS names, spelling ('Vehical') included; the same tuple as
# mmsolotrack.datasets.ovis_classes.OVIS_CLASSES (a test keeps them equal).
ovis_classes = ('Person', 'Bird', 'Cat', 'Dog', 'Horse', 'Sheep', 'Cow',
                'Elephant', 'Bear', 'Zebra', 'Giraffe', 'Poultry',
                'Giant_panda', 'Lizard', 'Parrot', 'Monkey', 'Rabbit',
                'Tiger', 'Fish', 'Turtle', 'Bicycle', 'Motorcycle',
                'Airplane', 'Boat', 'Vehical')

val_dataloader = dict(
    dataset=dict(
        # mmdet's YouTubeVISDataset needs a version; metainfo replaces
        # its classes with OVIS's
        dataset_version='2019',
        metainfo=dict(classes=ovis_classes),
        data_root=data_root,
        ann_file='annotations/ovis_valid.json',
        data_prefix=dict(img_path='valid')))
test_dataloader = val_dataloader

val_evaluator = dict(outfile_prefix='work_dirs/ovis/valid/results')
test_evaluator = val_evaluator
