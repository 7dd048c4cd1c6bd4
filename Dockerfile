# keyroll operator image, for those with Docker:
#   docker build -t keyroll:0.1.0 --build-arg REVISION=$(git rev-parse HEAD) .
# Without a container engine, scripts/image builds the same image with buildah (CI does).
# Build stage: Debian 12 with the project's own dependency script (one list of packages,
# scripts/install-deps --build-only), a Release build of the `keyroll` binary, then
# scripts/image-rootfs lays out the runtime root filesystem: the stripped binary, the Debian
# shared libraries `ldd` says it loads, CA certificates, tzdata, a passwd entry for 65532 and
# the packages' copyright files. Runtime stage: that root filesystem alone, FROM scratch.

FROM debian:12 AS build
COPY scripts/install-deps /tmp/install-deps
RUN /tmp/install-deps --build-only && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
 && cmake --build /build -j"$(nproc)" --target keyroll \
 && scripts/image-rootfs /build/operator/keyroll /rootfs

FROM scratch
# Keep VERSION equal to scripts/version (tests/manifests/version_test.cpp checks it).
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE=https://keyroll.dev
COPY --from=build /rootfs /
LABEL org.opencontainers.image.title="keyroll" \
      org.opencontainers.image.description="Rotates provider signing keys in Kubernetes Secrets" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}"
# The same non-root user as the manifests' securityContext (runAsUser 65532).
USER 65532:65532
EXPOSE 8080/tcp 8081/tcp
ENTRYPOINT ["/usr/local/bin/keyroll"]
