"""conda package names that are not the PyPI name of the same software, and conda packages that
are no Python distribution at all. Data, each entry with where it comes from.

A conda name in neither table is taken as the PyPI name (most Python packages on conda-forge
keep it); a wrong guess shows as an unused declaration, never as a silent pass.
"""

from __future__ import annotations

# conda name -> (PyPI name, source: the recipe that builds it)
CONDA_TO_PYPI: dict[str, tuple[str, str]] = {
    "pytorch": ("torch", "conda-forge/pytorch-cpu-feedstock builds PyPI's torch"),
    "pytorch-cpu": ("torch", "conda-forge/pytorch-cpu-feedstock (CPU variant of torch)"),
    "pytorch-gpu": ("torch", "conda-forge/pytorch-cpu-feedstock (CUDA variant of torch)"),
    "py-xgboost": ("xgboost", "conda-forge/xgboost-feedstock: py-xgboost is the Python package"),
    "pytables": ("tables", "conda-forge/pytables-feedstock: PyPI's tables"),
    "python-graphviz": ("graphviz", "conda-forge/python-graphviz-feedstock: PyPI's graphviz"),
    "matplotlib-base": ("matplotlib", "conda-forge/matplotlib-feedstock: matplotlib without Qt"),
    "pyqt": ("pyqt5", "conda-forge/pyqt-feedstock (5.x): PyPI's PyQt5"),
    "msgpack-python": ("msgpack", "conda-forge/msgpack-python-feedstock: PyPI's msgpack"),
    "py-opencv": ("opencv-python", "conda-forge/opencv-feedstock: the Python bindings"),
    "pyarrow-core": ("pyarrow", "conda-forge/arrow-cpp-feedstock: pyarrow without extras"),
    "tensorflow-base": ("tensorflow", "conda-forge/tensorflow-feedstock: the Python package"),
    "ruamel_yaml": ("ruamel-yaml", "anaconda's ruamel_yaml: PyPI's ruamel.yaml"),
    "pywin32-on-windows": ("pywin32", "conda-forge/pywin32-on-windows-feedstock"),
}

# conda packages that are no PyPI distribution: interpreters, compilers, C and R libraries,
# command-line tools. Source: each is a conda-forge feedstock of non-Python software.
NOT_PYPI: dict[str, str] = {
    "python": "the interpreter (conda-forge/python-feedstock)",
    "pip": "the installer itself; its own section lists PyPI packages",
    "nodejs": "Node.js (conda-forge/nodejs-feedstock)",
    "r-base": "the R interpreter (conda-forge/r-base-feedstock)",
    "cudatoolkit": "NVIDIA's CUDA runtime (conda-forge/cudatoolkit-feedstock)",
    "cudnn": "NVIDIA's cuDNN library (conda-forge/cudnn-feedstock)",
    "pytorch-cuda": "pytorch channel's CUDA selector metapackage",
    "cpuonly": "pytorch channel's CPU selector metapackage",
    "mkl": "Intel's math kernel library (conda-forge/intel_repack-feedstock)",
    "openblas": "a BLAS library (conda-forge/openblas-feedstock)",
    "blas": "the BLAS selector metapackage (conda-forge/blas-feedstock)",
    "nomkl": "the no-MKL selector metapackage",
    "compilers": "C/C++/Fortran compilers metapackage (conda-forge/compilers-feedstock)",
    "cxx-compiler": "C++ compiler metapackage (conda-forge/compilers-feedstock)",
    "c-compiler": "C compiler metapackage (conda-forge/compilers-feedstock)",
    "gcc": "the GNU C compiler (conda-forge/ctng-compilers-feedstock)",
    "make": "GNU make (conda-forge/make-feedstock)",
    "cmake": "CMake; conda-forge's is the C++ tool, not PyPI's wrapper",
    "git": "git (conda-forge/git-feedstock)",
    "ffmpeg": "FFmpeg (conda-forge/ffmpeg-feedstock)",
    "graphviz": "the Graphviz C tools; PyPI's graphviz is conda's python-graphviz",
    "hdf5": "the HDF5 C library (conda-forge/hdf5-feedstock)",
    "openssl": "OpenSSL (conda-forge/openssl-feedstock)",
    "sqlite": "SQLite (conda-forge/sqlite-feedstock)",
    "zlib": "zlib (conda-forge/zlib-feedstock)",
    "gdal-bin": "GDAL's command-line tools",
    "libgdal": "the GDAL C library (conda-forge/gdal-feedstock)",
    "proj": "the PROJ C library (conda-forge/proj.4-feedstock)",
    "geos": "the GEOS C library (conda-forge/geos-feedstock)",
    "pandoc": "Pandoc (conda-forge/pandoc-feedstock)",
    "openjdk": "a Java runtime (conda-forge/openjdk-feedstock)",
    "postgresql": "the PostgreSQL server (conda-forge/postgresql-feedstock)",
    "ca-certificates": "system certificates (conda-forge/ca-certificates-feedstock)",
    "tk": "Tcl/Tk (conda-forge/tk-feedstock)",
}
# R packages on conda are all named r-<name> (conda-forge's R recipe convention).
NOT_PYPI_PREFIXES = ("r-",)


def pypi_name(conda_name: str) -> str | None:
    """The PyPI distribution a conda package is, or None when it is no Python distribution."""
    name = conda_name.lower()
    if name in NOT_PYPI or name.startswith(NOT_PYPI_PREFIXES):
        return None
    return CONDA_TO_PYPI.get(name, (name, ""))[0]
