"""Signed checkpoints of the ledger's hash chain, kept outside the database.

The chain (`chain.py`) shows any row changed behind the application's back — unless the
intruder recomputes every hash after the changed row with the platform's own functions,
which anyone able to write to the database can do. A checkpoint pins the chain as it was:
the head hash, the number of entries, the id of the last entry and the time (Beijing time,
with its offset), signed with an Ed25519 key that the database does not hold, and appended
as one JSON line to a file that the auditor keeps. `ledger verify --checkpoints FILE`
then asks of the chain as stored: at each checkpoint's entry count, is the head still the
one signed? A recomputed chain is not, and the first such checkpoint bounds where the
change lies (after the last checkpoint that still matches, up to this one).

Why Ed25519 and not an HMAC: with an HMAC the auditor needs the same secret the platform
signs with, and so could forge checkpoints, and every copy of the secret is one more place
to steal it from. With Ed25519 the platform alone holds the private key (an environment
variable or a key file readable by the platform's user only); the auditor gets the public
key, which verifies but cannot sign.

Each line is canonical JSON: {"v", "entries", "head", "last_entry_id", "at", "key_id",
"sig"}; the signature covers the canonical JSON of every other field, prefixed with
SIGNED_PREFIX so that it cannot be taken for a signature of anything else. `key_id` (the
first 16 hex digits of the SHA-256 of the raw public key) tells which key signed a line,
so checkpoints signed before a key change stay verifiable with the old public key.
"""
import base64
import binascii
import datetime
import fcntl
import hashlib
import json
import os
import zoneinfo
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from .chain import canonical_json, verify
from .models import GENESIS, Entry

SIGNED_PREFIX = b"xiezuo-ledger-checkpoint/1\n"
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
KEY = "XIEZUO_LEDGER_SIGNING_KEY"
KEY_FILE = "XIEZUO_LEDGER_SIGNING_KEY_FILE"
PUBLIC_KEY = "XIEZUO_LEDGER_PUBLIC_KEY"
CHECKPOINTS = "XIEZUO_LEDGER_CHECKPOINTS"
FIELDS = ("v", "entries", "head", "last_entry_id", "at", "key_id", "sig")


class CheckpointError(Exception):
    """A checkpoint cannot be taken or read; the message says why and what to set."""


def setting(name: str) -> str:
    """A Django setting of that name, else the environment variable: production sets the
    environment, tests override settings."""
    value = getattr(settings, name, None)
    return str(value) if value else os.environ.get(name, "")


# --- keys ---------------------------------------------------------------------------------


def _crypto():
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError as exc:  # pragma: no cover - a requirement; named if missing
        raise CheckpointError("signed checkpoints need the `cryptography` package (pip install -r requirements.txt)") from exc
    return ed25519, serialization


def raw_public(public_key) -> bytes:
    _ed, ser = _crypto()
    return public_key.public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)


def public_text(public_key) -> str:
    """The public key as the auditor is given it: base64 of its 32 raw bytes."""
    return base64.b64encode(raw_public(public_key)).decode()


def key_id(public_key) -> str:
    return hashlib.sha256(raw_public(public_key)).hexdigest()[:16]


def generate_key_file(path: str) -> tuple[object, str]:
    """Write a new Ed25519 private key (PKCS#8 PEM) to `path`, readable by its owner only
    (0600, created so: never world-readable, not even for a moment), and the public key
    beside it (`path.pub`). Refuses to overwrite a key: a lost private key cannot be
    recovered, and a replaced one would sign lines the auditor's public key rejects."""
    ed, ser = _crypto()
    private = ed.Ed25519PrivateKey.generate()
    pem = private.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption())
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CheckpointError(f"{path} exists already: a signing key is never overwritten (move it away first)") from None
    except OSError as exc:
        raise CheckpointError(f"cannot write the key to {path}: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as f:
        os.fchmod(f.fileno(), 0o600)  # whatever the umask
        f.write(pem)
        f.flush()
        os.fsync(f.fileno())
    public = private.public_key()
    with open(f"{path}.pub", "w") as f:
        f.write(public_text(public) + "\n")
    return public, f"{path}.pub"


def _load_private(data: bytes, where: str):
    ed, ser = _crypto()
    text = data.strip()
    try:
        if text.startswith(b"-----BEGIN"):
            key = ser.load_pem_private_key(text, password=None)
        else:
            key = ed.Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise CheckpointError(f"{where} is not an Ed25519 private key (PEM, or base64 of 32 bytes): {exc}") from None
    if not isinstance(key, ed.Ed25519PrivateKey):
        raise CheckpointError(f"{where} holds a {type(key).__name__}, not an Ed25519 private key")
    return key


def signing_key():
    """The configured private key: XIEZUO_LEDGER_SIGNING_KEY (PEM or base64 text), else the
    file named by XIEZUO_LEDGER_SIGNING_KEY_FILE. No key → a refusal saying what to set."""
    text = setting(KEY)
    if text:
        return _load_private(text.encode(), KEY)
    path = setting(KEY_FILE)
    if not path:
        raise CheckpointError(
            f"no ledger signing key configured: set {KEY_FILE} to a key file (make one with "
            f"`manage.py ledger keygen PATH`) or {KEY}; nothing was signed")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise CheckpointError(f"{KEY_FILE}={path} cannot be read: {exc.strerror}; nothing was signed") from None
    return _load_private(data, path)


def load_public(text: str):
    """A public key given as base64 of its 32 raw bytes, as PEM, or as the path of a file
    holding either."""
    ed, ser = _crypto()
    value = text.strip()
    if value and not value.startswith("-----BEGIN") and os.path.isfile(value):
        with open(value) as f:
            value = f.read().strip()
    try:
        if value.startswith("-----BEGIN"):
            key = ser.load_pem_public_key(value.encode())
        else:
            key = ed.Ed25519PublicKey.from_public_bytes(base64.b64decode(value, validate=True))
    except (ValueError, TypeError, binascii.Error):
        raise CheckpointError(f"“{text[:80]}” is not an Ed25519 public key (base64 of 32 bytes, PEM, or a file of either)") from None
    if not isinstance(key, ed.Ed25519PublicKey):
        raise CheckpointError(f"“{text[:80]}” is a {type(key).__name__}, not an Ed25519 public key")
    return key


# --- checkpoints ----------------------------------------------------------------------------


@dataclass
class Checkpoint:
    entries: int
    head: str
    last_entry_id: int | None
    at: str
    key_id: str = ""
    sig: str = ""
    v: int = 1
    line: int = 0  # where it was read from (1-based), for the report

    def payload(self) -> dict:
        return {"v": self.v, "entries": self.entries, "head": self.head, "last_entry_id": self.last_entry_id,
                "at": self.at, "key_id": self.key_id}

    def message(self) -> bytes:
        return SIGNED_PREFIX + canonical_json(self.payload()).encode()

    def json_line(self) -> str:
        return canonical_json({**self.payload(), "sig": self.sig}) + "\n"

    def label(self) -> str:
        return f"checkpoint #{self.line} of {self.at} ({self.entries:,} entries)" if self.line else \
            f"checkpoint of {self.at} ({self.entries:,} entries)"


def beijing_now() -> str:
    return datetime.datetime.now(BEIJING).isoformat(timespec="seconds")


def sign(cp: Checkpoint, private) -> Checkpoint:
    cp.key_id = key_id(private.public_key())
    cp.sig = base64.b64encode(private.sign(cp.message())).decode()
    return cp


def signature_ok(cp: Checkpoint, public) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        public.verify(base64.b64decode(cp.sig, validate=True), cp.message())
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


@contextmanager
def one_snapshot():
    """Read the whole chain and its head as of one moment, so that postings committed while a
    walk of millions of entries runs neither break it nor get half-counted: one repeatable-read
    transaction on PostgreSQL (SQLite's read transaction is a snapshot already)."""
    if connection.in_atomic_block:  # already inside one (a test, a caller's transaction)
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def heads_at(counts) -> dict[int, tuple[int, str]]:
    """{entry count: (id, stored hash) of the entry with that sequence number}."""
    wanted = sorted({c for c in counts if c > 0})
    found = {}
    for i in range(0, len(wanted), 900):
        for entry_id, seq, h in Entry.objects.filter(seq__in=wanted[i:i + 900]).values_list("id", "seq", "hash"):
            found[seq] = (entry_id, h)
    return found


def read_file(path: str) -> list[Checkpoint]:
    """Every checkpoint in the file; a line that is not one is a refusal naming the line."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.readlines()
    except OSError as exc:
        raise CheckpointError(f"checkpoint file {path} cannot be read: {exc.strerror}") from None
    found = []
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or set(data) != set(FIELDS) or data["v"] != 1:
                raise ValueError("not a version 1 checkpoint")
            cp = Checkpoint(entries=int(data["entries"]), head=str(data["head"]),
                            last_entry_id=None if data["last_entry_id"] is None else int(data["last_entry_id"]),
                            at=str(data["at"]), key_id=str(data["key_id"]), sig=str(data["sig"]), line=number)
            if cp.entries < 0:
                raise ValueError("a negative entry count")
        except (ValueError, TypeError, KeyError) as exc:
            raise CheckpointError(f"{path} line {number} is not a checkpoint ({exc}): {text.strip()[:120]}") from None
        found.append(cp)
    return found


def append_line(path: str, cp: Checkpoint):
    """Append one line and fsync it (and the folder, when the file is new) before returning:
    a checkpoint that a crash could lose is no checkpoint. The file is only ever appended to
    (O_APPEND, under an exclusive lock, so two writers never interleave)."""
    new = not os.path.exists(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    except OSError as exc:
        raise CheckpointError(f"checkpoint file {path} cannot be opened for appending: {exc.strerror}; nothing was signed") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, cp.json_line().encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    if new:
        dfd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def take(path: str | None = None, private=None) -> Checkpoint:
    """Verify the chain, and when it holds and still matches the file's latest checkpoint,
    sign its head and append the checkpoint to the file.

    Refuses (CheckpointError, nothing written) without a key or a file, on a broken chain,
    and on a chain that no longer matches the last checkpoint signed: signing it then would
    bless the tampering the file exists to reveal.
    """
    private = private or signing_key()
    path = path or setting(CHECKPOINTS)
    if not path:
        raise CheckpointError(f"no checkpoint file configured: set {CHECKPOINTS} to the path of the file the auditor keeps; "
                              f"nothing was signed")
    previous = read_file(path) if os.path.exists(path) else []
    with one_snapshot():
        verdict = verify()
        if not verdict.ok:
            raise CheckpointError(f"the ledger chain is broken after {verdict.entries:,} good entries, so it is not signed: "
                                  f"{verdict.problem}")
        if previous:
            _still_matches(max(previous, key=lambda c: (c.entries, c.line)), private.public_key(), verdict.entries)
        last_id = Entry.objects.filter(seq=verdict.entries).values_list("id", flat=True).first() if verdict.entries else None
    cp = sign(Checkpoint(entries=verdict.entries, head=verdict.last_hash if verdict.entries else GENESIS,
                         last_entry_id=last_id, at=beijing_now()), private)
    append_line(path, cp)
    return cp


def _still_matches(last: Checkpoint, public, entries: int):
    """Refuse to sign a chain that differs from the latest checkpoint in the file. Its
    signature is checked when the current key made it (after a key change the old public
    key is the auditor's to check); its head is compared in any case."""
    problem = ""
    if last.key_id == key_id(public) and not signature_ok(last, public):
        problem = f"{last.label()} in the file does not carry a valid signature"
    elif last.entries > entries:
        problem = f"{last.label()}: the chain holds only {entries:,} entries now"
    elif last.entries:
        entry_id, head = heads_at([last.entries]).get(last.entries, (None, None))
        if (entry_id, head) != (last.last_entry_id, last.head):
            problem = (f"{last.label()}: at entry {last.entries:,} the chain's head is {head} (entry id={entry_id}), "
                       f"the checkpoint signed {last.head} (entry id={last.last_entry_id})")
    if problem:
        raise CheckpointError(f"the chain no longer matches the last checkpoint, so it is not signed (run "
                              f"`manage.py ledger verify --checkpoints`): {problem}")


@dataclass
class Report:
    checkpoints: int = 0
    entries: int = 0  # in the chain as stored
    problems: list[str] = field(default_factory=list)
    matched: int = 0
    last: Checkpoint | None = None  # the checkpoint with the most entries
    added: int = 0  # entries after the last checkpoint

    @property
    def ok(self) -> bool:
        return not self.problems

    def since_last(self) -> str:
        if self.last is None or not self.added:
            return "no entries added since the last checkpoint"
        return (f"{self.added:,} entries (sequence {self.last.entries + 1:,}–{self.entries:,}) added since the last checkpoint "
                f"of {self.last.at}: until the next checkpoint they rest on the chain alone")


def check(previous: list[Checkpoint], public_keys, entries: int) -> Report:
    """Check each checkpoint's signature and that the stored chain of `entries` entries has,
    at each checkpoint's entry count, the very head that was signed.

    A mismatch names the checkpoint and where the change lies: after the last checkpoint
    below it that still matches, up to its own entry count (both as sequence numbers and as
    entry ids).
    """
    keys = {key_id(k): k for k in public_keys}
    report = Report(checkpoints=len(previous), entries=entries)
    stored = heads_at(c.entries for c in previous)
    good_counts = [0]  # entry counts at which the chain is known to be as signed (0: the empty chain)
    verdicts = []
    for cp in sorted(previous, key=lambda c: (c.entries, c.line)):
        key = keys.get(cp.key_id)
        if key is None:
            verdicts.append((cp, f"{cp.label()} is signed by key {cp.key_id}, which was not given: "
                                 f"pass its public key with --public-key"))
            continue
        if not signature_ok(cp, key):
            verdicts.append((cp, f"{cp.label()}: the signature does not match its content (forged or altered line)"))
            continue
        if cp.entries == 0:
            if cp.head != GENESIS:
                verdicts.append((cp, f"{cp.label()}: signs an empty chain with head {cp.head}"))
            continue
        if cp.entries > entries:
            verdicts.append((cp, f"{cp.label()}: the chain holds only {entries:,} entries, so entries "
                                 f"{entries + 1:,}–{cp.entries:,} signed then were removed"))
            continue
        entry_id, head = stored.get(cp.entries, (None, None))
        if head != cp.head or entry_id != cp.last_entry_id:
            since = max(c for c in good_counts if c < cp.entries)
            first, last_id = _ids_of(since + 1), entry_id
            verdicts.append((cp, f"{cp.label()} does not match the chain: at entry {cp.entries:,} the chain's head is "
                                 f"{head} (entry id={entry_id}), the checkpoint signed {cp.head} (entry id={cp.last_entry_id}); "
                                 f"after the checkpoint was taken, one or more of entries {since + 1:,}–{cp.entries:,} "
                                 f"(ids {first}–{last_id}) or their postings or accounts were changed and the chain recomputed"))
            continue
        good_counts.append(cp.entries)
        report.matched += 1
    report.problems = [text for _cp, text in verdicts]
    if previous:
        report.last = max(previous, key=lambda c: (c.entries, c.line))
        report.added = max(0, entries - report.last.entries)
    return report


def _ids_of(seq: int):
    return Entry.objects.filter(seq=seq).values_list("id", flat=True).first()


def public_keys_for(given: list[str]) -> tuple[list, str]:
    """The public keys to verify with, and where they came from: those given, else
    XIEZUO_LEDGER_PUBLIC_KEY, else the one of the configured signing key (only on a
    machine that holds it; the auditor passes the key handed over at key generation)."""
    if given:
        return [load_public(g) for g in given], "given"
    configured = setting(PUBLIC_KEY)
    if configured:
        return [load_public(configured)], PUBLIC_KEY
    try:
        return [signing_key().public_key()], "the configured signing key"
    except CheckpointError:
        raise CheckpointError(f"no public key to verify the checkpoints with: pass --public-key (base64, PEM or a file) "
                              f"or set {PUBLIC_KEY}") from None


def verify_with(path: str, public_keys, chunk_size: int = 10_000, progress=None) -> tuple:
    """The plain chain verdict and the checkpoint report, both read from one snapshot."""
    checkpoints = read_file(path)
    if not checkpoints:
        raise CheckpointError(f"{path} holds no checkpoint")
    with one_snapshot():
        verdict = verify(chunk_size=chunk_size, progress=progress)
        stored = Entry.objects.count() if not verdict.ok else verdict.entries
        report = check(checkpoints, public_keys, stored)
    return verdict, report
