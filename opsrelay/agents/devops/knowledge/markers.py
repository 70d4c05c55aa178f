"""Stack-name markers for platforms and tools: Kubernetes, mobile, canary tooling, test runners."""

from __future__ import annotations

from opsrelay.agents.devops.knowledge.names import norm

MOBILE_MARKERS = ("expo", "reactnative", "testflight", "appstore", "googleplay", "flutter", "ios", "android")


KUBERNETES_MARKERS = ("kubernetes", "k8s", "openshift", "ocp", "eks", "gke", "aks", "helm", "k3s")


CANARY_MARKERS = ("argorollouts", "flagger", "istio", "linkerd", "canary")


CONTAINER_MARKERS = ("docker", "dockercompose", "podman", "containerd")


VM_MARKERS = ("pm2", "systemd", "supervisord")


# First word of a test command → where the pipeline runs it.
LOAD_TEST_TOOLS = ("k6", "artillery", "locust", "jmeter", "gatling")


MOBILE_E2E_TOOLS = ("maestro", "detox")


def has_marker(name: str, markers: tuple[str, ...]) -> bool:
    """Whether a normalised stack name equals or starts with one of the markers."""
    key = norm(name)
    return any(key == m or key.startswith(m) for m in markers)
