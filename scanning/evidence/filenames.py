"""Strings that name files, not modules: ``weights.onnx`` looks dotted but nothing imports it.

A settings value, a plugin list or ``import_module`` argument can only load a module; a string
ending in a file extension there names a model, data or log file. Extensions that some
module's last part is also named (``django.core.serializers.json``, ``ruamel.yaml``,
``django.db.backends.sqlite3``) only count when the string is a bare ``name.ext``.
"""

from __future__ import annotations

# Never the last part of a module name: weights and checkpoints (ONNX, PyTorch, Keras/HDF5,
# safetensors, GGUF, TFLite, TensorFlow protobuf), pickles, array and table files, archives,
# images, documents, text and log files.
FILE_EXTENSIONS = frozenset(
    [
        "onnx",
        "pt",
        "pth",
        "ckpt",
        "safetensors",
        "gguf",
        "tflite",
        "pb",
        "h5",
        "hdf5",
        "keras",
        "joblib",
        "pkl",
        "pickle",
        "npy",
        "npz",
        "parquet",
        "feather",
        "arrow",
        "avro",
        "orc",
        "csv",
        "tsv",
        "xlsx",
        "xls",
        "jsonl",
        "ndjson",
        "yml",
        "txt",
        "log",
        "zip",
        "gz",
        "bz2",
        "xz",
        "tar",
        "tgz",
        "whl",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "svg",
        "webp",
        "ico",
        "pdf",
        "docx",
        "mp3",
        "mp4",
        "wav",
    ]
)
# The last part of real modules too: a file only as ``name.ext``.
AMBIGUOUS_EXTENSIONS = frozenset(
    ["json", "yaml", "toml", "ini", "cfg", "xml", "html", "md", "rst", "sqlite", "sqlite3"]
)


def is_file_name(dotted: str) -> bool:
    """Whether ``pkg.mod``-looking text is a file name (``data.json``, ``model.pt``)."""
    parts = dotted.split(":")[0].split(".")
    extension = parts[-1].lower() if len(parts) > 1 else ""
    if extension in FILE_EXTENSIONS:
        return True
    return len(parts) == 2 and extension in AMBIGUOUS_EXTENSIONS
