#!/bin/sh
# Runs before nginx starts (the nginx image runs /docker-entrypoint.d/*.sh): without a certificate
# in /etc/nginx/certs (the `certs` volume), makes a self-signed one for TLS_HOSTNAME, so the proxy
# is HTTPS from the first start. A real certificate put there (tls.crt, tls.key) is kept.
set -eu
dir="${TLS_DIR:-/etc/nginx/certs}"
if [ ! -s "$dir/tls.crt" ] || [ ! -s "$dir/tls.key" ]; then
  host="${TLS_HOSTNAME:-localhost}"
  umask 077
  openssl req -x509 -newkey rsa:3072 -sha256 -nodes -days 825 \
    -keyout "$dir/tls.key" -out "$dir/tls.crt" \
    -subj "/CN=$host" -addext "subjectAltName=DNS:$host" >/dev/null 2>&1
  chmod 600 "$dir/tls.key"
  chmod 644 "$dir/tls.crt"
  echo "web-tls: made a self-signed certificate for $host in $dir (replace it with a real one: docker/README.md)"
fi
