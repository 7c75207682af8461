"""The history key: HMAC keys kept outside the database (Art. 15(3)).

Someone who can write the database must not be able to rewrite a history and recompute
its chain, so every event (and every audit-log line, and every checkpoint) is signed
with HMAC-SHA256 under a key the database never holds. The keys come from the
environment (``FUZHI_HISTORY_KEYS``) or, in the embedded default, from a file beside
the database that is generated on first use (``var/history_keys``, mode 0600). Each key
has an id; every signature records the id of the key that made it, so a rotation adds
a key and keeps the old ones for verifying what they signed (docs/reliability.md).

Format, in the file or the variable (lines, or ``;`` between entries)::

    k1:<base64 of at least 32 random bytes>
    k2:<...>          <- the last entry is the current key
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
MIN_KEY_BYTES = 32


class KeyringError(Exception):
    """The history keys are missing or malformed: nothing is signed or verified without them."""


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, bytes]
    current_id: str

    def sign(self, payload: bytes, key_id: str | None = None) -> str:
        """HMAC-SHA256 of ``payload`` under ``key_id`` (default: the current key), hex."""
        key = self.keys[key_id or self.current_id]
        return hmac.new(key, payload, hashlib.sha256).hexdigest()

    def verifies(self, payload: bytes, key_id: str, signature: str) -> bool:
        """True when ``signature`` is this keyring's signature of ``payload`` under ``key_id``."""
        if key_id not in self.keys:
            return False
        return hmac.compare_digest(self.sign(payload, key_id), signature)


def parse(text: str, source: str) -> Keyring:
    """Read keyring entries; refuse anything short of a usable keyring, naming the source."""
    keys: dict[str, bytes] = {}
    current = ""
    for raw in re.split(r"[;\n]", text):
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        key_id, sep, encoded = entry.partition(":")
        if not sep or not KEY_ID.match(key_id.strip()):
            raise KeyringError(f"{source}: an entry is not '<id>:<base64 key>'")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except ValueError:
            raise KeyringError(f"{source}: key {key_id} is not base64") from None
        if len(key) < MIN_KEY_BYTES:
            raise KeyringError(f"{source}: key {key_id} is shorter than {MIN_KEY_BYTES} bytes")
        if key_id.strip() in keys:
            raise KeyringError(f"{source}: key id {key_id} appears twice")
        current = key_id.strip()
        keys[current] = key
    if not keys:
        raise KeyringError(f"{source}: no key")
    return Keyring(keys=keys, current_id=current)


def new_entry(key_id: str) -> str:
    if not KEY_ID.match(key_id):
        raise KeyringError(f"{key_id!r} is not a key id (letters, digits, _ and -, 1–16)")
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(MIN_KEY_BYTES)).decode()}"


def _key_file() -> Path:
    return Path(settings.FUZHI_HISTORY_KEY_FILE)


def _from_environment() -> str:
    return str(getattr(settings, "FUZHI_HISTORY_KEYS", "") or "")


def _create_file(path: Path) -> None:
    """The embedded default's first key, written once even if two processes race."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as out:
        out.write(new_entry("k1") + "\n")


_cache: dict[tuple[str, float, str], Keyring] = {}


def keyring() -> Keyring:
    """The keys in force. Re-read when the file changes, so a rotation reaches every
    process of the host without a restart (an environment change needs a restart)."""
    configured = _from_environment()
    if configured:
        cache_key = ("env", 0.0, configured)
        if cache_key not in _cache:
            _cache[cache_key] = parse(configured, "FUZHI_HISTORY_KEYS")
        return _cache[cache_key]
    path = _key_file()
    if not path.exists():
        _create_file(path)
    cache_key = (str(path), path.stat().st_mtime, "")
    if cache_key not in _cache:
        _cache.clear()
        _cache[cache_key] = parse(path.read_text(), str(path))
    return _cache[cache_key]


def rotate() -> str:
    """Append a new current key to the key file and return its id; the old keys stay, to
    verify what they signed. Keys given in the environment are rotated by whoever sets
    them: ``manage.py history_key new`` prints an entry to append."""
    if _from_environment():
        raise KeyringError(
            "the history keys come from FUZHI_HISTORY_KEYS: append the entry printed by "
            "'manage.py history_key new' to it and restart"
        )
    ring = keyring()
    key_id = next_id(ring)
    with _key_file().open("a") as out:
        out.write(new_entry(key_id) + "\n")
    return key_id


def next_id(ring: Keyring) -> str:
    numbers = [int(k[1:]) for k in ring.keys if re.fullmatch(r"k\d+", k)]
    return f"k{max(numbers, default=0) + 1}"
