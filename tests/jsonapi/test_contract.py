"""openapi.yaml's catalogue-derived parts are exactly what the catalogue renders."""
import dataclasses
import subprocess

import yaml

from sandbox import catalogue
from sandbox.catalogue import BOOLEAN, RESOURCES
from sandbox.jsonapi import contract
from sandbox.settings import DATA, ROOT

from ..support import sandbox_command

SPEC = ROOT / "openapi.yaml"


def test_the_committed_spec_is_what_the_catalogue_renders():
    text = SPEC.read_text()
    assert contract.render(text) == text, "openapi.yaml is stale: run `make spec`"
    assert subprocess.run(sandbox_command("spec", "--check"), capture_output=True).returncode == 0


def test_a_field_added_to_the_catalogue_reaches_the_spec_by_regeneration(monkeypatch, tmp_path):
    copies = RESOURCES["order_copies"]
    changed = dataclasses.replace(copies, attributes={**copies.attributes, "priority_lane": BOOLEAN},
                                  sortable=(*copies.sortable, "priority_lane"),
                                  filterable={**copies.filterable, "priority_lane": BOOLEAN})
    monkeypatch.setitem(catalogue.RESOURCES, "order_copies", changed)
    rendered = contract.render(SPEC.read_text())
    components = yaml.safe_load(rendered)["components"]
    assert components["schemas"]["OrderCopyAttributes"]["properties"]["priority_lane"] == {"type": ["boolean", "null"]}
    assert "|priority_lane)(?:,-?(?:" in components["parameters"]["orderCopySort"]["schema"]["pattern"]
    assert "priority_lane" in components["parameters"]["fields"]["schema"]["properties"]["order_copies"]["pattern"]
    assert any("|priority_lane)" in key and key.endswith("_(?:eq|not_eq|true|false)$")
               for key in components["schemas"]["OrderCopyConditions"]["patternProperties"])
    # the check command fails on a stale file
    stale = tmp_path / "openapi.yaml"
    stale.write_text(rendered.replace("priority_lane", "something_else"))
    result = subprocess.run(sandbox_command("spec", "--check", str(stale)), capture_output=True, text=True)
    assert result.returncode == 1 and "sandbox spec" in result.stderr


def test_the_package_ships_the_same_spec_people_read():
    assert (DATA / "openapi.yaml").read_text() == SPEC.read_text()
