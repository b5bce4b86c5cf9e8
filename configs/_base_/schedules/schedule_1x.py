# 12 epochs, SGD: mmdet's SOLOv2 1x recipe (lr 0.01 for 8 GPUs x 2 images,
# 500-iteration linear warm-up, lr x0.1 after epochs 8 and 11, gradient
# clipping at 35). Validation is off during training: the YouTube-VIS / OVIS
# valid sets have no public labels; run tools/test.py on the final
# checkpoint to write the submission.
#
# Frequently modified parameters:
#   max_epochs, optim_wrapper.optimizer.lr, auto_scale_lr.enable
max_epochs = 12
train_cfg = dict(
    type='EpochBasedTrainLoop', max_epochs=max_epochs,
    val_begin=max_epochs + 1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(
        type='LinearLR', start_factor=1.0 / 3, by_epoch=False, begin=0,
        end=500),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        milestones=[8, 11],
        gamma=0.1)
]
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001),
    clip_grad=dict(max_norm=35, norm_type=2))
# lr 0.01 is for 16 images per iteration (8 GPUs x 2); enable to scale it
# linearly to another total batch size.
auto_scale_lr = dict(enable=False, base_batch_size=16)
