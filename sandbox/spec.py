"""openapi.yaml, loaded once: the contract the sandbox serves and validates request bodies against."""
from __future__ import annotations

from pathlib import Path

import yaml


def load(path: Path) -> tuple[str, dict]:
    text = path.read_text(encoding="utf-8")
    return text, yaml.safe_load(text)


def init_app(app) -> None:
    app.config["SPEC_TEXT"], app.config["SPEC"] = load(app.config["SANDBOX"].spec_path)
