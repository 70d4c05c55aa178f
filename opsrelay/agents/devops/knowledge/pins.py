"""GitHub Actions used in generated pipelines, each pinned to the full commit SHA of a release tag."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActionPin:
    """A GitHub Action pinned to a full commit SHA, with the release tag it corresponds to."""

    repo: str
    sha: str
    tag: str

    def uses(self) -> str:
        """Return the ``uses:`` value, e.g. ``actions/checkout@11bd…``."""
        return f"{self.repo}@{self.sha}"


CHECKOUT = ActionPin("actions/checkout", "11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2")


SETUP_NODE = ActionPin("actions/setup-node", "49933ea5288caeca8642d1e84afbd3f7d6820020", "v4.4.0")


SETUP_PYTHON = ActionPin("actions/setup-python", "a26af69be951a213d495a4c3e4e4022e16d87065", "v5.6.0")


SETUP_JAVA = ActionPin("actions/setup-java", "c5195efecf7bdfc987ee8bae7a71cb8b11521c00", "v4.7.1")


SETUP_DOTNET = ActionPin("actions/setup-dotnet", "67a3573c9a986a3f9c594539f4ab511d57bb3ce9", "v4.3.1")


SETUP_GO = ActionPin("actions/setup-go", "d35c59abb061a4a6fb18e82ac0862c26744d6ab5", "v5.5.0")


# Setup actions for the toolchains added in issue 9; each SHA is the commit its tag points to.
# dtolnay/rust-toolchain publishes no release tags: the pin is a commit of its master branch.
RUST_TOOLCHAIN = ActionPin(
    "dtolnay/rust-toolchain", "3c5f7ea28cd621ae0bf5283f0e981fb97b8a7af9", "master 2026-03-27"
)


SETUP_RUBY = ActionPin("ruby/setup-ruby", "0dafeac902942906541bc140009cdbf32665b601", "v1.315.0")


SETUP_BUN = ActionPin("oven-sh/setup-bun", "0c5077e51419868618aeaa5fe8019c62421857d6", "v2.2.0")


FLUTTER_ACTION = ActionPin("subosito/flutter-action", "1a449444c387b1966244ae4d4f8c696479add0b2", "v2.23.0")


UPLOAD_ARTIFACT = ActionPin("actions/upload-artifact", "ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2")


DOWNLOAD_ARTIFACT = ActionPin(
    "actions/download-artifact", "d3f86a106a0bac45b974a628896c90dbdf5c8093", "v4.3.0"
)


COSIGN_INSTALLER = ActionPin(
    "sigstore/cosign-installer", "d7d6bc7722e3daa8354c50bcb52f4837da5e9b6a", "v3.8.1"
)


AWS_CREDENTIALS = ActionPin(
    "aws-actions/configure-aws-credentials", "e3dd6a429d7300a6a4c196c26e071d42e0343502", "v4.0.2"
)


GCP_AUTH = ActionPin("google-github-actions/auth", "6fc4af4b145ae7821d527454aa9bd537d1f2dc5f", "v2.1.7")


AZURE_LOGIN = ActionPin("azure/login", "a457da9ea143d694b1b9c7c869ebb04ebe844ef5", "v2.3.0")


TRIVY_IMAGE = "aquasec/trivy:0.56.2"
