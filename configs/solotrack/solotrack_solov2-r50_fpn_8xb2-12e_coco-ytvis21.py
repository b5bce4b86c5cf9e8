# SOLOTrack, image-only, SOLOv2-R50 on YouTube-VIS 2021: COCO relabelled with
# the 2021 classes plus the 2021 training frames, as still images without
# identities; tested by tracking the 2021 valid videos (submission zip under
# work_dirs/youtube_vis_2021/). Recipe as the 2019 config.
#
# Frequently modified parameters:
#   model.track_head.loss_*, model.tracker, max_epochs
_base_ = [
    '../_base_/models/solotrack_solov2_r50_fpn.py',
    '../_base_/datasets/ytvis_image_mix_2021.py',
    '../_base_/schedules/schedule_1x.py', '../_base_/video_runtime.py'
]
