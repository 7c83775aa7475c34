"""A pickle reader that rebuilds plain numeric numpy arrays and nothing else.

Unpickling runs whatever callables a file names, so `RestrictedUnpickler` hands the pickle
none of numpy's own: the globals a numpy array pickles with (`numpy.dtype`, `ndarray`,
`_reconstruct`, `_codecs.encode`) resolve to stand-ins that only record and check what they
are given. An array is created only once its whole state has been checked, from bytes of
exactly its size: a pickle can build neither an object dtype (whose state numpy restores in
C, and can crash on) nor a strided view that claims more data than the file holds.
"""

from __future__ import annotations

import math
import pickle

import numpy as np

from gan_studio.data.errors import DatasetError

# The dtypes of numeric data; flexible, object and datetime types are refused.
_NUMERIC = frozenset({"b1", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8"})
_MAX_NDIM = 8


class PickleRefused(DatasetError):
    """A pickle asked for something other than plain numeric arrays.

    The message completes "the file ...": it says what the pickle asked for.
    """


def _text(value) -> str | None:
    """Returns a pickled str, or Python 2's str unpickled as bytes, as str; else None."""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else None


class _Sealed(type):
    """The stand-ins' type: a pickle's BUILD on a stand-in cannot change its attributes."""

    def __setattr__(cls, name, value):
        raise PickleRefused("tries to change how arrays are read")


class _Dtype(metaclass=_Sealed):
    """Stands in for `numpy.dtype(code, align, copy)`; `dtype` is the checked numpy dtype."""

    dtype: np.dtype

    def __new__(cls, code=None, align=False, copy=True, *rest):
        code = _text(code)
        if code not in _NUMERIC or rest or align not in (False, True, 0, 1):
            raise PickleRefused(f"asks for a numpy dtype other than a plain number ({code!r})")
        self = super().__new__(cls)
        self.dtype = np.dtype(code)
        return self

    def __setstate__(self, state) -> None:
        # numpy writes (3, byte order, subarray, names, fields, elsize, alignment, flags);
        # anything else in the state would turn the number into another dtype.
        order = _text(state[1]) if isinstance(state, tuple) and len(state) == 8 else None
        if order not in ("<", ">", "|", "=") or state[0] != 3 \
                or state[2:] != (None, None, None, -1, -1, 0):
            raise PickleRefused("holds a numpy dtype whose state is not that of a plain number")
        if order in "<>" and self.dtype.itemsize > 1:
            self.dtype = self.dtype.newbyteorder(order)


class _NdarrayClass(metaclass=_Sealed):
    """Stands in for `numpy.ndarray`, which a pickle may only pass to `_reconstruct`."""

    def __new__(cls, *args, **kwargs):
        raise PickleRefused("calls numpy.ndarray directly (a view that numpy's own pickles "
                            "never hold)")


class PickledArray:
    """What `_reconstruct` returns: empty until the pickle's BUILD gives it a checked state.

    Attributes:
        array: the numpy array, or None if the pickle never gave it a state.
    """

    array: np.ndarray | None = None

    def __setstate__(self, state) -> None:
        """Builds `array` from numpy's `(version, shape, dtype, is_fortran, raw bytes)`.

        Raises:
            PickleRefused: for anything but C-ordered numeric data of exactly its size.
        """
        if isinstance(state, tuple) and len(state) == 5 and state[0] == 1:
            state = state[1:]
        if not isinstance(state, tuple) or len(state) != 4:
            raise PickleRefused("holds an array state numpy does not write")
        shape, dtype, fortran, raw = state
        if not isinstance(dtype, _Dtype):
            raise PickleRefused("holds an array without a plain numeric dtype")
        if not (isinstance(shape, tuple) and len(shape) <= _MAX_NDIM
                and all(type(n) is int and n >= 0 for n in shape)):
            raise PickleRefused(f"holds an array of impossible shape {shape!r}")
        if fortran and sum(n > 1 for n in shape) > 1:
            raise PickleRefused("holds an array in Fortran order, not C order")
        if not isinstance(raw, (bytes, bytearray)):
            raise PickleRefused("holds an array whose data are not plain bytes")
        if len(raw) != math.prod(shape) * dtype.dtype.itemsize:
            raise PickleRefused(f"holds an array of shape {shape} with {len(raw)} bytes of "
                                "data, which do not fit that shape")
        self.array = np.frombuffer(raw, dtype=dtype.dtype).reshape(shape)


class _Reconstruct(metaclass=_Sealed):
    """Stands in for numpy's `_reconstruct(ndarray, (0,), b'b')`, the start of every array."""

    def __new__(cls, ndarray=None, shape=None, typecode=None, *rest) -> PickledArray:
        if ndarray is not _NdarrayClass or shape != (0,) or _text(typecode) != "b" or rest:
            raise PickleRefused("calls numpy's _reconstruct other than numpy itself does")
        return PickledArray()


class _Latin1(metaclass=_Sealed):
    """Stands in for `_codecs.encode(text, "latin1")`: how Python 3 pickles bytes."""

    def __new__(cls, text=None, encoding=None, *rest) -> bytes:
        if not isinstance(text, str) or encoding not in ("latin1", "latin-1") or rest:
            raise PickleRefused(f"calls _codecs.encode with the codec {encoding!r}")
        return text.encode("latin-1")


# Every global a pickle may name is a stand-in class, and every object it can reach is a
# stand-in, a `PickledArray` or a plain Python value: none of numpy's own objects.
# The files CIFAR-10 publishes name numpy.core (they predate numpy 2); files written by
# numpy 2 name numpy._core.
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _Reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _Reconstruct,
    ("numpy", "ndarray"): _NdarrayClass,
    ("numpy", "dtype"): _Dtype,
    ("_codecs", "encode"): _Latin1,
}


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that can rebuild numeric numpy arrays and refuses every other global.

    Anything else a pickle asks for (`os.system`, `builtins.eval`, ...) raises
    `PickleRefused` before it is looked up, so it is never called. Arrays come back as
    `PickledArray` objects: read their `array` (see `unpickled_array`).
    """

    def find_class(self, module: str, name: str):
        """Returns the checking stand-in for an allowed global.

        Args:
            module: module the pickle names.
            name: attribute of `module` the pickle names.

        Returns:
            The stand-in for `module.name`.

        Raises:
            PickleRefused: for any global outside the allowed set.
        """
        allowed = _ALLOWED.get((module, name))
        if allowed is None:
            raise PickleRefused(f"asks to run {module}.{name}")
        return allowed

    def persistent_load(self, pid):
        """Refuses persistent references: a data file has no outside objects to refer to."""
        raise PickleRefused("refers to objects outside the file")


def unpickled_array(value):
    """Returns the numpy array a `PickledArray` holds, or `value` itself if it is not one.

    Raises:
        PickleRefused: if the pickle never gave the array its state.
    """
    if not isinstance(value, PickledArray):
        return value
    if value.array is None:
        raise PickleRefused("holds an array that was never given its data")
    return value.array
