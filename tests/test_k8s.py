"""deploy/k8s: every rendered manifest validates offline — Kubernetes objects against the
Kubernetes JSON schemas that `kubernetes-validate` ships (strict: no unknown field), KEDA's
against its own CRD schemas (vendored in tests/schemas/keda, Apache-2.0) — and the manifests
agree with the code: probes, ports, queue names, users, written paths, Secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from rq import Queue

from bots.backends.files import cache_dir
from core.botdef import load_bot
from core.model.config import with_env
from core.model.contract import ModelKeys
from skills.knowledge.setup import default_index_path
from tests import dockerfs, kustomize

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "k8s"
KEDA = ROOT / "tests" / "schemas" / "keda"
VERSIONS = ("1.30.0", kubernetes_validate.utils.latest_version())
RENDERS = {"base": K8S / "base", "gpu": K8S / "overlays" / "gpu", "vllm": K8S / "overlays" / "vllm"}
IMAGES = {
    "switchboard-hub": "hub.Dockerfile",
    "switchboard-worker": "worker.Dockerfile",
    "switchboard-worker-gpu": "worker-gpu.Dockerfile",
}


def rendered(name: str) -> list[dict[str, Any]]:
    return kustomize.render(RENDERS[name])


def secrets_example() -> list[dict[str, Any]]:
    return kustomize.load_all(K8S / "secrets.example.yaml")


def one(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return kustomize.find(docs, kind, name)


def crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> the served version's openAPIV3Schema, from the vendored CRDs."""
    schemas = {}
    for path in sorted(KEDA.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text(encoding="utf-8"))
        for version in crd["spec"]["versions"]:
            if version["served"]:
                key = (f"{crd['spec']['group']}/{version['name']}", crd["spec"]["names"]["kind"])
                schemas[key] = version["schema"]["openAPIV3Schema"]
    return schemas


def unknown_fields(value: Any, schema: dict[str, Any], where: str = "") -> list[str]:
    """Fields the API server would reject under strict field validation (kubectl's default)."""
    if isinstance(value, dict) and "properties" in schema:
        found = []
        for key, item in value.items():
            if key in schema["properties"]:
                found.extend(unknown_fields(item, schema["properties"][key], f"{where}.{key}"))
            elif (
                not schema.get("x-kubernetes-preserve-unknown-fields")
                and "additionalProperties" not in schema
            ):
                found.append(f"{where}.{key}")
        return found
    if isinstance(value, list) and "items" in schema:
        return [
            p for i, item in enumerate(value) for p in unknown_fields(item, schema["items"], f"{where}[{i}]")
        ]
    return []


def validate_custom(doc: dict[str, Any]) -> None:
    schema = crd_schemas()[(doc["apiVersion"], doc["kind"])]
    jsonschema.Draft7Validator(schema).validate(doc)
    assert not unknown_fields(doc, schema), unknown_fields(doc, schema)


@pytest.mark.parametrize("name", sorted(RENDERS))
def test_every_rendered_manifest_validates_against_its_schema(name):
    docs = rendered(name)
    custom = [d for d in docs if d["apiVersion"].startswith("keda.sh/")]
    for doc in docs:
        if doc in custom:
            validate_custom(doc)
            continue
        for version in VERSIONS:
            kubernetes_validate.validate(doc, version, strict=True)
    if name == "gpu":
        assert {d["kind"] for d in custom} == {"ScaledObject", "TriggerAuthentication"}


def test_the_secrets_example_validates_and_holds_every_key_the_manifests_read():
    examples = secrets_example()
    for doc in examples:
        for version in VERSIONS:
            kubernetes_validate.validate(doc, version, strict=True)
    keys = {(s["metadata"]["name"], k) for s in examples for k in s["stringData"]}
    names = {s["metadata"]["name"] for s in examples}
    for render in RENDERS:
        docs = rendered(render)
        for container in kustomize.containers(docs):
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert (ref["name"], ref["key"]) in keys, ref
            for source in container.get("envFrom", []):
                assert source["secretRef"]["name"] in names
        for auth in (d for d in docs if d["kind"] == "TriggerAuthentication"):
            for ref in auth["spec"]["secretTargetRef"]:
                assert (ref["name"], ref["key"]) in keys, ref


def test_a_strict_check_catches_a_typo():
    deployment = one(rendered("base"), "Deployment", "switchboard-hub")
    deployment["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.utils.ValidationError):
        kubernetes_validate.validate(deployment, VERSIONS[-1], strict=True)
    scaled = one(rendered("gpu"), "ScaledObject", "switchboard-worker")
    scaled["spec"]["minReplicasCount"] = 1
    with pytest.raises(AssertionError, match="minReplicasCount"):
        validate_custom(scaled)


def test_the_hub_is_probed_on_readyz_and_healthz_and_served_on_the_images_port():
    docs = rendered("base")
    hub = one(docs, "Deployment", "switchboard-hub")
    pod = hub["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    port = next(p for p in container["ports"] if p["name"] == "http")
    image = dockerfs.read((ROOT / "docker" / "hub.Dockerfile").read_text(encoding="utf-8"))
    assert str(port["containerPort"]) == image.env["SWITCHBOARD_HTTP_PORT"]
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    labels = pod["metadata"]["labels"]
    service = one(docs, "Service", "switchboard-hub")
    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    pdb = one(docs, "PodDisruptionBudget", "switchboard-hub")
    assert (
        pdb["spec"]["selector"]["matchLabels"].items() <= labels.items() and pdb["spec"]["minAvailable"] >= 1
    )
    hpa = one(docs, "HorizontalPodAutoscaler", "switchboard-hub")
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "switchboard-hub",
    }
    assert (
        hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"] > pdb["spec"]["minAvailable"]
    )  # drains work


def test_gpu_workers_request_a_gpu_and_keda_scales_them_on_the_queue_the_hub_fills():
    docs = rendered("gpu")
    worker = one(docs, "Deployment", "switchboard-worker")
    (container,) = worker["spec"]["template"]["spec"]["containers"]
    assert container["image"].startswith("switchboard-worker-gpu:")
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"
    env = {e["name"]: e.get("value", "") for e in container["env"]}
    assert env["SWITCHBOARD_MODEL_DEVICE"] == "gpu"
    scaled = one(docs, "ScaledObject", "switchboard-worker")
    assert scaled["spec"]["scaleTargetRef"]["name"] == worker["metadata"]["name"]
    triggers = scaled["spec"]["triggers"]
    assert {trigger["type"] for trigger in triggers} == {"redis"}
    spec = with_env(load_bot(env["SWITCHBOARD_BOT"]).model, env).specs()[0]
    prefix = env.get("SWITCHBOARD_KEY_PREFIX") or "sb"
    lists = [Queue.redis_queue_namespace_prefix + name for name in ModelKeys(prefix).queues(spec.name)]
    assert [trigger["metadata"]["listName"] for trigger in triggers] == lists  # every priority lane
    assert lists[-1] == "rq:queue:sb-model-smollm2"
    assert scaled["spec"]["minReplicaCount"] >= 1  # no worker: the hub does not enqueue at all
    for trigger in triggers:
        auth = one(docs, "TriggerAuthentication", trigger["authenticationRef"]["name"])
        assert {ref["parameter"] for ref in auth["spec"]["secretTargetRef"]} == {"address", "password"}


def ours(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Switchboard's own Deployments (not the vLLM server's)."""
    return [
        d
        for d in docs
        if d["kind"] == "Deployment"
        and d["spec"]["template"]["spec"]["containers"][0]["image"].split(":")[0] in IMAGES
    ]


def plain_env(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}


@pytest.mark.parametrize("name", sorted(RENDERS))
def test_the_workers_serve_the_model_the_hubs_ask_for(name):
    docs = rendered(name)
    hub = one(docs, "Deployment", "switchboard-hub")["spec"]["template"]["spec"]["containers"][0]
    worker = one(docs, "Deployment", "switchboard-worker")["spec"]["template"]["spec"]["containers"][0]
    hub_env, worker_env = plain_env(hub), plain_env(worker)
    asked = with_env(load_bot(hub_env["SWITCHBOARD_BOT"]).model, hub_env).specs()[0]
    served = with_env(load_bot(worker_env["SWITCHBOARD_BOT"]).model, worker_env).specs()[0]
    assert served.name == asked.name
    if served.backend == "openai":  # the vLLM overlay: the workers reach the server's Service
        service = one(docs, "Service", "switchboard-vllm")
        server = one(docs, "Deployment", "switchboard-vllm")
        (container,) = server["spec"]["template"]["spec"]["containers"]
        options = dict(zip(container["args"][::2], container["args"][1::2], strict=True))
        port = service["spec"]["ports"][0]
        assert served.base_url == f"http://{service['metadata']['name']}:{port['port']}/v1"
        assert str(port["port"]) == options["--port"] and served.remote_model == options["--model"]
        assert service["spec"]["selector"].items() <= server["spec"]["template"]["metadata"]["labels"].items()
        assert container["readinessProbe"]["httpGet"]["path"] == "/health"
        assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"


@pytest.mark.parametrize("name", sorted(RENDERS))
def test_pods_run_as_the_images_user_and_write_only_to_their_volumes(name, monkeypatch):
    for deployment in ours(rendered(name)):
        spec = deployment["spec"]["template"]["spec"]
        (container,) = spec["containers"]
        image = dockerfs.read((ROOT / "docker" / IMAGES[container["image"].split(":")[0]]).read_text("utf-8"))
        security = spec["securityContext"]
        assert security["runAsNonRoot"] is True
        assert (security["runAsUser"], security["runAsGroup"], security["fsGroup"]) == (image.uid,) * 3
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        mounts = [m["mountPath"] for m in container["volumeMounts"]]
        volumes = {v["name"] for v in spec["volumes"] if "emptyDir" in v or "persistentVolumeClaim" in v}
        assert {m["name"] for m in container["volumeMounts"]} <= volumes
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
        for key, value in image.env.items():
            monkeypatch.setenv(key, value)
        # the vault key comes from a Secret, never a file here; `switchboard chat` is not run here
        written = [cache_dir(), default_index_path(load_bot("assistant"), []), Path("/tmp")]
        env_names = {e["name"] for e in container["env"]}
        if "SWITCHBOARD_VAULT_KEY" not in env_names:
            assert deployment["metadata"]["name"] == "switchboard-worker"  # workers never see the vault
        for path in written:
            assert any(path.is_relative_to(mount) for mount in mounts), (deployment["metadata"]["name"], path)


def test_workers_finish_their_job_before_the_grace_period_ends():
    timeout = load_bot("assistant").model.job_timeout_s
    for name in RENDERS:
        worker = one(rendered(name), "Deployment", "switchboard-worker")
        assert worker["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > timeout
        env = {e["name"]: e for e in worker["spec"]["template"]["spec"]["containers"][0]["env"]}
        cpus = env["SWITCHBOARD_MODEL_THREADS"]["valueFrom"]["resourceFieldRef"]  # the limit, not the node
        assert cpus["resource"] == "limits.cpu" and cpus["containerName"] == "worker"


def test_the_renderer_refuses_what_it_does_not_know(tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources: []\nconfigMapGenerator: []\n", encoding="utf-8")
    with pytest.raises(kustomize.Unsupported, match="configMapGenerator"):
        kustomize.render(tmp_path)
    assert kustomize.merge(
        {"env": [{"name": "A", "value": "1"}]}, {"env": [{"name": "B", "value": "2"}]}
    ) == {"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}
    assert kustomize.merge({"args": ["a"]}, {"args": ["b"]}) == {"args": ["b"]}
