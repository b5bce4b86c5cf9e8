# synthvis_vis.py with every frame upsampled 2x (160 x 256 -> 320 x 512), in
# training and in testing. SynthVIS objects are 18-44 px and SOLOv2 predicts
# masks at stride 4: at the native size a mask spans 5-11 cells of the mask
# feature map, and its boundary is what AP75 and above measure. On the
# quickstart recipe the 2x input took per-frame class-agnostic segm AP from
# 0.66 to 0.82 (see the README). Only the Resize scale of the base's
# pipelines changes (tests/test_configs/test_input_scale.py checks both).
_base_ = './synthvis_vis.py'

img_scale = (512, 320)  # (w, h)
train_pipeline = _base_.train_pipeline
train_pipeline[2].scale = img_scale  # mmdet.Resize
video_test_pipeline = _base_.video_test_pipeline
video_test_pipeline[0].transforms[1].scale = img_scale  # mmdet.Resize
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=video_test_pipeline))
test_dataloader = val_dataloader
