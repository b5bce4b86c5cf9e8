# synthvis_video_ssl.py with every frame upsampled 2x (160 x 256 -> 320 x 512)
# in training (labelled images and unlabelled clips alike) and in testing, as
# synthvis_vis_2x.py does for the image-only recipe. Only the Resize scales
# change (tests/test_configs/test_input_scale.py checks all three pipelines).
_base_ = './synthvis_video_ssl.py'

img_scale = (512, 320)  # (w, h)
datasets = _base_.train_dataloader.dataset.datasets
datasets[0].pipeline[2].scale = img_scale  # labelled images: mmdet.Resize
# unlabelled clips: the shared geometric draw (mmdet.Resize)
datasets[1].pipeline[0].transforms[0].scale = img_scale
video_test_pipeline = _base_.video_test_pipeline
video_test_pipeline[0].transforms[1].scale = img_scale  # mmdet.Resize
train_dataloader = dict(dataset=dict(datasets=datasets))
val_dataloader = dict(dataset=dict(pipeline=video_test_pipeline))
test_dataloader = val_dataloader
