"""deploy/k8s validates against Kubernetes' own schemas (kubernetes-validate, offline) and wires the cluster the
way the contract says: children in a StatefulSet with their ordinal as token index, a headless Service the parent
resolves, native gRPC probes on the children's health port."""

from __future__ import annotations

import copy
from typing import Any

import kubernetes_validate
import pytest
from platform_files import k8s_documents

KUBERNETES_VERSION = "1.30.0"  # the oldest release still supported upstream; grpc probes are GA since 1.27
DOCUMENTS = k8s_documents()


def _kind(kind: str, name: str) -> dict[str, Any]:
    return next(doc for _, doc in DOCUMENTS if doc["kind"] == kind and doc["metadata"]["name"] == name)


def _container(workload: dict[str, Any]) -> dict[str, Any]:
    (container,) = workload["spec"]["template"]["spec"]["containers"]
    return container


@pytest.mark.parametrize("version", [KUBERNETES_VERSION, kubernetes_validate.latest_version()])
@pytest.mark.parametrize(("path", "doc"), DOCUMENTS, ids=[f"{p.name}:{d['kind']}" for p, d in DOCUMENTS])
def test_every_manifest_validates_strictly(path: object, doc: dict[str, Any], version: str) -> None:
    kubernetes_validate.validate(doc, version, strict=True)
    assert "namespace" not in doc["metadata"]  # the operator picks it with -n


def test_the_validator_rejects_a_broken_probe() -> None:
    broken = copy.deepcopy(_kind("StatefulSet", "azura-child"))
    _container(broken)["livenessProbe"]["grpc"]["port"] = "grpc"  # a gRPC probe needs a number
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_children_take_their_ordinal_and_are_found_through_a_headless_service() -> None:
    children = _kind("StatefulSet", "azura-child")
    service = _kind("Service", children["spec"]["serviceName"])
    assert service["spec"]["clusterIP"] == "None"
    assert service["spec"]["publishNotReadyAddresses"] is True  # the parent links a child before it is ready
    labels = children["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    container = _container(children)
    env = {item["name"]: item for item in container["env"]}
    assert env["AZURA_CHILD_ORDINAL"]["valueFrom"]["fieldRef"]["fieldPath"] == (
        "metadata.labels['apps.kubernetes.io/pod-index']")
    assert env["AZURA_BIND_HOST"]["value"] == "::"
    port = int(env["PORT"]["value"])
    assert [p["containerPort"] for p in container["ports"]] == [port]
    config = _kind("ConfigMap", "azura-config")["data"]
    assert config["AZURA_CHILDREN"] == f"all:{service['metadata']['name']}:{port}"
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["grpc"]["port"] == port, probe


def test_every_azura_pod_reads_the_config_and_secret_runs_as_non_root_with_limits() -> None:
    secret = _kind("Secret", "azura-secrets")
    assert {"AZURA_PARENT_TOKEN", "AZURA_CHILD_TOKENS", "AZURA_CLUSTER_SECRET"} <= set(secret["stringData"])
    for workload in (_kind("Deployment", "azura-parent"), _kind("StatefulSet", "azura-child")):
        container = _container(workload)
        sources = {next(iter(ref.values()))["name"] for ref in container["envFrom"]}
        assert sources == {"azura-config", "azura-secrets"}
        assert workload["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        resources = container["resources"]
        assert resources["requests"]["memory"] and resources["limits"]["memory"]
    parent = _kind("Deployment", "azura-parent")
    assert parent["spec"]["replicas"] == 1 and parent["spec"]["strategy"]["type"] == "Recreate"
    assert _container(parent)["command"] == ["python", "-m", "azura_parent"]
