import re

from sandbox.domain.ids import derive_id


def test_ids_are_ten_letters_and_reproducible():
    ids = {derive_id("seed", n) for n in range(1000)}
    assert len(ids) == 1000 and all(re.fullmatch(r"[A-Za-z]{10}", i) for i in ids)
    assert derive_id("seed", 1) == derive_id("seed", 1) != derive_id("seed", 2)
