# SOLOTrack, image-only, SOLOv2-R50 on OVIS: trained on the OVIS training
# frames as independent still images (25 classes, identities never loaded),
# tested by tracking the OVIS valid videos (submission zip under
# work_dirs/ovis/). Recipe as the YouTube-VIS configs; OVIS objects are
# often occluded for many frames, hence a longer track memory.
#
# Frequently modified parameters:
#   model.tracker.num_frames_retain, model.track_head.loss_*
_base_ = [
    '../_base_/models/solotrack_solov2_r50_fpn.py',
    '../_base_/datasets/ovis_frames.py', '../_base_/schedules/schedule_1x.py',
    '../_base_/video_runtime.py'
]

model = dict(
    detector=dict(mask_head=dict(num_classes=25)),
    tracker=dict(num_frames_retain=20))
