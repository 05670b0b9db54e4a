"""The compiled part of the package; everything else is declared in pyproject.toml.

The sequence engine's loops (``doconnect.transitions.engine._kernels``, plain C on the
CPython buffer protocol) are compiled here, by ``pip install`` (``make install``), so no
call of the command or the web pages compiles anything at run time. It needs a C compiler
and the Python headers (Debian: ``gcc`` and ``python3-dev``).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "doconnect.transitions.engine._kernels",
            sources=["src/doconnect/transitions/engine/_kernels.c"],
            # -O3 for the loops; no fused multiply-add, so that a result does not depend
            # on the CPU (the kernels pick AVX-512, AVX2 or SSE2 at run time).
            extra_compile_args=["-O3", "-ffp-contract=off"],
        )
    ]
)
