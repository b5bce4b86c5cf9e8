# synthvis_vis.py with every frame upsampled 2x (160 x 256 -> 320 x 512), in
# training and in testing. SynthVIS objects are 18-44 px and SOLOv2 predicts
# masks at stride 4: at the native size a mask spans 5-11 cells of the mask
# feature map, and its boundary is what AP75 and above measure. On the
# quickstart recipe the 2x input took per-frame class-agnostic segm AP from
# 0.66 to 0.82 (see the README).
_base_ = './synthvis_vis.py'

img_scale = (512, 320)  # (w, h)
train_pipeline = [
    dict(type='LoadCheckedImageFromFile', backend_args=None),
    dict(type='mmdet.LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='mmdet.Resize', scale=img_scale, keep_ratio=True),
    dict(type='mmdet.RandomFlip', prob=0.5),
    dict(type='mmdet.PackDetInputs')
]
video_test_pipeline = [
    dict(
        type='mmdet.TransformBroadcaster',
        transforms=[
            dict(type='mmdet.LoadImageFromFile'),
            dict(type='mmdet.Resize', scale=img_scale, keep_ratio=True),
            dict(type='mmdet.LoadTrackAnnotations', with_mask=True),
        ]),
    dict(type='mmdet.PackTrackInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=video_test_pipeline))
test_dataloader = val_dataloader
