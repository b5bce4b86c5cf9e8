# A short CPU schedule for the tiny SynthVIS configs, by iterations: AdamW
# (lr 1e-3, weight decay 0.05), linear warm-up over 100 iterations, cosine
# decay to 1% of the rate. On SynthVIS it trains the from-scratch tiny
# SOLOv2 much further per iteration than SGD at 0.02 (see the README).
max_iters = 2400
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=100),
    dict(
        type='CosineAnnealingLR',
        by_epoch=False,
        begin=100,
        end=max_iters,
        T_max=max_iters - 100,
        eta_min=1e-5)
]
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0),
    clip_grad=dict(max_norm=35, norm_type=2))
auto_scale_lr = dict(enable=False, base_batch_size=4)
