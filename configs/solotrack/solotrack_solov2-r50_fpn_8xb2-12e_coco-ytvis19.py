# SOLOTrack, image-only (the paper's main model): SOLOv2-R50 + embedding head
# trained on still images only -- COCO relabelled with the YouTube-VIS 2019
# classes plus YouTube-VIS 2019 training frames, no identity label anywhere --
# then tested by tracking the YouTube-VIS 2019 valid videos with the
# embedding tracker (submission zip under work_dirs/youtube_vis_2019/).
# 12 epochs, multi-scale (short side 320..480), 8 GPUs x 2 images, lr 0.01.
#
# Frequently modified parameters:
#   model.track_head.loss_* (embedding loss weights, temperatures)
#   model.tracker (association thresholds)
#   train_scales / frame_interval (_base_/datasets/youtube_vis_2019.py,
#   ytvis_frames_2019.py), max_epochs (_base_/schedules/schedule_1x.py)
_base_ = [
    '../_base_/models/solotrack_solov2_r50_fpn.py',
    '../_base_/datasets/ytvis_image_mix_2019.py',
    '../_base_/schedules/schedule_1x.py', '../_base_/video_runtime.py'
]
