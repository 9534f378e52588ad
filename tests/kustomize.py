"""A tiny, strict renderer for the kustomize subset deploy/k8s uses: `resources` (files and
directories), `patches` (strategic-merge patch files, target found by kind and name) and
`images` (newName/newTag). Lists of named items (containers, env, volumes) merge by `name`, as
kustomize's strategic merge does for those fields; other lists are replaced. A key outside that
subset is an error, so the manifests cannot drift into what this renderer would misread.
`kubectl apply -k` renders the same files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

KNOWN = {"apiVersion", "kind", "resources", "patches", "images"}
POD_SPEC_PATHS = (("spec", "template", "spec"),)


class Unsupported(ValueError):
    """Outside the subset: extend the renderer (and its tests), do not skip it."""


def load_all(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def render(directory: Path) -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8"))
    unknown = set(kustomization) - KNOWN
    if unknown:
        raise Unsupported(f"{directory}/kustomization.yaml: {sorted(unknown)}")
    docs: list[dict[str, Any]] = []
    for resource in kustomization.get("resources", []):
        path = directory / resource
        docs.extend(render(path) if path.is_dir() else load_all(path))
    for patch in kustomization.get("patches", []):
        if set(patch) != {"path"}:
            raise Unsupported(f"patch {patch}: only `path` (a strategic-merge patch file)")
        for change in load_all(directory / patch["path"]):
            target = find(docs, change["kind"], change["metadata"]["name"])
            merged = merge(target, change)
            target.clear()
            target.update(merged)
    for image in kustomization.get("images", []):
        for container in containers(docs):
            name, _, _tag = container["image"].partition(":")
            if name == image["name"]:
                tag = image.get("newTag", _tag)
                container["image"] = image.get("newName", name) + (f":{tag}" if tag else "")
    return docs


def find(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    matches = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    if len(matches) != 1:
        raise Unsupported(f"patch target {kind}/{name}: {len(matches)} matches")
    return matches[0]


def merge(base: Any, patch: Any) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        if "$patch" in patch:
            raise Unsupported("$patch directives")
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = merge(base[key], value) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(patch, list) and named(base) and named(patch):
        merged_list = [dict(item) for item in base]
        for item in patch:
            same = next((i for i, old in enumerate(merged_list) if old["name"] == item["name"]), None)
            if same is None:
                merged_list.append(item)
            else:
                merged_list[same] = merge(merged_list[same], item)
        return merged_list
    return patch


def named(items: list[Any]) -> bool:
    return all(isinstance(item, dict) and "name" in item for item in items)


def pod_specs(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for doc in docs:
        for path in POD_SPEC_PATHS:
            node: Any = doc
            for key in path:
                node = node.get(key) if isinstance(node, dict) else None
            if isinstance(node, dict):
                found.append(node)
    return found


def containers(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        c for spec in pod_specs(docs) for c in spec.get("containers", []) + spec.get("initContainers", [])
    ]
