"""Training settings per mode. ``full`` is what ``make train`` runs and what the shipped models come from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    seed: int
    reader_synth: int  # synthetic reader crops
    reader_formats: int  # crops of every listed country's formats (formats.json), generic look
    reader_rows: int  # two-line plates whose rows are read alone (about two samples each)
    reader_bands: int  # EU bands whose letters are read (country), fewer kept (no band found)
    reader_drawn: float  # share of synthetic, format and row crops in drawn typefaces (render.strokes)
    reader2_drawn: (
        float | None
    )  # the second reader (plate_reader_2): the same recipe with this drawn share; None: no second reader
    reader_real_copies: int  # jittered copies of each real openalpr training crop
    reader_uc3m_copies: int
    reader_steps: int
    reader_batch: int
    reader_lr: float
    reader_width: float
    reader_tilt: float  # the reader's crops' perspective spread (scene.warp_plate; scenes: 1.0)
    reader2_tilt: float  # the second reader's
    reader_ft_steps: int  # second phase: fine-tune with more real crops, lower learning rate
    tall_plates: int  # two-line plates for the two-line reader (plate_reader_tall); 0: none
    tall_steps: int
    tall_drawn: float  # share of them in drawn typefaces
    tall_tilt: float  # their perspective's spread (render.scene.warp_plate; a scene's plates: 1.0)
    tall_width: float  # the two-line reader's channel multiplier (models.build_tall_reader)
    tall_jitter: float  # on-the-fly shift, scale and noise per training step (train._jitter); 0: none
    # (0.04 alone at 64×64, tenth session: no better end to end; with the 64×128 input, shipped)
    det_synth: int
    det_real_copies: int
    det_steps: int
    det_batch: int
    det_lr: float
    det_turned: float  # share of synthetic scenes whose plate is turned 10-40° (0: none, as shipped)
    real_limit: int | None  # cap real items per set (smoke)
    workers: int


MODES = {
    "full": Settings(
        seed=7,
        reader_synth=40000,
        reader_formats=12000,
        reader_rows=12000,
        reader_bands=10000,
        reader_drawn=0.0,
        reader2_drawn=0.25,
        reader_real_copies=10,
        reader_uc3m_copies=3,
        reader_steps=6500,
        reader_batch=64,
        reader_lr=2e-3,
        reader_width=0.75,
        reader_tilt=0.6,
        reader2_tilt=1.0,
        reader_ft_steps=1200,
        tall_plates=240000,
        tall_steps=24000,
        tall_drawn=0.1,
        tall_tilt=1.0,
        tall_width=0.75,
        tall_jitter=0.04,
        det_synth=12000,
        det_real_copies=5,
        det_steps=7000,
        det_batch=16,
        det_lr=2e-3,
        det_turned=0.0,
        real_limit=None,
        workers=2,
    ),
    "smoke": Settings(
        seed=7,
        reader_synth=256,
        reader_formats=32,
        reader_rows=16,
        reader_bands=32,
        reader_drawn=0.0,
        reader2_drawn=0.25,
        reader_real_copies=1,
        reader_uc3m_copies=1,
        reader_steps=12,
        reader_batch=16,
        reader_lr=1e-3,
        reader_width=0.75,
        reader_tilt=0.6,
        reader2_tilt=1.0,
        reader_ft_steps=4,
        tall_plates=24,
        tall_steps=4,
        tall_drawn=0.25,
        tall_tilt=1.0,
        tall_width=0.75,
        tall_jitter=0.04,
        det_synth=32,
        det_real_copies=1,
        det_steps=6,
        det_batch=4,
        det_lr=1e-3,
        det_turned=0.0,
        real_limit=8,
        workers=1,
    ),
}
