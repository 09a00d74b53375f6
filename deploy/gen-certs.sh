#!/usr/bin/env bash
# Creates a private CA and a serving certificate for the netpolc admission webhook, and renders the
# webhook registration (validating-webhook.yaml) with that CA as its caBundle. See docs/deploy.md.
set -euo pipefail

readonly NAMESPACE=netpolc-system
readonly SERVICE=netpolc-webhook
readonly SECRET=netpolc-webhook-tls
readonly PLACEHOLDER='${CA_BUNDLE}'

usage() {
  cat <<EOF
Usage: gen-certs.sh [options] [OUTDIR]

Creates a private CA and a serving certificate for the webhook Service
${SERVICE}.${NAMESPACE}.svc with openssl, and renders the webhook registration
with the CA as its caBundle.

  OUTDIR           output directory (default ./certs; created if missing)

Options:
  --san NAME|IP    an extra subjectAltName (repeatable), e.g. --san 127.0.0.1
                   --san localhost to test the server locally
  --days N         validity of the serving certificate, in days (default 365)
  --ca-days N      validity of a new CA, in days (default 3650)
  --new-ca         make a new CA even when OUTDIR already has one (ca.crt and
                   ca.key); by default it is reused, so that the caBundle stays
                   the same when the serving certificate is renewed
  --template FILE  the webhook registration to render (default:
                   validating-webhook.yaml beside this script); every
                   ${PLACEHOLDER} in it becomes the base64 of ca.crt
  -h, --help       show this help

Environment:
  EXTRA_SANS       more extra subjectAltNames, separated by commas or spaces

Writes to OUTDIR: ca.crt, ca.key (private: it signs renewals), tls.crt,
tls.key, validating-webhook.yaml (rendered); prints the commands that install
them.

Exit status: 0 done; 1 failure (openssl, files); 2 usage error; 3 openssl is
not installed.
EOF
}

die() {
  local code=$1
  shift
  printf 'gen-certs.sh: %s\n' "$*" >&2
  exit "$code"
}

usage_error() {
  printf 'gen-certs.sh: %s\n' "$*" >&2
  printf "Try 'gen-certs.sh --help'.\n" >&2
  exit 2
}

# --- arguments (builtins only until openssl is found) ---------------------------------------------

out=./certs
out_set=0
days=365
ca_days=3650
new_ca=0
template=
sans=()

need_value() {
  [[ $# -ge 2 && -n $2 ]] || usage_error "$1 needs a value"
}

while [[ $# -gt 0 ]]; do
  case $1 in
    -h | --help)
      usage
      exit 0
      ;;
    --san)
      need_value "$@"
      sans+=("$2")
      shift 2
      ;;
    --san=*)
      sans+=("${1#*=}")
      shift
      ;;
    --days)
      need_value "$@"
      days=$2
      shift 2
      ;;
    --days=*)
      days=${1#*=}
      shift
      ;;
    --ca-days)
      need_value "$@"
      ca_days=$2
      shift 2
      ;;
    --ca-days=*)
      ca_days=${1#*=}
      shift
      ;;
    --new-ca)
      new_ca=1
      shift
      ;;
    --template)
      need_value "$@"
      template=$2
      shift 2
      ;;
    --template=*)
      template=${1#*=}
      shift
      ;;
    --)
      shift
      break
      ;;
    -*)
      usage_error "unknown option: $1"
      ;;
    *)
      [[ $out_set -eq 0 ]] || usage_error "more than one OUTDIR: $1"
      out=$1
      out_set=1
      shift
      ;;
  esac
done
if [[ $# -gt 0 ]]; then
  [[ $out_set -eq 0 && $# -eq 1 ]] || usage_error "more than one OUTDIR"
  out=$1
fi
[[ -n $out ]] || usage_error "OUTDIR is empty"

[[ $days =~ ^[1-9][0-9]*$ ]] || usage_error "--days must be a positive number of days: $days"
[[ $ca_days =~ ^[1-9][0-9]*$ ]] || usage_error "--ca-days must be a positive number of days: $ca_days"

if [[ -n ${EXTRA_SANS:-} ]]; then
  read -r -a extra <<<"${EXTRA_SANS//,/ }"
  sans+=(${extra[@]+"${extra[@]}"})
fi

# The names the API servers use for the Service (they call https://SERVICE.NAMESPACE.svc:443), then
# the extra ones. IP addresses become IP entries, the rest DNS entries; anything else is refused
# (it would otherwise end up in openssl's configuration).
dns=("$SERVICE" "$SERVICE.$NAMESPACE" "$SERVICE.$NAMESPACE.svc" "$SERVICE.$NAMESPACE.svc.cluster.local")
ips=()

# True when $1 is one of the other arguments.
contains() {
  local want=$1 have
  shift
  for have in "$@"; do
    [[ $have == "$want" ]] && return 0
  done
  return 1
}

for san in ${sans[@]+"${sans[@]}"}; do
  if [[ $san =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}$ || ($san =~ ^[0-9A-Fa-f:.]+$ && $san == *:*) ]]; then
    contains "$san" ${ips[@]+"${ips[@]}"} || ips+=("$san")
  elif [[ $san =~ ^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$ ]]; then
    contains "$san" "${dns[@]}" || dns+=("$san")
  else
    usage_error "not a DNS name or IP address: '$san'"
  fi
done

if [[ -z $template ]]; then
  case ${BASH_SOURCE[0]} in
    */*) here=${BASH_SOURCE[0]%/*} ;;
    *) here=. ;;
  esac
  template=$here/validating-webhook.yaml
fi

command -v openssl >/dev/null 2>&1 ||
  die 3 "openssl not found: install it (Debian/Ubuntu: apt-get install openssl; macOS: brew install openssl)"

# --- certificates ---------------------------------------------------------------------------------

[[ -f $template && -r $template ]] || die 1 "template not found: $template"
# The template without its leading comment block (which is about the template), then the placeholder.
tpl=$(awk 'body || !/^#/ { body = 1; print }' "$template") || die 1 "cannot read $template"
[[ $tpl == *"$PLACEHOLDER"* ]] || die 1 "template has no $PLACEHOLDER placeholder: $template"

mkdir -p -- "$out" || die 1 "cannot create $out"
work=$(mktemp -d "${TMPDIR:-/tmp}/netpolc-certs.XXXXXX") || die 1 "cannot create a temporary directory"
trap 'rm -rf -- "$work"' EXIT
umask 077

# Runs openssl quietly; on failure shows what it said and exits 1.
ossl() {
  if ! openssl "$@" >"$work/openssl.log" 2>&1; then
    cat "$work/openssl.log" >&2
    die 1 "openssl $1 failed"
  fi
}

if [[ $new_ca -eq 0 && -f $out/ca.crt && -f $out/ca.key ]]; then
  printf 'Reusing the CA in %s (--new-ca for a new one)\n' "$out" >&2
  cp -- "$out/ca.crt" "$work/ca.crt"
  cp -- "$out/ca.key" "$work/ca.key"
  ossl x509 -noout -in "$work/ca.crt"
else
  if [[ $new_ca -eq 0 && (-f $out/ca.crt || -f $out/ca.key) ]]; then
    die 1 "$out has only one of ca.crt and ca.key: restore the other, or pass --new-ca"
  fi
  cat >"$work/ca.cnf" <<EOF
[req]
prompt = no
distinguished_name = dn
x509_extensions = v3_ca
[dn]
CN = $SERVICE-ca
[v3_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
  ossl req -x509 -new -config "$work/ca.cnf" -newkey rsa:2048 -nodes -sha256 -days "$ca_days" \
    -keyout "$work/ca.key" -out "$work/ca.crt"
fi

{
  cat <<EOF
[req]
prompt = no
distinguished_name = dn
[dn]
CN = $SERVICE.$NAMESPACE.svc
[v3_req]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
subjectAltName = @alt_names
[alt_names]
EOF
  for i in "${!dns[@]}"; do printf 'DNS.%d = %s\n' "$((i + 1))" "${dns[$i]}"; done
  for i in ${ips[@]+"${!ips[@]}"}; do printf 'IP.%d = %s\n' "$((i + 1))" "${ips[$i]}"; done
} >"$work/tls.cnf"

ossl req -new -config "$work/tls.cnf" -newkey rsa:2048 -nodes -sha256 \
  -keyout "$work/tls.key" -out "$work/tls.csr"
ossl x509 -req -in "$work/tls.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" \
  -CAserial "$work/ca.srl" -CAcreateserial -days "$days" -sha256 \
  -extfile "$work/tls.cnf" -extensions v3_req -out "$work/tls.crt"
ossl verify -CAfile "$work/ca.crt" "$work/tls.crt"

# The rendered registration: the placeholder replaced by the base64 of the CA certificate.
ca_bundle=$(openssl base64 -A -in "$work/ca.crt")
[[ -n $ca_bundle ]] || die 1 "cannot encode ca.crt"
# (Unquoted replacement and no patsub_replacement: the same on bash 3.2 to 5.2; base64 has no '&'.)
shopt -u patsub_replacement 2>/dev/null || true
rendered=${tpl//"$PLACEHOLDER"/$ca_bundle}
{
  printf '# Rendered by gen-certs.sh from %s: the caBundle is the base64 of ca.crt.\n' "$template"
  printf '# Apply it once the Deployment is ready (docs/deploy.md).\n'
  printf '%s\n' "$rendered"
} >"$work/validating-webhook.yaml"

chmod 600 "$work/ca.key" "$work/tls.key"
chmod 644 "$work/ca.crt" "$work/tls.crt" "$work/validating-webhook.yaml"
for f in ca.crt ca.key tls.crt tls.key validating-webhook.yaml; do
  mv -f -- "$work/$f" "$out/$f" || die 1 "cannot write $out/$f"
done

q() { printf '%q' "$1"; }
all_sans=$(printf 'DNS:%s ' "${dns[@]}")
[[ ${#ips[@]} -eq 0 ]] || all_sans+=$(printf 'IP:%s ' "${ips[@]}")
cat <<EOF
Wrote $(q "$out")/{ca.crt,ca.key,tls.crt,tls.key,validating-webhook.yaml}
Serving certificate for: ${all_sans% }

Install, from the repository's root (the secret command also replaces an existing Secret, e.g. after
a renewal: the pods reload the certificate):
  kubectl apply -f deploy/namespace.yaml
  kubectl -n $NAMESPACE create secret tls $SECRET \\
    --cert=$(q "$out/tls.crt") --key=$(q "$out/tls.key") --dry-run=client -o yaml | kubectl apply -f -
  kubectl apply -k deploy/
  kubectl -n $NAMESPACE rollout status deployment/$SERVICE
  kubectl apply -f $(q "$out/validating-webhook.yaml")
EOF
