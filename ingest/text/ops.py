"""A thinc backend for the NER model: NumpyOps with numpy's matrix product.

thinc's CPU backend multiplies matrices with ``blis``; on the machines we
measured (AMD EPYC, one thread) numpy's BLAS does the same product about three
times faster, and the tok2vec layers are almost all matrix products. Everything
else (maxout, hashing, the parser's Cython loops) is inherited unchanged, so
results are the same up to float rounding. Used only while loading our model
(:func:`numpy_gemm_ops`); nothing else in the process changes backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy
from thinc.api import NumpyOps, get_current_ops, set_current_ops


class NumpyGemmOps(NumpyOps):
    name = "ronglian_numpy"

    def gemm(self, x: Any, y: Any, out: Any = None, trans1: bool = False,
             trans2: bool = False) -> Any:
        a = x.T if trans1 else x
        b = y.T if trans2 else y
        if out is None:
            return numpy.matmul(a, b)
        numpy.matmul(a, b, out=out)
        return out


@contextmanager
def numpy_gemm_ops() -> Iterator[NumpyGemmOps]:
    """Models created inside this block compute with :class:`NumpyGemmOps`."""
    previous = get_current_ops()
    ops = NumpyGemmOps()
    set_current_ops(ops)
    try:
        yield ops
    finally:
        set_current_ops(previous)
