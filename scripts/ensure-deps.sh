#!/usr/bin/env bash
# Installs what a fresh machine lacks: npm packages, and (as root) the Debian tools the builds and tests run.
# Idempotent and quiet when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -L node_modules ]; then
  # A symlinked node_modules is another checkout's install: npm ci would empty it through the link.
  [ -x node_modules/.bin/nx ] || { echo "ensure-deps: node_modules links to an install without nx" >&2; exit 1; }
elif [ ! -x node_modules/.bin/nx ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ensure-deps: npm ci"
  npm ci --no-audit --no-fund
fi

# node_modules/@lucid/nx-lucid: Nx then finds this workspace's plugin as a package (one set of plugin workers per
# command, executors without a transpiler); the forwarders load tools/nx-lucid of whichever workspace Nx runs in.
node tools/nx-lucid/scripts/link-workspace.js

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

# BuildKit + buildx for the buildx e2e, from ../shared/tools/buildkit (read-only there), installed under .lucid/
# (never ~/.docker/cli-plugins: engine `auto` would then pick buildx for every build on the machine).
# Reinstalled when the shared checksums change. The e2e starts its own buildkitd and registry.
buildkit_src=${LUCID_BUILDKIT_SOURCE:-../shared/tools/buildkit}
buildkit_prefix=.lucid/buildkit
if [ -f "$buildkit_src/install.sh" ]; then
  if [ ! -x "$buildkit_prefix/bin/buildkitd" ] || ! cmp -s "$buildkit_src/SHA256SUMS" "$buildkit_prefix/SHA256SUMS"; then
    echo "ensure-deps: BuildKit from $buildkit_src into $buildkit_prefix"
    (cd "$buildkit_src" && sha256sum -c --quiet SHA256SUMS)
    bash "$buildkit_src/install.sh" "$buildkit_prefix" >/dev/null
    cp "$buildkit_src/SHA256SUMS" "$buildkit_prefix/SHA256SUMS"
  fi
else
  # A plain clone has no ../shared: the buildx e2e then skips (and fails under LUCID_REQUIRE_ALL_SUITES=1).
  echo "ensure-deps: $buildkit_src not found: the buildx e2e will be skipped (set LUCID_BUILDKIT_SOURCE to provide BuildKit)" >&2
fi
