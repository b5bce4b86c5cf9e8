# Copyright (c) mmsolotrack contributors. All rights reserved.
"""Parameters of the SynthVIS generator and their validation.

Units: sizes and distances are pixels, speeds are pixels per *simulated*
frame, angles are radians, intensities are in [0, 1]. Motion is simulated at
every frame but only every ``frame_stride``-th frame is written (as
YouTube-VIS annotates every 5th frame), so a video spans
``(num_frames - 1) * frame_stride + 1`` simulated frames.
"""
from dataclasses import asdict, dataclass, field, fields

#: Bumped whenever the generator's output for a given config changes.
SYNTHVIS_VERSION = '1.0'


def _p(default, help_text):
    """A dataclass field carrying its CLI help text."""
    return field(default=default, metadata={'help': help_text})


@dataclass
class SynthVISConfig:
    """All parameters of a SynthVIS data set; validated on construction.

    The defaults are sized for a 2-core CPU demo (160 x 256 images, 56
    videos of 10 saved frames). Every field is also a ``--kebab-case`` option
    of ``python -m mmsolotrack.datasets.synthvis``.

    Raises:
        ValueError: On construction (and on :meth:`validate`) when a value is
            out of range; the message names the parameter.
    """
    seed: int = _p(0, 'root seed; every video has its own child generator')
    num_train: int = _p(24, 'videos in train (full annotation)')
    num_unlabeled: int = _p(24, 'videos in unlabeled (no annotation file)')
    num_val: int = _p(8, 'videos in val (full annotation, for evaluation)')
    num_frames: int = _p(10, 'saved frames per video')
    frame_stride: int = _p(5, 'simulated frames per saved frame')
    height: int = _p(160, 'image height H')
    width: int = _p(256, 'image width W')
    min_objects: int = _p(2, 'fewest objects per video')
    max_objects: int = _p(5, 'most objects per video')
    min_object_size: int = _p(18, 'smallest nominal object diameter')
    max_object_size: int = _p(44, 'largest nominal object diameter')
    min_speed: float = _p(1.0, 'slowest object speed (px / sim frame)')
    max_speed: float = _p(7.0, 'fastest object speed (px / sim frame)')
    turn_std: float = _p(0.06, 'heading random walk std (rad / sim frame)')
    exit_margin: int = _p(
        32, 'objects turn back at most this far past fully leaving view')
    enter_prob: float = _p(0.25, 'probability an object starts off-image')
    same_category_prob: float = _p(
        0.8, 'probability a video has >= 2 objects of one category')
    swap_prob: float = _p(
        0.7, 'probability two same-category objects swap places once')
    occluder_prob: float = _p(
        0.6, 'probability of a pillar in front of all objects')
    max_rotation_speed: float = _p(0.02, 'rad / sim frame')
    scale_drift: float = _p(0.3, 'scale drifts to within [1/(1+s), 1+s]')
    max_deformation: float = _p(
        0.25, 'aspect squash amplitude (aspect in [1-d, 1+d])')
    brightness_drift: float = _p(0.25, 'per-object brightness drift')
    lighting_change: float = _p(0.2, 'global lighting oscillation amplitude')
    background_blobs: int = _p(24, 'low-contrast clutter blobs per video')
    noise_std: float = _p(0.01, 'per-frame sensor noise std')
    min_visible_area: int = _p(
        16, 'masks with fewer visible pixels count as not visible')
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

    def validate(self) -> None:
        """Check every parameter; raise ``ValueError`` naming the culprit."""
        probabilities = ('enter_prob', 'same_category_prob', 'swap_prob',
                         'occluder_prob')
        below_one = ('max_deformation', 'brightness_drift', 'lighting_change')
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type in (int, 'int'):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError(f'SynthVISConfig.{f.name} must be an '
                                     f'int, got {value!r}')
            elif isinstance(value, bool) or not isinstance(
                    value, (int, float)):
                raise ValueError(f'SynthVISConfig.{f.name} must be a number, '
                                 f'got {value!r}')
            if value != value or value < 0:  # NaN or negative
                raise ValueError(f'SynthVISConfig.{f.name} must be >= 0, '
                                 f'got {value!r}')
            if f.name in probabilities and value > 1:
                raise ValueError(f'SynthVISConfig.{f.name} is a probability '
                                 f'and must be in [0, 1], got {value!r}')
            if f.name in below_one and value >= 1:
                raise ValueError(f'SynthVISConfig.{f.name} must be < 1, '
                                 f'got {value!r}')

        def need(ok, name, what):
            if not ok:
                raise ValueError(f'SynthVISConfig.{name} {what}, got '
                                 f'{getattr(self, name)!r}')

        need(self.num_frames >= 1, 'num_frames', 'must be >= 1')
        need(self.frame_stride >= 1, 'frame_stride', 'must be >= 1')
        need(self.height >= 32, 'height', 'must be >= 32 pixels')
        need(self.width >= 32, 'width', 'must be >= 32 pixels')
        if self.num_train + self.num_unlabeled + self.num_val < 1:
            raise ValueError('SynthVISConfig: num_train + num_unlabeled + '
                             'num_val must be >= 1 (all splits have 0 '
                             'videos)')
        need(self.min_objects >= 1, 'min_objects', 'must be >= 1')
        need(self.min_objects <= self.max_objects, 'min_objects',
             f'must be <= max_objects ({self.max_objects})')
        need(self.min_object_size >= 4, 'min_object_size', 'must be >= 4')
        need(self.min_object_size <= self.max_object_size, 'min_object_size',
             f'must be <= max_object_size ({self.max_object_size})')
        need(self.max_object_size <= min(self.height, self.width),
             'max_object_size',
             f'must fit in the image (<= min(height, width) = '
             f'{min(self.height, self.width)})')
        need(self.min_speed <= self.max_speed, 'min_speed',
             f'must be <= max_speed ({self.max_speed})')
        need(self.min_visible_area >= 1, 'min_visible_area', 'must be >= 1')
        need(1 <= self.jpeg_quality <= 100, 'jpeg_quality',
             'must be in [1, 100]')
