# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Parameters of the SynthPose generator and their validation.

Units: sizes and distances are pixels, speeds are pixels per *simulated*
frame, probabilities and intensities are in [0, 1]. People move at every
simulated frame but only every ``frame_stride``-th frame is written and
annotated (as YouTube-VIS and PoseTrack annotate a subset of the frames),
so a video spans ``(num_frames - 1) * frame_stride + 1`` simulated frames.
"""
from dataclasses import asdict, dataclass, field, fields

#: Bumped whenever the generator's output for a given config changes.
SYNTHPOSE_VERSION = '1.0'

#: Image ids are ``(1 + split) * 10**9 + video * 10**4 + step``.
MAX_SIM_FRAMES = 10**4


def _p(default, help_text):
    """A dataclass field carrying its CLI help text."""
    return field(default=default, metadata={'help': help_text})


@dataclass
class SynthPoseConfig:
    """All parameters of a SynthPose data set; validated on construction.

    The defaults are sized for a 2-core CPU (192 x 256 images, 40 videos of
    10 saved frames, 2-5 people each). Every field is also a
    ``--kebab-case`` option of ``python -m mmsolotrack.datasets.synthpose``.

    Raises:
        ValueError: On construction (and on :meth:`validate`) when a value is
            out of range; the message names the parameter.
    """
    seed: int = _p(0, 'root seed; every video has its own child generator')
    num_train: int = _p(16, 'videos in train (full annotation)')
    num_unlabeled: int = _p(16, 'videos in unlabeled (frames only)')
    num_val: int = _p(8, 'videos in val (full annotation, for evaluation)')
    num_frames: int = _p(10, 'saved (annotated) frames per video')
    frame_stride: int = _p(5, 'simulated frames per saved frame')
    height: int = _p(192, 'image height H')
    width: int = _p(256, 'image width W')
    min_people: int = _p(2, 'fewest people per video')
    max_people: int = _p(5, 'most people per video')
    min_person_height: int = _p(
        56, 'height (head top to ankles) of the farthest people')
    max_person_height: int = _p(
        110, 'height (head top to ankles) of the nearest people')
    min_speed: float = _p(1.0, 'slowest walker (px / sim frame)')
    max_speed: float = _p(6.0, 'fastest walker (px / sim frame)')
    enter_prob: float = _p(0.4, 'probability a person starts off-image')
    crossing_prob: float = _p(
        0.7, 'probability a person is sent to cross another one')
    turn_prob: float = _p(0.3, 'probability a person turns back once')
    occluder_prob: float = _p(0.5,
                              'probability of a pillar in front of everybody')
    lighting_change: float = _p(0.2, 'global lighting oscillation amplitude')
    background_blobs: int = _p(24, 'low-contrast clutter blobs per video')
    noise_std: float = _p(0.01, 'per-frame sensor noise std')
    min_visible_keypoints: int = _p(
        1, 'a person is annotated in a frame with at least this many '
        'visible keypoints')
    jpeg_quality: int = _p(95, 'cv2 JPEG quality (1-100)')

    def __post_init__(self):
        self.validate()

    @property
    def num_sim_frames(self) -> int:
        """Simulated frames per video: ``(num_frames - 1) * stride + 1``."""
        return (self.num_frames - 1) * self.frame_stride + 1

    def to_dict(self) -> dict:
        """All parameters as a plain dict (json-serialisable)."""
        return asdict(self)

    def _check_types(self) -> None:
        probabilities = ('enter_prob', 'crossing_prob', 'turn_prob',
                         'occluder_prob')
        for f in fields(self):
            value = getattr(self, f.name)
            is_int = f.type in (int, 'int')
            if isinstance(
                    value,
                    bool) or not isinstance(value, int if is_int else
                                            (int, float)):
                kind = 'an int' if is_int else 'a number'
                raise ValueError(f'SynthPoseConfig.{f.name} must be {kind}, '
                                 f'got {value!r}')
            if value != value or value < 0:  # NaN or negative
                raise ValueError(f'SynthPoseConfig.{f.name} must be >= 0, '
                                 f'got {value!r}')
            if f.name in probabilities and value > 1:
                raise ValueError(f'SynthPoseConfig.{f.name} is a probability '
                                 f'and must be in [0, 1], got {value!r}')

    def validate(self) -> None:
        """Check every parameter; raise ``ValueError`` naming the culprit."""
        self._check_types()

        def need(ok, name, what):
            if not ok:
                raise ValueError(f'SynthPoseConfig.{name} {what}, got '
                                 f'{getattr(self, name)!r}')

        need(self.num_frames >= 1, 'num_frames', 'must be >= 1')
        need(self.frame_stride >= 1, 'frame_stride', 'must be >= 1')
        need(
            self.num_sim_frames <= MAX_SIM_FRAMES, 'num_frames',
            f'x frame_stride must stay below {MAX_SIM_FRAMES} simulated '
            'frames (image ids)')
        need(self.height >= 64, 'height', 'must be >= 64 pixels')
        need(self.width >= 64, 'width', 'must be >= 64 pixels')
        if self.num_train + self.num_unlabeled + self.num_val < 1:
            raise ValueError('SynthPoseConfig: num_train + num_unlabeled + '
                             'num_val must be >= 1 (all splits have 0 '
                             'videos)')
        for split in ('num_train', 'num_unlabeled', 'num_val'):
            need(getattr(self, split) < 10**5, split, 'must be < 100000')
        need(self.min_people >= 1, 'min_people', 'must be >= 1')
        need(self.min_people <= self.max_people, 'min_people',
             f'must be <= max_people ({self.max_people})')
        need(self.min_person_height >= 24, 'min_person_height',
             'must be >= 24 pixels (thinner limbs vanish)')
        need(self.min_person_height <= self.max_person_height,
             'min_person_height',
             f'must be <= max_person_height ({self.max_person_height})')
        need(self.max_person_height <= self.height, 'max_person_height',
             f'must fit in the image (<= height = {self.height})')
        need(self.min_speed <= self.max_speed, 'min_speed',
             f'must be <= max_speed ({self.max_speed})')
        need(self.lighting_change < 1, 'lighting_change', 'must be < 1')
        need(self.min_visible_keypoints >= 1, 'min_visible_keypoints',
             'must be >= 1')
        need(1 <= self.jpeg_quality <= 100, 'jpeg_quality',
             'must be in [1, 100]')
