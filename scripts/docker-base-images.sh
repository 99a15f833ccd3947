#!/usr/bin/env bash
# Local stand-ins for the Dockerfile's two base images, for machines that cannot reach their registry
# (mcr.microsoft.com), so that the unchanged Dockerfile and `docker compose up --build` still build:
#
#   scripts/docker-base-images.sh      (as root, with a running Docker engine, debootstrap and Debian's mirror)
#
# Each is a Debian 12 root filesystem made with debootstrap plus this machine's .NET (the whole SDK for
# the build stage, only the .NET and ASP.NET Core runtimes for the runtime stage) and this machine's CA
# bundle, imported and tagged under the name the Dockerfile uses by default. Like Microsoft's images they
# set APP_UID and have its unprivileged `app` user (UID 1654). An image already present (pulled, or made
# by an earlier run) is left alone. Where the registry answers, nothing here is needed.
set -euo pipefail

sdk_image="${SDK_IMAGE:-mcr.microsoft.com/dotnet/sdk:10.0}"
runtime_image="${RUNTIME_IMAGE:-mcr.microsoft.com/dotnet/aspnet:10.0}"
suite=bookworm
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
app_uid=1654

present() { docker image inspect "$1" >/dev/null 2>&1; }

if present "$sdk_image" && present "$runtime_image"; then
  echo "base images present: $sdk_image, $runtime_image"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || { echo "run as root: debootstrap and chroot need it" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install debootstrap" >&2; exit 1; }
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# What .NET needs beyond the minimal base: ICU for globalization, OpenSSL for TLS, CA certificates, time zones.
echo "debootstrap $suite into $work/base (a minute or two)"
debootstrap --variant=minbase --include=ca-certificates,libicu72,libssl3,tzdata "$suite" "$work/base" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
# This machine's CA bundle: NuGet may be reached through a TLS-inspecting proxy whose CA only the host trusts.
cp /etc/ssl/certs/ca-certificates.crt "$work/base/etc/ssl/certs/ca-certificates.crt"
echo "app:x:$app_uid:$app_uid::/home/app:/usr/sbin/nologin" >>"$work/base/etc/passwd"
echo "app:x:$app_uid:" >>"$work/base/etc/group"
mkdir -p "$work/base/home/app"
chown "$app_uid:$app_uid" "$work/base/home/app"
rm -rf "$work/base/var/cache/apt/archives/"*.deb "$work/base/var/lib/apt/lists/"*

# $1 image name, $2 root filesystem, then the .NET folders to copy into it, then --change arguments after "--".
import_image() {
  local image="$1" root="$2"
  shift 2
  mkdir -p "$root/usr/share/dotnet"
  while [ "$1" != "--" ]; do
    mkdir -p "$root/usr/share/dotnet/$(dirname "$1")"
    cp -a "$dotnet_root/$1" "$root/usr/share/dotnet/$1"
    shift
  done
  shift
  ln -sf /usr/share/dotnet/dotnet "$root/usr/bin/dotnet"
  tar -C "$root" -c . | docker import "$@" - "$image" >/dev/null
  echo "imported $image"
}

common=(
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  --change "ENV APP_UID=$app_uid"
  --change "ENV DOTNET_RUNNING_IN_CONTAINER=true"
  --change "ENV ASPNETCORE_HTTP_PORTS=8080"
)

if ! present "$runtime_image"; then
  cp -a "$work/base" "$work/runtime"
  import_image "$runtime_image" "$work/runtime" \
    dotnet host shared/Microsoft.NETCore.App shared/Microsoft.AspNetCore.App LICENSE.txt -- "${common[@]}"
fi

if ! present "$sdk_image"; then
  sdk_env=("${common[@]}" --change "ENV DOTNET_NOLOGO=1" --change "ENV DOTNET_CLI_TELEMETRY_OPTOUT=1")
  # Where this machine cannot check a package signature's revocation online, neither can the build stage.
  if [ -n "${NUGET_CERT_REVOCATION_MODE:-}" ]; then
    sdk_env+=(--change "ENV NUGET_CERT_REVOCATION_MODE=$NUGET_CERT_REVOCATION_MODE")
  fi
  mv "$work/base" "$work/sdk"
  import_image "$sdk_image" "$work/sdk" \
    . -- "${sdk_env[@]}"
fi
