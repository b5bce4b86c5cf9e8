# 66k iterations, SGD: the 1x recipe (schedule_1x.py) counted in iterations,
# for the image + video self-supervised configs, whose MultiSourceSampler
# never ends an epoch. 66k iterations of 16 still images are about 12 epochs
# of the YouTube-VIS 2019 image mix (~88k images: COCO relabelled + every 5th
# annotated training frame), i.e. the image-only budget; lr x0.1 at 2/3 and
# 11/12 of training, like epochs 8 and 11 of 12.
#
# Frequently modified parameters:
#   max_iters and the milestones (match them to your image set: 12 x
#   len(image dataset) / 16), optim_wrapper.optimizer.lr
max_iters = 66000
# no validation during training (the valid sets have no public labels)
train_cfg = dict(
    type='IterBasedTrainLoop',
    max_iters=max_iters,
    val_interval=max_iters,
    val_begin=max_iters + 1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(
        type='LinearLR', start_factor=1.0 / 3, by_epoch=False, begin=0,
        end=500),
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_iters,
        by_epoch=False,
        milestones=[44000, 60500],
        gamma=0.1)
]
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001),
    clip_grad=dict(max_norm=35, norm_type=2))
# lr 0.01 is for 8 GPUs x (2 still images + 1 clip): 24 dataset items.
auto_scale_lr = dict(enable=False, base_batch_size=24)
