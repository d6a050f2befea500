#!/usr/bin/env bash
# Downloads an openai-casb release for this runner, checks it against the
# release's checksums.txt, and puts the binary in $INSTALL_DIR (default
# $RUNNER_TEMP/openai-casb/bin, else ./openai-casb-bin). Used by action.yml;
# runs anywhere with bash, curl, tar or unzip, and sha256sum or shasum.
#
#   VERSION=1.2.3 action/install.sh
#
# VERSION is a released version (1.2.3 or v1.2.3). OS and ARCH default to
# this machine's. RELEASE_BASE_URL defaults to the GitHub releases of
# REPOSITORY (openai-casb/openai-casb).
set -euo pipefail

version="${VERSION:?set VERSION to a released version, e.g. 1.2.3}"
version="${version#v}"
repository="${REPOSITORY:-openai-casb/openai-casb}"
base="${RELEASE_BASE_URL:-https://github.com/${repository}/releases/download}"

os="$(printf %s "${OS:-$(uname -s)}" | tr '[:upper:]' '[:lower:]')"
case "$os" in
  linux) ext=tar.gz ;;
  darwin|macos) os=darwin ext=tar.gz ;;
  windows|mingw*|msys*|cygwin*) os=windows ext=zip ;;
  *) echo "openai-casb install: unsupported OS $os" >&2; exit 2 ;;
esac
arch="${ARCH:-$(uname -m)}"
case "$arch" in
  x86_64|amd64|X64|x64) arch=amd64 ;;
  aarch64|arm64|ARM64) arch=arm64 ;;
  *) echo "openai-casb install: unsupported architecture $arch (releases are amd64 and arm64)" >&2; exit 2 ;;
esac

archive="openai-casb_${version}_${os}_${arch}.${ext}"
dir="${INSTALL_DIR:-${RUNNER_TEMP:-.}/openai-casb/bin}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fetch() { curl --fail --silent --show-error --location --retry 3 --output "$2" "$1"; }
fetch "$base/v${version}/checksums.txt" "$work/checksums.txt"
fetch "$base/v${version}/${archive}" "$work/${archive}"

want="$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$work/checksums.txt")"
if [ -z "$want" ]; then
  echo "openai-casb install: $archive is not in the release's checksums.txt" >&2
  exit 1
fi
if command -v sha256sum >/dev/null; then
  got="$(sha256sum "$work/$archive" | awk '{print $1}')"
else
  got="$(shasum -a 256 "$work/$archive" | awk '{print $1}')"
fi
if [ "$got" != "$want" ]; then
  echo "openai-casb install: checksum mismatch for $archive: got $got, checksums.txt says $want" >&2
  exit 1
fi

mkdir -p "$dir"
case "$ext" in
  tar.gz) tar -xzf "$work/$archive" -C "$work" openai-casb && mv "$work/openai-casb" "$dir/" ;;
  zip) unzip -q -o "$work/$archive" openai-casb.exe -d "$work" && mv "$work/openai-casb.exe" "$dir/" ;;
esac
echo "openai-casb install: $archive (sha256 $got) in $dir"
if [ -n "${GITHUB_PATH:-}" ]; then
  echo "$dir" >> "$GITHUB_PATH"
fi
