"""Shipped models must load on the Lambda runtime (tflite-runtime 2.14) with op versions it accepts."""

import pytest

from tests.ocr.conftest import require_shipped

#: highest op versions tflite-runtime 2.14 registers for the builtin ops we use
MAX_VERSIONS = {
    "CONV_2D": 6,
    "DEPTHWISE_CONV_2D": 7,
    "MAX_POOL_2D": 4,
    "CONCATENATION": 4,
    "RESHAPE": 1,
    "LOGISTIC": 3,
    "FULLY_CONNECTED": 11,
    "ADD": 5,
    "MUL": 7,
    "RELU": 3,
    "PAD": 4,
    "SOFTMAX": 3,
    "SPACE_TO_BATCH_ND": 4,
    "BATCH_TO_SPACE_ND": 4,
    "SHAPE": 1,
    "STRIDED_SLICE": 6,
    "PACK": 3,
}
FORBIDDEN = {"WHILE", "FLEX", "CUSTOM"}
SHIPPED_MODELS = [
    "plate_detector.tflite",
    "plate_reader.tflite",
    "plate_reader_2.tflite",
    "plate_reader_tall.tflite",
]


def _op_versions(path):
    tf = pytest.importorskip("tensorflow", reason="op-version check reads the flatbuffer with TF's schema")
    from tensorflow.lite.python import schema_py_generated as schema

    model = schema.Model.GetRootAsModel(path.read_bytes(), 0)
    names = {v: k for k, v in vars(schema.BuiltinOperator).items() if not k.startswith("_")}
    out = []
    for i in range(model.OperatorCodesLength()):
        oc = model.OperatorCodes(i)
        code = max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode())
        out.append((names.get(code, str(code)), oc.Version()))
    del tf
    return out


@pytest.mark.parametrize("name", SHIPPED_MODELS)
def test_shipped_model_loads_with_tflite_runtime(name):
    # GIVEN a shipped model
    d = require_shipped()
    tflite = pytest.importorskip("tflite_runtime.interpreter", reason="tflite-runtime not installed")
    # WHEN the Lambda runtime loads it
    it = tflite.Interpreter(model_path=str(d / name), num_threads=1)
    it.allocate_tensors()
    # THEN it has one float input and one output
    assert len(it.get_input_details()) == 1 and it.get_input_details()[0]["dtype"].__name__ == "float32"
    assert len(it.get_output_details()) == 1


@pytest.mark.parametrize("name", SHIPPED_MODELS)
def test_shipped_model_op_versions_are_accepted_by_runtime_2_14(name):
    # GIVEN a shipped model WHEN its operator table is read
    ops = _op_versions(require_shipped() / name)
    # THEN no loop/flex/custom op and every version is one 2.14 registers
    for op, version in ops:
        assert op not in FORBIDDEN, op
        assert op in MAX_VERSIONS, f"unexpected op {op} v{version}: check tflite-runtime 2.14 supports it"
        assert version <= MAX_VERSIONS[op], (op, version)


def test_shipped_models_fit_the_layer_budget():
    # GIVEN the models directory THEN all .tflite files together stay under the 5 MB the OCR issue allows
    d = require_shipped()
    assert sum(p.stat().st_size for p in d.glob("*.tflite")) <= 5 * 1024 * 1024
