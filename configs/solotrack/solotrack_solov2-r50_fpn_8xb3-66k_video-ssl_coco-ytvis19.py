# SOLOTrack, image + video self-supervision (the paper's full method):
# solotrack_solov2-r50_fpn_8xb2-12e_coco-ytvis19.py (same model, same image
# data and losses) plus the cycle-consistency loss on clips of the
# YouTube-VIS 2019 training videos read without their json (no annotation,
# no identity). Per GPU and iteration: 2 still images + 1 frame pair; 66k
# iterations (~12 epochs of the image data, the image-only budget), 8 GPUs.
# Tested by tracking the 2019 valid videos.
#
# Frequently modified parameters:
#   model.loss_cycle          (tau_v temperature, l_cyc weight)
#   model.pseudo_cfg          (s_min score threshold, N instances per frame)
#   source_ratio, max_gap     (_base_/datasets/ytvis_video_ssl_2019.py)
#   max_iters                 (_base_/schedules/schedule_66k.py)
#   load_from                 optional: start from an image-only checkpoint,
#       load_from = 'work_dirs/solotrack_solov2-r50_fpn_8xb2-12e_coco-ytvis19/epoch_12.pth'  # noqa: E501
#     (then a shorter schedule is usually enough)
_base_ = [
    '../_base_/models/solotrack_solov2_r50_fpn.py',
    '../_base_/datasets/ytvis_video_ssl_2019.py',
    '../_base_/schedules/schedule_66k.py', '../_base_/video_runtime.py'
]

model = dict(
    loss_cycle=dict(
        type='CycleConsistencyLoss', temperature=0.1, loss_weight=1.0),
    pseudo_cfg=dict(min_score=0.3, max_instances=10))

default_hooks = dict(checkpoint=dict(by_epoch=False, interval=6000))
log_processor = dict(by_epoch=False)
# reports unreadable (skipped) video frames during training
custom_hooks = [
    dict(type='VideoReadReportHook', interval=6000),
    dict(type='EvalProgressHook')
]
load_from = None
