"""One end of the call bridge between the trusted grader and a student's kernel.

The grader runs each test cell in its own process, where the student's
functions are stand-ins (``Handle``) whose calls travel to the sandboxed
kernel and back. Only plain data crosses: JSON with numbers, strings, lists,
dicts and numpy arrays as raw bytes of a fixed set of dtypes, nothing
pickled and no code. Objects that both sides know how to build (tensors,
layers, models) are mirrored by id, so identity (``result is model``) and
in-place changes survive the trip; anything else stays where it lives and is
reached through a ``Handle``. Calls may nest: a student's training loop calls
back into the grader's loss, which may call the kernel again.

The same source runs on both ends: imported by the grader, and sent as text
into the kernel, where it is as untrusted as everything else there. So it
imports nothing of the grader, and the grader's end checks every message it
decodes: a kernel that lies can only produce wrong answers, which the tests
then judge.
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import importlib
import itertools
import json
import re
import socket
import struct
import traceback
import types
from typing import Any, Callable, Iterator

import numpy as np

DTYPES = frozenset(
    "bool int8 int16 int32 int64 uint8 uint16 uint32 uint64 float16 float32 float64 complex64 complex128".split()
)
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}\Z")
IDENT = re.compile(r"[tkg]:[A-Za-z0-9_]{1,100}\Z")
MAX_DEPTH = 40
MAX_MESSAGE = 64 * 1024 * 1024
# Exceptions raised by the other side are re-raised here by name, when they are builtin ones.
BUILTIN_ERRORS = {
    name: value for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, Exception)
}


class ProtocolError(BaseException):
    """The other end sent something this end does not accept.

    A BaseException, like KeyboardInterrupt, so that a test's
    ``except Exception`` cannot swallow it and score the cell.
    """


class RemoteError(Exception):
    """An exception raised on the other side that has no builtin counterpart here."""


class Handle:
    """An object that lives on the other side: attribute reads and calls travel there.

    Comparison, truth and arithmetic are deliberately not forwarded: an
    object that claims to equal everything stays on its own side. Using one
    as data (``float()``, ``len()``, ``np.asarray``) is a ``TypeError`` that
    names the remote type, never a silent conversion.

    In the kernel, a handle is the grader's object as the student's code sees
    it (a stand-in a test passes in). Student code may set, read and delete
    attributes on it as on any local object; those stay in the kernel, in
    ``_local``, for the rest of the test cell: the grader's object itself is
    never changed from the kernel.
    """

    __slots__ = ("_bridge", "_id", "_type", "_local")

    def __init__(self, bridge: "Bridge", ident: str, kind: str = "object") -> None:
        object.__setattr__(self, "_bridge", bridge)
        object.__setattr__(self, "_id", ident)
        object.__setattr__(self, "_type", kind)
        object.__setattr__(self, "_local", {})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        value = self._local.get(name, _MISSING)
        if value is _DELETED:
            raise AttributeError(name)
        if value is not _MISSING:
            return value
        return self._bridge.attribute(self._id, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if self._bridge.trusted or name.startswith("__"):
            raise AttributeError(f"cannot set {name!r} on {self!r}")
        self._local[name] = value

    def __delattr__(self, name: str) -> None:
        if self._bridge.trusted or self._local.get(name) is _DELETED:
            raise AttributeError(name)
        if name not in self._local:
            getattr(self, name)  # an AttributeError when the object has no such attribute
        self._local[name] = _DELETED

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._bridge.request({"op": "call", "target": self._id, "args": list(args), "kwargs": kwargs})

    def __bool__(self) -> bool:
        raise TypeError(f"{self!r} has no truth value here")

    def _not_data(self, *_: Any) -> Any:
        raise TypeError(
            f"{self!r} is not plain data: only numbers, strings, None, lists, tuples, dicts"
            " and arrays of numeric or bool dtype cross between the grader and the kernel"
        )

    __array__ = __float__ = __int__ = __index__ = __complex__ = __len__ = __iter__ = _not_data

    def __copy__(self) -> "Handle":
        return self  # a reference to an object on the other side; copying it copies the reference

    def __deepcopy__(self, memo: dict) -> "Handle":
        return self

    def __repr__(self) -> str:
        side = "the student's kernel" if self._bridge.trusted else "the grader"
        return f"<a {self._type} object of {side}>"


class Stored(Handle):
    """A kernel object found in an attribute of a mirrored object, on the grader's side.

    Student code may keep its own objects on a model or layer (a cache, a
    helper); they travel with the object so that the kernel finds them again.
    The grader never uses them: only objects returned by a call the test
    makes are live. So a list of look-alike layers put into ``model.layers``
    cannot answer the grader's own calls.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise ProtocolError(f"the grader does not use {self!r} that the kernel stored in an attribute")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise ProtocolError(f"the grader does not call {self!r} that the kernel stored in an attribute")


class Bridge:
    """This side's tables of shared objects, and the request/answer loop.

    ``exchange(text)`` sends one message to the other side and returns the
    next message from it. ``classes`` maps the tags of shareable types to this
    side's classes. ``namespace`` resolves ``g:<name>`` (the kernel's
    notebook names); the grader's side has none. ``trusted`` is True on the
    grader's side: there incoming data is checked, and only ``Exception`` of
    local code called back is reported back (anything else, e.g. a time-out,
    ends the test).
    """

    def __init__(
        self, side: str, exchange: Callable[[str], str], classes: Callable[[], dict[str, type]],
        namespace: dict | None = None, trusted: bool = True,
    ) -> None:
        self.side = side
        self.exchange = exchange
        self.find_classes = classes
        self.namespace = namespace
        self.trusted = trusted
        self._storing = False
        self._saved: list[dict] = []
        self.reset()

    def reset(self) -> None:
        """Forget every shared object and undo every bind (at the start and end of each test cell)."""
        while self._saved:
            self._unbind()
        # Every object that crossed, by id, kept alive until the cell ends: either side may name it again.
        self._objects: dict[str, Any] = {}
        self._ids: dict[int, str] = {}
        self._methods: dict[tuple[str, str], Handle] = {}
        self._synced: dict[str, dict[str, Any]] = {}
        self._counter = itertools.count(1)
        self.classes = self.find_classes()
        self._tags = {cls: tag for tag, cls in self.classes.items()}

    # ---- requests and answers -------------------------------------------------

    def attribute(self, ident: str, name: str) -> Any:
        """An attribute of an object of the other side; methods are looked up once per cell."""
        key = (ident, name)
        if key in self._methods:  # a training loop asks for the same method hundreds of times
            return self._methods[key]
        value = self.request({"op": "getattr", "target": ident, "name": name})
        if isinstance(value, Handle):
            self._methods[key] = value
        return value

    def request(self, message: dict) -> Any:
        """Send a call/getattr/bind to the other side and return its result (or raise its error)."""
        sent_arrays = [(i, a) for i, a in enumerate(message.get("args", [])) if isinstance(a, np.ndarray)]
        sent_arrays += [(k, a) for k, a in message.get("kwargs", {}).items() if isinstance(a, np.ndarray)]
        reply = self.serve(self._dump(message))
        op = reply.get("op")
        if op == "return":
            with self._decoding():
                self._write_back(sent_arrays, reply.get("arrays", {}))
                return self._dec(reply.get("value"), 0)
        if op == "raise":
            raise self._error(reply)
        raise ProtocolError(f"expected a result, got {op!r}")

    def serve(self, outgoing: str) -> dict:
        """Send ``outgoing``, answer the other side's requests until it sends something else; return that."""
        incoming = self.exchange(outgoing)
        while True:
            message = self._load(incoming)
            if message.get("op") not in ("call", "getattr", "bind", "unbind"):
                return message
            incoming = self.exchange(self._answer(message))

    def _answer(self, message: dict) -> str:
        catch = Exception if self.trusted else BaseException
        op = message["op"]
        args: list = []
        kwargs: dict = {}
        try:
            if op in ("bind", "unbind"):
                if self.namespace is None:
                    raise ProtocolError("only the kernel binds names")
                result = self._bind(self._dec(message.get("names"), 0)) if op == "bind" else self._unbind()
            else:
                target = self._dec({"$": "handle", "id": message.get("target")}, 0)
                if op == "getattr":
                    result = getattr(target, self._name(message.get("name")))
                else:
                    args = self._dec(message.get("args"), 0)
                    kwargs = self._dec(message.get("kwargs"), 0)
                    if not isinstance(args, list) or not isinstance(kwargs, dict):
                        raise ProtocolError("malformed call")
                    result = target(*args, **kwargs)
            arrays = {str(k): self._enc(a, 0) for k, a in [*enumerate(args), *kwargs.items()] if isinstance(a, np.ndarray)}
            return self._dump({"op": "return", "value": result, "arrays": arrays}, encode_value=True)
        except catch as error:  # the callee's failure is the caller's result
            kind = next((c.__name__ for c in type(error).__mro__ if BUILTIN_ERRORS.get(c.__name__) is c), "")
            detail = "" if self.trusted else "".join(traceback.format_exception(error))[-4000:]
            return self._dump({"op": "raise", "type": kind, "name": type(error).__name__,
                               "message": str(error)[:2000], "traceback": detail})

    def _bind(self, names: Any) -> None:
        """Rebind notebook names until the matching unbind: the grader's stand-ins for the student's helpers."""
        if not isinstance(names, dict) or not all(isinstance(n, str) and NAME.match(n) for n in names):
            raise ProtocolError("malformed bind")
        self._saved.append({name: self.namespace.get(name, _MISSING) for name in names})
        self.namespace.update(names)

    def _unbind(self) -> None:
        if self._saved:
            for name, value in self._saved.pop().items():
                if value is _MISSING:
                    self.namespace.pop(name, None)
                else:
                    self.namespace[name] = value

    def _error(self, reply: dict) -> BaseException:
        message = str(reply.get("message", ""))[:2000]
        name = str(reply.get("name", "Exception"))[:100]
        cls = BUILTIN_ERRORS.get(str(reply.get("type", "")))
        if cls is None or cls is Exception:
            error: BaseException = RemoteError(f"{name}: {message}")
        else:
            try:
                error = cls(message)
            except Exception:  # e.g. UnicodeDecodeError wants five arguments
                error = RemoteError(f"{name}: {message}")
        error.remote_traceback = str(reply.get("traceback", ""))[:4000]  # type: ignore[attr-defined]
        return error

    def _write_back(self, sent: list, arrays: Any) -> None:
        """Arrays changed in place by the callee change here too (tests check inputs are left alone)."""
        if not isinstance(arrays, dict):
            raise ProtocolError("malformed arrays")
        for key, original in sent:
            if str(key) in arrays:
                after = self._dec(arrays[str(key)], 0)
                if isinstance(after, np.ndarray) and after.shape == original.shape and not np.array_equal(after, original, equal_nan=after.dtype.kind == "f"):
                    original[...] = after

    # ---- messages ---------------------------------------------------------------

    def _dump(self, message: dict, encode_value: bool = False) -> str:
        body = dict(message)
        if "args" in body:
            body["args"] = self._enc(list(body["args"]), 0)
            body["kwargs"] = self._enc(dict(body["kwargs"]), 0)
        if "names" in body:
            body["names"] = self._enc(body["names"], 0)
        if encode_value:
            body["value"] = self._enc(body["value"], 0)
        body["state"] = self._state()
        return json.dumps(body)

    def _load(self, text: Any) -> dict:
        if not isinstance(text, str) or len(text) > MAX_MESSAGE:
            raise ProtocolError("a message that is not text or is too long")
        try:
            message = json.loads(text)
        except ValueError:
            raise ProtocolError("a message that is not JSON") from None
        if not isinstance(message, dict):
            raise ProtocolError("a message that is not an object")
        with self._decoding():
            self._apply_state(message.get("state", []))
        return message

    @contextlib.contextmanager
    def _decoding(self) -> Iterator[None]:
        """On the grader's side, data that breaks decoding is a ProtocolError, whatever broke.

        An ordinary TypeError or ValueError could be caught by a test's own
        ``except`` clause and pass it: a test that expects a ValueError must
        not be satisfied by a kernel that sends an unhashable dtype.
        """
        try:
            yield
        except ProtocolError:
            raise
        except Exception as error:
            if not self.trusted:
                raise
            raise ProtocolError(f"the kernel sent data that cannot be decoded ({type(error).__name__}: {error})") from None

    # ---- shared objects ---------------------------------------------------------

    def _tag(self, obj: Any) -> str | None:
        return self._tags.get(type(obj))

    def _get(self, ident: str) -> Any:
        return self._objects.get(ident)

    def _register(self, ident: str, obj: Any) -> None:
        self._objects[ident] = obj
        self._ids[id(obj)] = ident

    def _ident(self, obj: Any) -> str:
        ident = self._ids.get(id(obj))
        if ident is None:
            ident = f"{self.side}:{next(self._counter)}"
            self._register(ident, obj)
        return ident

    def _shared(self) -> list[tuple[str, Any]]:
        return [(i, o) for i, o in self._objects.items() if self._tag(o) is not None]

    def _state(self) -> list:
        """Every shared object this side changed since the other side last saw it: whoever ran last has the truth."""
        entries, done = [], set()
        while fresh := [(i, o) for i, o in self._shared() if i not in done]:
            for ident, obj in fresh:
                done.add(ident)
                snapshot = self._snapshot(obj)
                if self._synced.get(ident) == snapshot:
                    continue
                self._synced[ident] = snapshot
                attrs = {name: self._enc(value, 0) for name, value in self._attrs(obj).items()}
                entries.append({"id": ident, "cls": self._tag(obj), "attrs": attrs})
        return entries

    @staticmethod
    def _attrs(obj: Any) -> dict[str, Any]:
        """An object's state by public name (``_data`` behind a ``data`` property is sent as ``data``)."""
        attrs = {}
        for name, value in vars(obj).items():
            if name.startswith("__"):
                continue
            public = name[1:] if name.startswith("_") and isinstance(getattr(type(obj), name[1:], None), property) else name
            attrs[public] = value
        return attrs

    def _snapshot(self, obj: Any) -> dict[str, Any]:
        """What the object looks like now, cheap to compare: arrays by bytes, the rest by encoding."""
        return {
            name: ("nd", value.dtype.str, value.shape, value.tobytes()) if isinstance(value, np.ndarray) else self._enc(value, 0)
            for name, value in self._attrs(obj).items()
        }

    def _apply_state(self, entries: Any) -> None:
        if not isinstance(entries, list):
            raise ProtocolError("malformed state")
        classes = self.classes
        updates = []
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("attrs"), dict):
                raise ProtocolError("malformed state entry")
            ident, cls = self._check_ident(entry.get("id")), classes.get(entry.get("cls"))
            if cls is None:
                raise ProtocolError(f"unknown class {entry.get('cls')!r}")
            obj = self._get(ident)
            if type(obj) is not cls:
                obj = cls.__new__(cls)
                self._register(ident, obj)
            updates.append((obj, entry["attrs"]))
        # On the grader's side, kernel objects found in attributes are kept but never used (see Stored).
        self._storing = self.trusted
        try:
            for obj, attrs in updates:
                for name, value in attrs.items():
                    self._assign(obj, self._name(name), self._dec(value, 0))
                for name in set(self._attrs(obj)) - set(attrs):  # deleted on the other side
                    self._remove(obj, name)
        finally:
            self._storing = False
        for entry, (obj, _) in zip(entries, updates):
            self._synced[entry["id"]] = self._snapshot(obj)

    @staticmethod
    def _remove(obj: Any, name: str) -> None:
        state = vars(obj)
        state.pop(name if name in state else "_" + name, None)

    def _assign(self, obj: Any, name: str, value: Any) -> None:
        declared = getattr(type(obj), name, None)
        if self.trusted and declared is not None and not (isinstance(declared, property) and declared.fset):
            raise ProtocolError(f"the kernel tried to replace {type(obj).__name__}.{name}")
        old = getattr(obj, name, None)
        if isinstance(old, np.ndarray) and isinstance(value, np.ndarray) and old.shape == value.shape and old.dtype == value.dtype and old.flags.writeable:
            old[...] = value
            return
        try:
            setattr(obj, name, value)
        except (AttributeError, TypeError, ValueError) as error:
            raise ProtocolError(f"cannot set {type(obj).__name__}.{name}: {error}") from None

    # ---- values -------------------------------------------------------------------

    def _enc(self, value: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise ValueError("value nested too deeply to send")
        kind = type(value)
        if value is None or kind in (bool, int, str):
            return value
        if kind is float:
            return value if value == value and abs(value) != float("inf") else {"$": "float", "v": repr(value)}
        if isinstance(value, (np.ndarray, np.generic)):
            return self._enc_array(value)
        if kind in (list, tuple):
            return {"$": kind.__name__, "items": [self._enc(v, depth + 1) for v in value]}
        if kind is dict:
            return {"$": "dict", "items": [[self._enc(k, depth + 1), self._enc(v, depth + 1)] for k, v in value.items()]}
        if kind is types.SimpleNamespace:
            return {"$": "ns", "attrs": {k: self._enc(v, depth + 1) for k, v in vars(value).items() if NAME.match(k)}}
        if isinstance(value, Handle):
            return {"$": "handle", "id": value._id, "type": value._type}
        if self._tag(value) is not None:
            return {"$": "ref", "id": self._ident(value)}
        if not self.trusted:  # the kernel sends plain copies of subclasses of plain types
            for plain in (bool, int, float, str, list, tuple, dict):
                if isinstance(value, plain):
                    return self._enc(plain(value), depth)
        return {"$": "handle", "id": self._ident(value), "type": type(value).__name__[:100]}

    @staticmethod
    def _enc_array(value: np.ndarray | np.generic) -> dict:
        """An array or numpy scalar as it is: dtype, shape (0-d stays 0-d), memory order, values."""
        if value.dtype.name not in DTYPES:
            raise TypeError(
                f"a {type(value).__name__} of dtype {value.dtype} cannot cross between the grader and the kernel:"
                f" only {', '.join(sorted(DTYPES))}"
            )
        array = np.asarray(value)
        if not array.dtype.isnative:
            array = array.astype(array.dtype.newbyteorder("="))
        order = "F" if array.ndim > 1 and array.flags.f_contiguous and not array.flags.c_contiguous else "C"
        return {"$": "nd", "dtype": array.dtype.name, "shape": list(array.shape), "order": order,
                "data": base64.b64encode(array.tobytes(order=order)).decode("ascii"), "scalar": isinstance(value, np.generic)}

    def _dec(self, data: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise ProtocolError("value nested too deeply")
        if data is None or type(data) in (bool, int, float, str):
            return data
        if not isinstance(data, dict):
            raise ProtocolError(f"unexpected {type(data).__name__} in a message")
        kind = data.get("$")
        if kind == "float":
            if data.get("v") not in ("nan", "inf", "-inf"):
                raise ProtocolError("malformed float")
            return float(data["v"])
        if kind == "nd":
            return self._array(data)
        if kind in ("list", "tuple"):
            items = data.get("items")
            if not isinstance(items, list):
                raise ProtocolError("malformed sequence")
            values = [self._dec(v, depth + 1) for v in items]
            return values if kind == "list" else tuple(values)
        if kind == "dict":
            items = data.get("items")
            if not isinstance(items, list) or not all(isinstance(p, list) and len(p) == 2 for p in items):
                raise ProtocolError("malformed dict")
            try:
                return {self._dec(k, depth + 1): self._dec(v, depth + 1) for k, v in items}
            except TypeError:
                raise ProtocolError("unhashable dict key") from None
        if kind == "ns":
            attrs = data.get("attrs")
            if not isinstance(attrs, dict):
                raise ProtocolError("malformed namespace")
            return types.SimpleNamespace(**{self._name(k): self._dec(v, depth + 1) for k, v in attrs.items()})
        if kind in ("ref", "handle"):
            ident = self._check_ident(data.get("id"))
            remote = kind == "handle" and not ident.startswith(self.side + ":")
            kind_name = str(data.get("type", "object"))[:100]
            if remote and self._storing:
                return Stored(self, ident, kind_name)
            obj = self._get(ident)
            if obj is not None:
                return obj
            if ident.startswith("g:") and self.namespace is not None:
                if ident[2:] not in self.namespace:
                    raise NameError(f"name {ident[2:]!r} is not defined")
                return self.namespace[ident[2:]]
            if remote:
                handle = Handle(self, ident, kind_name)
                self._register(ident, handle)
                return handle
            raise ProtocolError(f"unknown object {ident}")
        raise ProtocolError(f"unknown value kind {kind!r}")

    def _array(self, data: dict) -> Any:
        dtype, shape, raw = data.get("dtype"), data.get("shape"), data.get("data")
        if dtype not in DTYPES or not isinstance(shape, list) or len(shape) > 32 or not isinstance(raw, str):
            raise ProtocolError("malformed array")
        if not all(type(n) is int and n >= 0 for n in shape):
            raise ProtocolError("malformed array shape")
        try:
            buffer = base64.b64decode(raw, validate=True)
        except ValueError:
            raise ProtocolError("malformed array data") from None
        if len(buffer) != int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize:
            raise ProtocolError("array data does not match its shape")
        order = data.get("order", "C")
        if order not in ("C", "F"):
            raise ProtocolError("malformed array order")
        array = np.frombuffer(buffer, dtype=dtype).reshape(shape, order=order).copy(order="K")
        return array[()] if data.get("scalar") is True and array.ndim == 0 else array

    def _check_ident(self, ident: Any) -> str:
        if not isinstance(ident, str) or not IDENT.match(ident):
            raise ProtocolError(f"malformed object id {ident!r}")
        return ident

    def _name(self, name: Any) -> str:
        if not isinstance(name, str) or not NAME.match(name) or name.startswith("__"):
            raise ProtocolError(f"malformed attribute name {name!r}")
        return name


def resolve_classes(spec: dict[str, str], notebook: dict) -> dict[str, type]:
    """Tags to classes from ``module:name`` paths; ``notebook:name`` is a class the notebook defines."""
    classes = {}
    for tag, path in spec.items():
        module, _, name = path.partition(":")
        owner = notebook if module == "notebook" else vars(importlib.import_module(module))
        if isinstance(owner.get(name), type):
            classes[tag] = owner[name]
    return classes


class KernelAgent:
    """The kernel's end: answers the grader's calls with the notebook's own names.

    Created once per kernel by the grader's first test cell; every test cell
    then runs ``serve()`` in one execution, talking over the kernel's input
    channel until the grader says it is done.
    """

    def __init__(self, namespace: dict, class_spec: dict[str, str]) -> None:
        self.bridge = Bridge("k", self._exchange, lambda: resolve_classes(class_spec, namespace), namespace, trusted=False)
        self.stream: Any = None

    def serve(self, path: str) -> None:
        """Answer the grader for one test cell, over a connection to its socket at ``path``."""
        self.bridge.reset()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(path)
            self.stream = connection.makefile("rwb")
            try:
                self.bridge.serve(json.dumps({"op": "ready", "state": []}))
            finally:
                self.bridge.reset()
                self.stream = None

    def _exchange(self, text: str) -> str:
        data = text.encode("utf-8")
        self.stream.write(struct.pack("!Q", len(data)) + data)
        self.stream.flush()
        header = self.stream.read(8)
        if len(header) < 8:
            raise ProtocolError("the grader hung up")
        return self.stream.read(struct.unpack("!Q", header)[0]).decode("utf-8")


_MISSING = object()
_DELETED = object()
