#!/usr/bin/env bash
# Installs what a fresh machine lacks: npm packages, and (as root) the Debian tools the builds and tests run.
# Idempotent and quiet when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/nx ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ensure-deps: npm ci"
  npm ci --no-audit --no-fund
fi

# tool -> Debian package
declare -A PKG=(
  [buildah]=buildah [podman]=podman [skopeo]=skopeo [docker-registry]=docker-registry
  [debootstrap]=debootstrap [fuse-overlayfs]=fuse-overlayfs [qemu-aarch64-static]=qemu-user-static
  [update-binfmts]=binfmt-support
)
missing=()
for tool in "${!PKG[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${PKG[$tool]}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "ensure-deps: apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "ensure-deps: missing ${missing[*]} (install them with apt-get as root)" >&2
    exit 1
  fi
fi

# The distroless stand-in (tools/base-image) resolves Debian packages with a private apt state signed by this keyring.
if [ ! -f /usr/share/keyrings/debian-archive-keyring.gpg ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "ensure-deps: apt-get install debian-archive-keyring"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debian-archive-keyring >/dev/null
  else
    echo "ensure-deps: missing /usr/share/keyrings/debian-archive-keyring.gpg (apt-get install debian-archive-keyring as root)" >&2
    exit 1
  fi
fi
