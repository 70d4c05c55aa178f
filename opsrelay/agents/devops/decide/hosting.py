"""Where production runs: cloud provider, region and runtime platform."""

from __future__ import annotations

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decide.common import AssumptionLog, find_items, refs
from opsrelay.agents.devops.decisions import CloudProvider, HostingDecision, PlatformDecision
from opsrelay.facts.model import QAFacts


def decide_hosting(facts: QAFacts, notes: AssumptionLog) -> HostingDecision:
    """Cloud provider and region: the one QA names, else AWS as a recorded assumption."""
    for item in facts.stack:
        provider = kb.cloud_of(item.name)
        if provider:
            cloud = kb.CLOUDS[provider]
            texts = [(s.evidence, s.evidence.text) for s in facts.stack] + [
                (e.evidence, e.evidence.text) for e in facts.environments
            ]
            found = next(((ev, r) for ev, t in texts if (r := kb.region_in(t, provider))), None)
            if found is not None:
                region_ev, region = found
                dr = kb.dr_region_for(provider, region)
                notes.add(
                    "Disaster-recovery region",
                    f"Backup copies and disaster recovery use {cloud.name} region {dr}.",
                    "QA names the primary region only; the DR region should be far enough away for regional "
                    "failures and allowed by data-residency rules.",
                )
                return HostingDecision(
                    provider=provider,
                    provider_name=cloud.name,
                    region=region,
                    dr_region=dr,
                    rationale=f"QA evidence names {cloud.name} region {region}; production stays where QA "
                    "tested.",
                    basis="qa_fact",
                    evidence=refs([item.evidence, region_ev]),
                )
            notes.add(
                "Region",
                f"Production runs in {cloud.name} region {cloud.region}, with backup copies in "
                f"{cloud.dr_region}.",
                "QA names the provider but not a region; pick the region closest to users and data-residency "
                "rules.",
            )
            return HostingDecision(
                provider=provider,
                provider_name=cloud.name,
                region=cloud.region,
                dr_region=cloud.dr_region,
                rationale=f"QA evidence names {cloud.name}; production stays on the provider QA tested "
                "against.",
                basis="qa_fact",
                evidence=refs([item.evidence]),
            )
    cloud = kb.CLOUDS["aws"]
    notes.add(
        "Hosting",
        f"Production is hosted on AWS in {cloud.region} (disaster-recovery copies in {cloud.dr_region}).",
        "The QA report names no cloud provider; AWS is the most common default and every service used "
        "here has a direct equivalent on Google Cloud and Azure.",
    )
    return HostingDecision(
        provider="aws",
        provider_name=cloud.name,
        region=cloud.region,
        dr_region=cloud.dr_region,
        rationale="No provider in the QA evidence; AWS chosen as a portable default with managed "
        "equivalents.",
        basis="assumption",
        evidence=[],
    )


def decide_platform(facts: QAFacts, provider: CloudProvider, notes: AssumptionLog) -> PlatformDecision:
    """Runtime platform: Kubernetes or servers when QA shows them, else a managed container platform."""
    cloud = kb.CLOUDS[provider]
    k8s = find_items(facts, kb.KUBERNETES_MARKERS)
    mobile = find_items(facts, kb.MOBILE_MARKERS)
    containers = find_items(facts, kb.CONTAINER_MARKERS)
    mobile_release: str | None = None
    also = list(getattr(facts.software_kind, "also", []))
    if mobile or "mobile" in also:  # the facts may see a mobile app beside the backend without a stack name
        native = any(kb.norm(s.name) in ("flutter", "dart", "kotlin", "swift") for s in facts.stack)
        mobile_release = (
            "EAS Build produces signed iOS and Android binaries; EAS Submit uploads them to TestFlight / "
            "App Store Connect and to the Google Play internal track, then a phased (iOS) and staged "
            "(Android) rollout"
        )
        if native:
            # Flutter and native apps build with their own toolchain; fastlane uploads to the stores.
            mobile_release = (
                "the app's own toolchain builds signed store binaries (App Bundle / IPA); fastlane uploads "
                "them to the Google Play internal track and TestFlight, then a staged (Android) and phased "
                "(iOS) rollout"
            )
        elif not any(kb.norm(m.name) in ("expo", "eas") for m in mobile):
            notes.add(
                "Mobile release tooling",
                "Mobile binaries are built and submitted with Expo EAS Build/Submit.",
                "QA names a mobile app but not its build tooling; EAS fits React Native/Expo projects and "
                "can be replaced by Fastlane without changing the release flow.",
            )
    if k8s:
        openshift = [s for s in k8s if kb.norm(s.name) in ("openshift", "ocp", "redhatopenshift")]
        service = "Red Hat OpenShift (Kubernetes)" if openshift else cloud.kubernetes
        if not openshift and not any(kb.norm(s.name) in ("eks", "gke", "aks") for s in k8s):
            notes.add(
                "Kubernetes distribution",
                f"The Kubernetes cluster is {cloud.kubernetes}.",
                "QA names Kubernetes but not which distribution; the provider's managed control plane "
                "removes control-plane operations from the team.",
            )
        return PlatformDecision(
            kind="kubernetes",
            service=service,
            mobile_release=mobile_release,
            rationale="QA evidence shows the services already run on Kubernetes (manifests/Helm); production "
            "keeps the same deployment units.",
            basis="qa_fact",
            evidence=refs(s.evidence for s in k8s),
        )
    vm = find_items(facts, kb.VM_MARKERS)
    if vm:
        tool = vm[0].name
        service = f"{cloud.name} virtual machines running the backend under {tool} behind nginx"
        notes.add(
            "Runtime platform",
            f"The backend keeps running on virtual machines under {tool}, with nginx in front; the VMs are "
            f"in {cloud.name}.",
            f"QA evidence shows the backend managed by {tool} on a server; the guide keeps that model and "
            "adds a second process slot for blue-green switches.",
        )
        return PlatformDecision(
            kind="vm",
            service=service,
            mobile_release=mobile_release,
            rationale=f"QA evidence shows the backend running under {tool} on a server.",
            basis="qa_fact",
            evidence=refs(s.evidence for s in vm),
        )
    evidence = refs(s.evidence for s in containers + mobile)
    if containers:
        reason = (
            "QA ran the services as Docker containers; a managed container platform runs the same images "
            "with load balancing and autoscaling, without operating a Kubernetes cluster."
        )
    else:
        reason = (
            "QA does not say how the service is packaged; containers on a managed platform are the "
            "lowest-operations default and keep environments identical."
        )
    notes.add(
        "Runtime platform",
        f"Backend services run as containers on {cloud.container_paas}.",
        reason,
    )
    return PlatformDecision(
        kind="container_paas",
        service=cloud.container_paas,
        mobile_release=mobile_release,
        rationale=reason,
        basis="assumption",
        evidence=evidence,
    )
