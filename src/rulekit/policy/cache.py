"""A cache of validated policies, so that commands skip parsing and checking an unchanged file.

Loading policy/regulation.yaml builds a LALR parser for the rules language,
parses and type-checks every rule and validates the file against its schema:
about half a second, most of a `rulekit who`. A valid policy is therefore kept
as JSON under $XDG_CACHE_HOME/rulekit (default ~/.cache/rulekit), keyed by the
SHA-256 of the file's bytes, the path it was named by, the Python version and
the size and mtime of every source file of rulekit (a new rulekit, or an edited
one, never reads an old entry). Only policies without errors are kept, and only
the 32 entries written last.

An entry proves that it belongs to the policy and the code it was made for: its
first member is an HMAC-SHA256 of the rest of the file, keyed with the entry's key
(the policy's bytes, path and rulekit's code), checked before anything is decoded.
An entry edited by hand, damaged on disk, or copied from another policy or another
rulekit is therefore a miss, and `check` answers from the policy file as
`policy_sha256` says. (The digest detects edits; it is not a secret: whoever can
write the cache folder and read the policy can compute it.)

The format is plain JSON read with `json.loads` (no pickle: nothing in the file
can run code). Objects are rebuilt only from a fixed list of rulekit's own
dataclasses, field by field. Any problem with an entry -- missing, unreadable,
corrupt, from another version, a class or field that does not fit -- is a miss:
the policy is loaded from its file as usual and the entry written again. So a
cache problem can make a command slower, never change its answer.
`RULEKIT_NO_CACHE=1` turns the cache off.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import os
import sys
import tempfile
from importlib import import_module

from ..files import read_input
from ..i18n import _

# 2: types on the AST nodes (no id-keyed tables in a Rule); 3: sealed with a digest (_seal)
FORMAT = 3
KEEP = 32  # entries kept in the cache folder
# Modules whose dataclasses may appear in a cached policy, and be rebuilt from one.
_MODULES = ("rulekit.policy.model", "rulekit.policy.rule", "rulekit.dsl.ast", "rulekit.dsl.types",
            "rulekit.diagnostics", "rulekit.records.model", "rulekit.records.declaration", "rulekit.calendar.terms",
            "rulekit.calendar.durations", "rulekit.calendar.dates")


def _package_dir() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _code_stamp() -> str:
    """Size and mtime of every file of the rulekit package: any change makes a new key."""
    parts = [sys.version, str(FORMAT)]
    root = _package_dir()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".lark", ".json")):
                st = os.stat(os.path.join(folder, name))
                parts.append(f"{os.path.relpath(os.path.join(folder, name), root)}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts)


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "rulekit")


def enabled() -> bool:
    return os.environ.get("RULEKIT_NO_CACHE", "") in ("", "0")


def key_of(path: str, raw: bytes) -> str:
    h = hashlib.sha256()
    for part in (raw, path.encode("utf-8", "surrogateescape"), _code_stamp().encode()):
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def _file(key: str) -> str:
    return os.path.join(cache_dir(), f"policy-{key[:40]}.json")


# ------------------------------------------------------------------ encoding

class _Unsupported(Exception):
    pass


def _classes() -> dict:
    out = {}
    for name in _MODULES:
        module = import_module(name)
        for attr, value in vars(module).items():
            if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == name:
                out[f"{name}:{attr}"] = value
    return out


class _Encoder:
    """Objects -> JSON values. Dataclass instances are written once and referred to by number
    afterwards, so shared objects (a Type used by many nodes) stay shared."""

    def __init__(self):
        self.refs: dict[int, int] = {}
        self.objects: list = []
        self.keep: list = []  # keeps encoded objects alive so their ids stay unique

    def value(self, v):
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, tuple):
            return {"t": [self.value(x) for x in v]}
        if isinstance(v, list):
            return {"l": [self.value(x) for x in v]}
        if isinstance(v, frozenset):
            return {"fs": [self.value(x) for x in sorted(v, key=repr)]}
        if isinstance(v, dict):
            return {"d": [[self.value(k), self.value(x)] for k, x in v.items()]}
        if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
            return {"date": v.isoformat()}
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return {"r": self.obj(v)}
        raise _Unsupported(type(v).__name__)

    def obj(self, v) -> int:
        ref = self.refs.get(id(v))
        if ref is not None:
            return ref
        cls = type(v)
        name = f"{cls.__module__}:{cls.__qualname__}"
        if cls.__module__ not in _MODULES:
            raise _Unsupported(name)
        ref = self.refs[id(v)] = len(self.objects)
        self.keep.append(v)
        entry: dict = {"c": name}
        self.objects.append(entry)
        fields = {}
        for f in dataclasses.fields(v):
            value = getattr(v, f.name)
            if name == "rulekit.policy.rule:Rule" and f.name == "cache":
                fields[f.name] = {"d": []}
                continue
            fields[f.name] = self.value(value)
        entry["f"] = fields
        return ref


class _Decoder:
    def __init__(self, objects: list):
        self.classes = _classes()
        self.raw = objects
        self.built: list = [None] * len(objects)

    def value(self, v):
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        (kind, x), = v.items()
        if kind == "t":
            return tuple(self.value(i) for i in x)
        if kind == "l":
            return [self.value(i) for i in x]
        if kind == "fs":
            return frozenset(self.value(i) for i in x)
        if kind == "d":
            return {self.value(k): self.value(i) for k, i in x}
        if kind == "date":
            return dt.date.fromisoformat(x)
        if kind == "r":
            return self.obj(x)
        raise _Unsupported(kind)

    def obj(self, ref: int):
        done = self.built[ref]
        if done is not None:
            return done
        entry = self.raw[ref]
        cls = self.classes.get(entry["c"])
        if cls is None:
            raise _Unsupported(entry["c"])
        names = {f.name for f in dataclasses.fields(cls)}
        if set(entry["f"]) != names:
            raise _Unsupported(_("fields of {c}").format(c=entry['c']))
        out = self.built[ref] = object.__new__(cls)
        for name, value in entry["f"].items():
            object.__setattr__(out, name, self.value(value))
        return out


# ------------------------------------------------------------------ the cache

def load(key: str):
    """The cached PolicyHistory for `key`, or None (a miss, whatever the reason)."""
    if not enabled():
        return None
    try:
        body = _unseal(key, read_input(_file(key), _("cache entry")))
        if body is None:
            return None
        data = json.loads(body.decode("utf-8"))
        if data.get("format") != FORMAT or data.get("key") != key:
            return None
        policy = _Decoder(data["objects"]).value(data["policy"])
        from .model import PolicyHistory

        return policy if isinstance(policy, PolicyHistory) else None
    except Exception:  # noqa: BLE001 - any problem with the cache is a miss
        return None


def store(key: str, policy) -> None:
    """Keep a valid policy's history for next time; failing to write is not an error."""
    if not enabled():
        return
    try:
        enc = _Encoder()
        root = enc.value(policy)
        text = json.dumps({"format": FORMAT, "key": key, "policy": root, "objects": enc.objects},
                          ensure_ascii=False, separators=(",", ":"))
        folder = cache_dir()
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".policy-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_seal(key, text.encode("utf-8")))
            os.replace(tmp, _file(key))
        except BaseException:
            os.unlink(tmp)
            raise
        _prune(folder)
    except Exception:  # noqa: BLE001 - a read-only home, a full disk: just no cache
        return


_SEAL = b'{"digest":"'
_DIGEST_LEN = 64


def _digest(key: str, rest: bytes) -> bytes:
    return hmac.new(key.encode("ascii"), rest, hashlib.sha256).hexdigest().encode("ascii")


def _seal(key: str, body: bytes) -> bytes:
    """`body` (a JSON object's text) with the digest of what follows it as its first member:
    the file stays JSON, and the digest covers its exact bytes, with no re-encoding to check it."""
    rest = body[1:]
    return _SEAL + _digest(key, rest) + b'",' + rest


def _unseal(key: str, raw: bytes) -> bytes | None:
    """The body of a sealed entry for `key`, or None if it was not sealed for `key` as it is."""
    start = len(_SEAL)
    end = start + _DIGEST_LEN
    if not raw.startswith(_SEAL) or raw[end:end + 2] != b'",':
        return None
    rest = raw[end + 2:]
    if not hmac.compare_digest(raw[start:end], _digest(key, rest)):
        return None
    return b"{" + rest


def _prune(folder: str, keep: int = KEEP) -> None:
    """Remove all but the `keep` most recently written entries (every edit of a policy or of
    rulekit makes a new one)."""
    entries = [os.path.join(folder, n) for n in os.listdir(folder) if n.startswith("policy-") and n.endswith(".json")]
    if len(entries) > keep:
        entries.sort(key=os.path.getmtime, reverse=True)
        for old in entries[keep:]:
            try:
                os.unlink(old)
            except OSError:
                pass
