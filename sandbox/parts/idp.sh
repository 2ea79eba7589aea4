# shellcheck shell=bash
# The sandbox's identity provider: an OpenID Provider (npm oidc-provider, sandbox/src/idp.ts)
# on http://127.0.0.1:57300 with its own login form, for the portal's OIDC sign-in in
# production mode. Client `portal` (authorization code + PKCE); accounts: the catalog's Users
# with an email (catalog/org.yaml) and stranger@example.com, who is in no catalog; one
# password for all. Sourced by sandbox/sandbox.sh.

ALL_PARTS+=(idp)

IDP_PORT=57300
IDP_ISSUER="http://127.0.0.1:$IDP_PORT"
IDP_CLIENT_ID=portal
IDP_CLIENT_SECRET="${SANDBOX_OIDC_CLIENT_SECRET:-portal-sandbox-oidc-secret}"
IDP_PASSWORD="${SANDBOX_OIDC_PASSWORD:-sandbox-password}"
# Where the portal runs: behind nginx, and a single backend on its own.
IDP_PORTAL_BASES=(http://127.0.0.1:57080 http://localhost:57080 http://localhost:7007 http://127.0.0.1:7007)
IDP_RUN="$RUN/idp"

# What a running idp was started from: a change to any of it restarts it.
idp_fingerprint() {
  {
    cat "$REPO_ROOT/sandbox/src/idp.ts" "$REPO_ROOT/catalog/org.yaml"
    echo "$IDP_PORT $IDP_CLIENT_ID $IDP_CLIENT_SECRET $IDP_PASSWORD ${IDP_PORTAL_BASES[*]}"
  } | sha256sum | cut -d' ' -f1
}

idp_ready() {
  curl -sf "$IDP_ISSUER/.well-known/openid-configuration" | grep -q "\"issuer\":\"$IDP_ISSUER\""
}

up_idp() {
  ensure_tools
  local want
  want="$(idp_fingerprint)"
  if pid_alive "$IDP_RUN/pid" && idp_ready; then
    if [ "$(cat "$IDP_RUN/fingerprint" 2>/dev/null)" = "$want" ]; then
      log "idp: already running on $IDP_ISSUER"
      return 0
    fi
    log "idp: src/idp.ts, catalog/org.yaml or its settings changed: restarting"
  fi
  stop_pid "$IDP_RUN/pid"
  port_open "$IDP_PORT" && die "idp: port $IDP_PORT is taken by a process the sandbox did not start"
  mkdir -p "$IDP_RUN/state"
  if [ -s "$IDP_RUN/idp.log" ]; then mv "$IDP_RUN/idp.log" "$IDP_RUN/idp.previous.log"; fi
  : >"$IDP_RUN/idp.log"
  local bases=() base
  for base in "${IDP_PORTAL_BASES[@]}"; do bases+=(--portal-base "$base"); done
  start_bg "$IDP_RUN/pid" "$IDP_RUN/idp.log" env IDP_CLIENT_SECRET="$IDP_CLIENT_SECRET" \
    IDP_PASSWORD="$IDP_PASSWORD" node --no-warnings "$REPO_ROOT/sandbox/src/idp.ts" \
    --port "$IDP_PORT" --issuer "$IDP_ISSUER" --client-id "$IDP_CLIENT_ID" \
    --org "$REPO_ROOT/catalog/org.yaml" --state-dir "$IDP_RUN/state" "${bases[@]}"
  echo "$want" >"$IDP_RUN/fingerprint"
  # Ready once discovery answers; an idp that died fails at once, with its log.
  local t0=$SECONDS
  until idp_ready; do
    if ! pid_alive "$IDP_RUN/pid"; then
      tail -n 20 "$IDP_RUN/idp.log" >&2
      die "idp exited; log: $IDP_RUN/idp.log"
    fi
    if [ $((SECONDS - t0)) -ge 60 ]; then
      tail -n 20 "$IDP_RUN/idp.log" >&2
      die "idp did not become ready within 60s; log: $IDP_RUN/idp.log"
    fi
    sleep 0.5
  done
  log "idp: OpenID Provider on $IDP_ISSUER ($(sed -n 's/.*), \([0-9]*\) accounts.*/\1/p' "$IDP_RUN/idp.log") accounts; client $IDP_CLIENT_ID)"
}

down_idp() { stop_pid "$IDP_RUN/pid"; }

pids_idp() {
  if pid_alive "$IDP_RUN/pid"; then cat "$IDP_RUN/pid"; fi
  return 0
}

status_idp() {
  if pid_alive "$IDP_RUN/pid"; then
    echo "idp        running  pid $(cat "$IDP_RUN/pid")  $IDP_ISSUER"
  else echo "idp        stopped"; fi
}

env_idp() {
  cat <<EOF
export SANDBOX_OIDC_ISSUER=$IDP_ISSUER
export SANDBOX_OIDC_CLIENT_ID=$IDP_CLIENT_ID
export SANDBOX_OIDC_CLIENT_SECRET=$IDP_CLIENT_SECRET
export SANDBOX_OIDC_PASSWORD=$IDP_PASSWORD
EOF
}

logs_idp() { tail -n 50 "$IDP_RUN/idp.log"; }
