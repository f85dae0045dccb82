"""Record ids shaped like the real API's: ten ASCII letters, derived from a key so they are reproducible."""
from __future__ import annotations

import hashlib
import string

_LETTERS = string.ascii_letters


def derive_id(*key: object) -> str:
    digest = hashlib.blake2b(":".join(map(str, key)).encode(), digest_size=16).digest()
    return "".join(_LETTERS[b % len(_LETTERS)] for b in digest[:10])
