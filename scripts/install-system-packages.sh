#!/usr/bin/env bash
# Installs the Debian packages that the lab DC and the browser tests need, when any is missing.
set -euo pipefail

packages=(
  samba samba-ad-dc samba-ad-provision samba-dsdb-modules winbind krb5-user ldb-tools
  ldap-utils python3-gpg smbclient gnupg openssl iproute2 chromium
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "system packages missing: ${missing[*]}; install them as root with apt-get" >&2
  exit 1
fi

echo "system packages: installing ${missing[*]}"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
