# keyroll operator image.
#   docker build -t keyroll:0.1.0 .
# Build stage: Debian 12 with the project's own dependency script (one list of packages,
# scripts/install-deps), then a Release build of the `keyroll` binary only.
# Runtime stage: debian:12-slim with just the shared libraries keyroll links against.

# Runtime shared libraries (Debian 12 package names). The build stage checks with ldd that
# these (plus what the slim base already has) cover every library the binary needs.
ARG RUNTIME_PACKAGES="ca-certificates tzdata libssl3 libyaml-cpp0.7 libspdlog1.10 libfmt9 \
libcpp-httplib0.11 libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 libdate-tz3 libzstd1"

FROM debian:12 AS build
ARG RUNTIME_PACKAGES
COPY scripts/install-deps /tmp/install-deps
RUN /tmp/install-deps && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
 && cmake --build /build -j"$(nproc)" --target keyroll \
 && strip /build/operator/keyroll \
 && install -m 0755 /build/operator/keyroll /usr/local/bin/keyroll
# Fail the build if the binary needs a library that neither RUNTIME_PACKAGES nor `provided`
# (in the slim base image, or pulled in as dependencies of RUNTIME_PACKAGES) supplies.
RUN set -eu; missing=""; \
    provided="libc6 libgcc-s1 libstdc++6 zlib1g libzstd1 liblzma5 libbrotli1 libcivetweb1"; \
    for lib in $(ldd /usr/local/bin/keyroll | awk '/=>/ {print $3}'); do \
      real=$(readlink -f "$lib"); \
      pkg=$( (dpkg -S "$real" || dpkg -S "${real#/usr}") 2>/dev/null | head -n1 | cut -d: -f1); \
      case " $RUNTIME_PACKAGES $provided " in *" $pkg "*) ;; *) missing="$missing $lib($pkg)";; esac; \
    done; \
    if [ -n "$missing" ]; then echo "runtime libraries not in RUNTIME_PACKAGES:$missing" >&2; exit 1; fi

FROM debian:12-slim
ARG RUNTIME_PACKAGES
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $RUNTIME_PACKAGES \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/keyroll /usr/local/bin/keyroll
# The same non-root user as the manifests' securityContext (runAsUser 65532).
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["/usr/local/bin/keyroll"]
