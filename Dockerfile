# syntax=docker/dockerfile:1
#
# The Coda Changelog pipe: a static Go binary on Alpine with git.
# Build for both platforms from any machine:
#   docker buildx build --platform linux/amd64,linux/arm64 --build-arg VERSION=0.2.0 .
# Base images are pinned to patch versions that Docker's official images
# publish (image_test.go checks them); bump them on purpose, not by accident.
# Builder and runtime share one Alpine minor.

# The builder always runs on the build machine's own platform and
# cross-compiles for the target, so an arm64 image needs no emulated Go.
FROM --platform=$BUILDPLATFORM golang:1.26.7-alpine3.24 AS build
ARG TARGETOS TARGETARCH VERSION=dev
WORKDIR /src

# Modules first: this layer stays cached until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.version=$VERSION" -o /out/pipe .

FROM alpine:3.24.1
ARG VERSION=dev
LABEL org.opencontainers.image.title="Coda Changelog" \
      org.opencontainers.image.description="Bitbucket Pipelines pipe that publishes a build's changelog to Coda: table rows, release notes on a page, a webhook-invoked automation." \
      org.opencontainers.image.source="https://bitbucket.org/coda-changelog/coda-changelog" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.licenses="Apache-2.0"

# git reads the build's history at run time. The pipe passes
# -c safe.directory=*, which git accepts on the command line since 2.38;
# Alpine's git is far newer. ca-certificates is for HTTPS to Coda.
# Time zones need no tzdata package: the binary embeds them (time/tzdata).
RUN apk add --no-cache git ca-certificates

# The toolkits and Bitbucket read these from the image's root.
COPY pipe.yml README.md LICENSE.txt /
COPY --from=build /out/pipe /pipe

# No USER line, on purpose: Bitbucket runs pipes as the image's user, and
# the mounted clone (and OUTPUT_JSON's directory in it) must be writable,
# which it is for root. Official pipes run as root too. Locally, run it
# with docker run --user "$(id -u):$(id -g)" (see README.md).
ENTRYPOINT ["/pipe"]
