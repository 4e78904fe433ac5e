# syntax=docker/dockerfile:1
#
# The Coda Changelog pipe: a static Go binary on Alpine with git.
# Build for both platforms from any machine:
#   docker buildx build --platform linux/amd64,linux/arm64 --build-arg VERSION=0.1.0 .
# Base images are pinned to patch versions; bump them on purpose, not by accident.

# The builder always runs on the build machine's own platform and
# cross-compiles for the target, so an arm64 image needs no emulated Go.
FROM --platform=$BUILDPLATFORM golang:1.26.8-alpine3.22 AS build
ARG TARGETOS TARGETARCH VERSION=dev
WORKDIR /src

# Modules first: this layer stays cached until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download

COPY . .
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.version=$VERSION" -o /out/pipe .

FROM alpine:3.22.2
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
# which it is for root. Official pipes run as root too.
ENTRYPOINT ["/pipe"]
