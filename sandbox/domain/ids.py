"""Record ids shaped like the real API's: ten ASCII letters, derived from a key so they are reproducible."""
from __future__ import annotations

import hashlib
import string

# byte -> letter, as one translation table: seeding 100,000 records derives half a million ids
_LETTERS = bytes(ord(string.ascii_letters[b % len(string.ascii_letters)]) for b in range(256))


def derive_id(*key: object) -> str:
    digest = hashlib.blake2b(":".join(map(str, key)).encode(), digest_size=16).digest()
    return digest[:10].translate(_LETTERS).decode("ascii")
