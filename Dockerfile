# syntax=docker/dockerfile:1
# cto container image: the standalone linux executable with the pinned Pulumi CLI and kubectl.
#
# Build context: the repository after `npm run release:build` (the image takes the linux archive
# from release/, so the image runs exactly the binary the GitHub Release ships):
#   npm run release:build
#   docker buildx build --platform linux/amd64,linux/arm64 -t cto:dev .
# Run: docker run --rm -v "$PWD:/work" cto:dev config validate -f /work/cto.yaml
#
# Versions: PULUMI_VERSION matches @pulumi/pulumi in package.json; KUBECTL_VERSION matches the
# Kubernetes version the project tests against (toolchain/). Bump them together with those.

# Base image: a dated Debian tag (Docker Hub keeps those fixed); the same in all three stages.
FROM debian:bookworm-20251229-slim AS tools
ARG TARGETARCH
ARG PULUMI_VERSION=3.276.0
ARG KUBECTL_VERSION=1.36.1
# Debian package versions are left to the dated base image's archive (pinning them breaks the build
# as soon as Debian publishes a security update); the tools that matter are pinned below.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /tmp/tools
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# Each download is checked against the checksum file its publisher releases beside it.
RUN case "${TARGETARCH}" in amd64) parch=x64 ;; arm64) parch=arm64 ;; *) echo "unsupported ${TARGETARCH}"; exit 1 ;; esac \
    && base="https://github.com/pulumi/pulumi/releases/download/v${PULUMI_VERSION}" \
    && tarball="pulumi-v${PULUMI_VERSION}-linux-${parch}.tar.gz" \
    && curl -fsSLO "${base}/${tarball}" \
    && curl -fsSLO "${base}/pulumi-${PULUMI_VERSION}-checksums.txt" \
    && grep " ${tarball}\$" "pulumi-${PULUMI_VERSION}-checksums.txt" | sha256sum -c - \
    && tar -xzf "${tarball}" \
    && mkdir -p /opt/pulumi && mv pulumi/* /opt/pulumi/
RUN curl -fsSLO "https://dl.k8s.io/release/v${KUBECTL_VERSION}/bin/linux/${TARGETARCH}/kubectl" \
    && curl -fsSLO "https://dl.k8s.io/release/v${KUBECTL_VERSION}/bin/linux/${TARGETARCH}/kubectl.sha256" \
    && echo "$(cat kubectl.sha256)  kubectl" | sha256sum -c - \
    && install -m 0755 kubectl /usr/local/bin/kubectl

FROM debian:bookworm-20251229-slim AS cto
ARG TARGETARCH
COPY release/ /tmp/release/
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN case "${TARGETARCH}" in amd64) arch=x64 ;; arm64) arch=arm64 ;; *) echo "unsupported ${TARGETARCH}"; exit 1 ;; esac \
    && archive="$(find /tmp/release -maxdepth 1 -name "cto-*-linux-${arch}.tar.gz" | head -n 1)" \
    && test -n "${archive}" \
    && (cd /tmp/release && grep " $(basename "${archive}")\$" SHA256SUMS | sha256sum -c -) \
    && mkdir -p /opt/cto \
    && tar -xzf "${archive}" -C /opt/cto --strip-components=1

FROM debian:bookworm-20251229-slim
LABEL org.opencontainers.image.title="cto" \
      org.opencontainers.image.description="Installer for the CTO multi-agent development platform" \
      org.opencontainers.image.licenses="Apache-2.0"
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates git openssh-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 --user-group cto
COPY --from=tools /opt/pulumi/ /usr/local/bin/
COPY --from=tools /usr/local/bin/kubectl /usr/local/bin/kubectl
COPY --from=cto /opt/cto/ /opt/cto/
RUN ln -s /opt/cto/cto /usr/local/bin/cto
USER 10001:10001
WORKDIR /home/cto
ENV CTO_HOME=/home/cto/.cto \
    PULUMI_SKIP_UPDATE_CHECK=true
ENTRYPOINT ["cto"]
CMD ["--help"]
