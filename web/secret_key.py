"""The key that signs sessions, form tokens and feed links: kept apart from `web.security` because the
`archive` command reports its errors, and importing Flask would slow every command's start."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

SECRET_KEY_FILE = "secret_key"
SECRET_KEY_ENV = "ARCHIVE_SECRET_KEY_FILE"


class SecretKeyError(RuntimeError):
    """The shared key file named by $ARCHIVE_SECRET_KEY_FILE cannot be used; the message says why."""


def shared_secret_key(path: Path) -> bytes:
    """The key every node of one archive signs with (sessions, form tokens, feed links), from a file the
    operator made (e.g. `openssl rand -hex 32`); never made here, so that no node starts with a key of its own."""
    try:
        key = Path(path).read_bytes().strip()
    except OSError as exc:
        raise SecretKeyError(f"the secret key file {path} ({SECRET_KEY_ENV}) cannot be read: "
                             f"{exc.strerror or exc}") from None
    if len(key) < 32:
        raise SecretKeyError(f"the secret key file {path} ({SECRET_KEY_ENV}) holds {len(key)} bytes; it needs at "
                             "least 32 random ones, e.g. made by `openssl rand -hex 32`")
    return key


def secret_key(data_root: Path, shared: str | None = None) -> bytes:
    """The key that signs sessions: the shared file if one is named, else made on first run and kept in the
    data folder readable by its owner only."""
    if shared:
        return shared_secret_key(Path(shared))
    path = Path(data_root) / SECRET_KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "w") as out:  # O_EXCL: when two workers start at once, one writes, both read it
        out.write(secrets.token_hex(32))
    return path.read_bytes().strip()
