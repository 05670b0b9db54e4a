# Types of the compiled module built from _kernels.c (see kernels.py for the meaning).
from array import array
from typing import Any

import numpy as np

# Any C-contiguous buffer of the item size the C code checks (NumPy arrays, or
# bytearray and array.array on the NumPy-free Hamming path, engine/buffers.py).
_Buffer = np.ndarray | bytearray | array[Any] | memoryview

def om_rows(
    codes: np.ndarray,
    T: int,
    sm: np.ndarray,
    S: int,
    indel: float,
    out: np.ndarray,
    rows: _Buffer,
) -> None: ...
def hamming_rows(
    codes: np.ndarray, T: int, sm: np.ndarray, S: int, out: np.ndarray, rows: np.ndarray
) -> None: ...
def hamming_blocks(
    codes: _Buffer,
    T: int,
    sm: _Buffer,
    S: int,
    out: _Buffer,
    blocks: _Buffer,
    block: int,
) -> None: ...
def state_counts(
    codes: np.ndarray, T: int, weights: np.ndarray, out: np.ndarray, S: int
) -> None: ...
def transition_counts(
    codes: np.ndarray, T: int, weights: np.ndarray, out: np.ndarray, S: int
) -> None: ...
def spell_counts(codes: np.ndarray, T: int, weights: np.ndarray, out: np.ndarray) -> None: ...
def first_exits(
    codes: np.ndarray,
    T: int,
    origin: np.ndarray,
    first: int,
    last: int,
    horizon: int,
    exit_at: np.ndarray,
    outcome: np.ndarray,
) -> None: ...
def wide_codes(
    body: bytes,
    width: int,
    id_at: int,
    start: int,
    stop: int,
    states: list[bytes] | None,
    codes: _Buffer,
    spans: _Buffer,
) -> tuple[int, list[bytes]] | None: ...
def lanes() -> int: ...
def isa() -> str: ...
def use_isa(name: str) -> bool: ...
