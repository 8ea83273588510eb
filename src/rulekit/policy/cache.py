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
dataclasses, field by field, as `json.loads` completes each object. The policies'
rules (most of an entry) are a JSON text of their own inside it, parsed only by
commands that use rules: `who` rebuilds the rest. Any problem with an entry -- missing, unreadable,
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
from importlib import import_module

from ..files import read_input
from ..i18n import _

# 2: types on the AST nodes (no id-keyed tables in a Rule); 3: sealed with a digest (_seal);
# 4: objects written where they are first met, and built as json.loads reads them;
# 5: the policies' rules in a section of their own, read only when asked for
FORMAT = 5
KEEP = 32  # entries kept in the cache folder
# Modules whose dataclasses may appear in a cached policy, and be rebuilt from one.
_POLICY = "rulekit.policy.model:Policy"
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


def _class(name: str):
    """The dataclass `module:Name` names, if it is one of rulekit's own listed in _MODULES."""
    module, __, qualname = name.partition(":")
    if module not in _MODULES:
        raise _Unsupported(name)
    cls = getattr(import_module(module), qualname, None)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == module
            and cls.__qualname__ == qualname):
        raise _Unsupported(name)
    return cls


class _Encoder:
    """Objects -> JSON values. A dataclass instance is written where it is first met, as an
    object with its class under "@" and its fields; met again, it is {"r": n}, the n-th object
    finished so far (objects are numbered as they are completed: fields first), so shared
    objects (a Type used by many nodes) stay shared. That order is the order in which
    json.loads completes them, which lets _Decoder build every object during the parse."""

    def __init__(self):
        self.refs: dict[int, int] = {}
        self.keep: list = []  # keeps encoded objects alive so their ids stay unique
        self.rules: list = []  # each Policy's rules, written after everything else (_RULES)

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
            return self.obj(v)
        raise _Unsupported(type(v).__name__)

    def obj(self, v) -> dict:
        ref = self.refs.get(id(v))
        if ref is not None:
            return {"r": ref}
        cls = type(v)
        name = f"{cls.__module__}:{cls.__qualname__}"
        if cls.__module__ not in _MODULES:
            raise _Unsupported(name)
        entry: dict = {"@": name}
        for f in dataclasses.fields(v):
            if name == "rulekit.policy.rule:Rule" and f.name == "cache":
                entry[f.name] = {"d": []}
                continue
            if name == _POLICY and f.name == "rules":
                entry[f.name] = {"rules": len(self.rules)}
                self.rules.append(v.rules)
                continue
            entry[f.name] = self.value(getattr(v, f.name))
        self.refs[id(v)] = len(self.keep)
        self.keep.append(v)
        return entry


_ENVELOPE = {"format", "key", "policy", "rules"}


class _Rules(int):
    """Where a Policy's rules will be: their place in the entry's rules section."""


class _Decoder:
    """JSON objects -> values, as json.loads completes each one (its `object_hook`): what an
    object holds is already decoded when the object itself is. Only the classes _class allows
    are made, and only with exactly their fields; anything else raises _Unsupported."""

    def __init__(self):
        self.classes: dict[str, tuple] = {}  # name -> (class, field names, instances have a __dict__)
        self.built: list = []
        self.policies: list = []  # the Policy objects whose rules are still a _Rules

    def hook(self, d: dict):
        name = d.pop("@", None)
        if name is not None:
            return self.obj(name, d)
        if len(d) != 1:
            if d.keys() == _ENVELOPE:
                return d
            raise _Unsupported("entry")
        (kind, x), = d.items()
        if kind == "r":
            if type(x) is not int or not 0 <= x < len(self.built):
                raise _Unsupported("reference")
            return self.built[x]
        if kind == "date":
            return dt.date.fromisoformat(x)
        if kind == "rules" and type(x) is int:
            return _Rules(x)
        if type(x) is not list:
            raise _Unsupported(kind)
        if kind == "t":
            return tuple(x)
        if kind == "l":
            return x
        if kind == "fs":
            return frozenset(x)
        if kind == "d":
            return {k: i for k, i in x}
        raise _Unsupported(kind)

    def obj(self, name, fields: dict):
        spec = self.classes.get(name)
        if spec is None:
            cls = _class(name)
            spec = self.classes[name] = (cls, {f.name for f in dataclasses.fields(cls)},
                                         hasattr(object.__new__(cls), "__dict__"))
        cls, names, has_dict = spec
        if fields.keys() != names:
            raise _Unsupported(_("fields of {c}").format(c=name))
        out = object.__new__(cls)
        if name == _POLICY:
            if type(fields["rules"]) is not _Rules:
                raise _Unsupported("rules")
            self.policies.append(out)
        if has_dict:  # the fields as __init__ would have set them, without running it
            object.__setattr__(out, "__dict__", fields)
        else:
            for key, value in fields.items():
                object.__setattr__(out, key, value)
        self.built.append(out)
        return out

    def fill_rules(self, section: str | None) -> None:
        """Each Policy's rules, decoded from the entry's rules section (whose objects may refer
        to those already built); or, with no section, none: `rules == ()`."""
        found = json.loads(section, object_hook=self.hook) if section is not None else None
        if found is not None and (type(found) is not list or not all(type(r) is tuple for r in found)):
            raise _Unsupported("rules")
        for policy in self.policies:
            object.__setattr__(policy, "rules", found[policy.rules] if found is not None else ())


# ------------------------------------------------------------------ the cache

def load(key: str, rules: bool = True):
    """The cached PolicyHistory for `key`, or None (a miss, whatever the reason). With
    `rules=False` its policies have no rules (`rules == ()`): the rules section of the entry,
    most of it, is neither parsed nor rebuilt, nor the DSL's modules imported, for commands
    that answer from the rest of the policy (`who`)."""
    if not enabled():
        return None
    try:
        body = _unseal(key, read_input(_file(key), _("cache entry")))
        if body is None:
            return None
        decoder = _Decoder()
        data = json.loads(body.decode("utf-8"), object_hook=decoder.hook)
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key:
            return None
        if type(data["rules"]) is not str:
            return None
        decoder.fill_rules(data["rules"] if rules else None)
        policy = data["policy"]
        from .model import PolicyHistory

        return policy if isinstance(policy, PolicyHistory) else None
    except Exception:  # noqa: BLE001 - any problem with the cache is a miss
        return None


def store(key: str, policy) -> None:
    """Keep a valid policy's history for next time; failing to write is not an error."""
    if not enabled():
        return
    import tempfile  # only when writing: a hit needs none

    try:
        enc = _Encoder()
        root = enc.value(policy)
        # the rules last, as a JSON text of their own: read only when wanted (load's `rules`)
        rules = json.dumps([enc.value(r) for r in enc.rules], ensure_ascii=False, separators=(",", ":"))
        text = json.dumps({"format": FORMAT, "key": key, "policy": root, "rules": rules},
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
