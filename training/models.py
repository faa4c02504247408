"""Keras definitions: an all-convolution CTC reader and a CenterNet-style plate detector.

Both convert to TFLite ops that tflite-runtime 2.14 loads (no LSTM → no WHILE loops) and run fast
in fp32 on XNNPACK.
"""

from __future__ import annotations

import tensorflow as tf
from anpr.ocr.preprocess import DET_H, DET_W, NUM_CLASSES, READER_H, READER_W, TALL_H, TALL_W

L = tf.keras.layers


def _cbr(x, ch, k=3, s=1, d=1):
    x = L.Conv2D(ch, k, strides=s, dilation_rate=d, padding="same", use_bias=False)(x)
    x = L.BatchNormalization()(x)
    return L.ReLU()(x)


def _sep(x, ch, s=1, d=1):
    x = L.DepthwiseConv2D(3, strides=s, dilation_rate=d, padding="same", use_bias=False)(x)
    x = L.BatchNormalization()(x)
    x = L.ReLU()(x)
    return _cbr(x, ch, k=1)


def build_reader(width: float = 1.0, batch_size: int | None = None) -> tf.keras.Model:
    """(READER_H, READER_W, 1) → (READER_W/4, NUM_CLASSES) logits; one step per 4 input columns."""
    c = lambda n: max(8, int(n * width))
    inp = L.Input((READER_H, READER_W, 1), batch_size=batch_size, name="crop")
    x = _cbr(inp, c(32))
    x = L.MaxPool2D(2)(x)  # 16x64
    x = _cbr(x, c(64))
    x = L.MaxPool2D(2)(x)  # 8x32
    x = _cbr(x, c(96))
    x = _cbr(x, c(96))
    x = L.MaxPool2D((2, 1))(x)  # 4x32
    x = _cbr(x, c(128))
    x = L.MaxPool2D((2, 1))(x)  # 2x32
    x = _cbr(x, c(160), k=(2, 3))
    x = L.Conv2D(c(160), (2, 1), padding="valid", use_bias=False)(x)  # 1x32
    x = L.BatchNormalization()(x)
    x = L.ReLU()(x)
    x = _cbr(x, c(160), k=(1, 5))
    x = L.Dropout(0.15)(x)
    x = L.Conv2D(NUM_CLASSES, 1, name="logits")(x)
    out = L.Reshape((READER_W // 4, NUM_CLASSES), name="seq")(x)
    return tf.keras.Model(inp, out, name="plate_reader")


def build_tall_reader(width: float = 1.0, batch_size: int | None = None) -> tf.keras.Model:
    """(TALL_H, TALL_W, 1) → (2 × TALL_W/4, NUM_CLASSES) logits: a two-line plate read whole. The
    height is pooled to two cells, one per row, and the rows' steps are laid end to end (top row
    first), so CTC reads the top row, then the bottom row, as one sequence."""
    c = lambda n: max(8, int(n * width))
    inp = L.Input((TALL_H, TALL_W, 1), batch_size=batch_size, name="plate")
    x = _cbr(inp, c(32))
    x = L.MaxPool2D(2)(x)  # 32x32
    x = _cbr(x, c(64))
    x = L.MaxPool2D(2)(x)  # 16x16
    x = _cbr(x, c(96))
    x = _cbr(x, c(96))
    x = L.MaxPool2D((2, 1))(x)  # 8x16
    x = _cbr(x, c(128))
    x = L.MaxPool2D((2, 1))(x)  # 4x16
    x = _cbr(x, c(160))
    x = L.MaxPool2D((2, 1))(x)  # 2x16: one cell per row
    x = _cbr(x, c(160), k=(1, 5))
    x = L.Dropout(0.15)(x)
    x = L.Conv2D(NUM_CLASSES, 1, name="logits")(x)
    out = L.Reshape((2 * (TALL_W // 4), NUM_CLASSES), name="seq")(x)  # row-major: top row first
    return tf.keras.Model(inp, out, name="plate_reader_tall")


def build_detector(width: float = 1.0, batch_size: int | None = None) -> tf.keras.Model:
    """(DET_H, DET_W, 1) → (DET_H/8, DET_W/8, 5): heat (sigmoid), log w, log h, offset x, offset y."""
    c = lambda n: max(8, int(n * width))
    inp = L.Input((DET_H, DET_W, 1), batch_size=batch_size, name="image")
    x = _cbr(inp, c(16), s=2)  # /2
    x = _sep(x, c(32), s=2)  # /4
    x = _sep(x, c(32))
    x4 = x
    x = _sep(x, c(64), s=2)  # /8
    x = _sep(x, c(64))
    x = _sep(x, c(64), d=2)
    x = _sep(x, c(64), d=4)
    x = _sep(x, c(64), d=2)
    fine = L.DepthwiseConv2D(3, strides=2, padding="same", use_bias=False)(x4)  # detail from /4
    fine = _cbr(fine, c(32), k=1)
    x = L.Concatenate()([x, fine])
    x = _cbr(x, c(64))
    heat = L.Conv2D(
        1, 1, activation="sigmoid", bias_initializer=tf.keras.initializers.Constant(-2.19), name="heat"
    )(x)
    reg = L.Conv2D(4, 1, name="reg")(x)
    out = L.Concatenate(name="det")([heat, reg])
    return tf.keras.Model(inp, out, name="plate_detector")
