# Sourced by bin/aimesh and bench/run: the JDK 25+ ahead-of-time caches of the long-running commands.
#
# A proxy uses its own cache when `bin/aimesh aot-train` has made one for this build (aimesh-proxy.aot): trained
# on a proxy carrying requests, it holds the classes of the data path and the method profiles the JIT gathered
# there (JEP 515), so the optimizing compiler starts at once instead of after a minute of traffic. Otherwise a
# proxy, like the control plane and `up`, uses the start-up cache below.
#
# It holds the classes of proxy, control plane and `up` already loaded and linked (and profiles for the
# compiler), which halves the start-up of a proxy (bench/results). A JVM uses it only when the jars are
# the very ones it was made from, so it is remade after every build, by one `aimesh up --once` of the
# quickstart with the same JVM options.

# aot_cache JAVA ROOT FLAGS...: sets AOT_CACHE to a usable cache, making it first when missing or older
# than the distribution; returns 1 when there is none (the training run failed; its log says why).
aot_cache() {
  local java="$1" root="$2"; shift 2
  local lib="$root/aimesh-cli/target/dist/lib" cache="$root/aimesh-cli/target/dist/aimesh.aot"
  local log="$root/aimesh-cli/target/dist/aimesh-aot-training.log" data
  if [ ! -f "$cache" ] || [ -n "$(find "$lib" -newer "$cache" -print -quit)" ]; then
    echo "aimesh: preparing the start-up cache (once per build, about 15 s; AIMESH_AOT=off skips it)..." >&2
    rm -f "$cache"
    data="$(mktemp -d)"
    if ! "$java" "$@" -Xmx256m "-XX:AOTCacheOutput=$cache.$$" -cp "$lib/*" dev.aimesh.cli.Main \
        up "$root/examples/quickstart" --once --data-dir "$data" >"$log" 2>&1; then
      echo "aimesh: the start-up cache could not be made (see $log); starting without it" >&2
      rm -rf "$data" "$cache.$$"
      return 1
    fi
    rm -rf "$data"
    mv "$cache.$$" "$cache"
  fi
  AOT_CACHE="$cache"
}

# proxy_aot_cache ROOT: sets AOT_CACHE to the proxy's trained cache when there is one at least as new as every
# jar; returns 1 otherwise (saying why when it is stale).
proxy_aot_cache() {
  local lib="$1/aimesh-cli/target/dist/lib" cache="$1/aimesh-cli/target/dist/aimesh-proxy.aot"
  [ -f "$cache" ] || return 1
  if [ -n "$(find "$lib" -newer "$cache" -print -quit)" ]; then
    echo "aimesh: the proxy's trained cache is older than the build (bin/aimesh aot-train remakes it);" \
         "using the start-up cache" >&2
    return 1
  fi
  AOT_CACHE="$cache"
}

# aot_train_proxy JAVA ROOT FLAGS...: the training run of the proxy's cache. ProxyTraining starts a control
# plane and an upstream in its own JVM and one proxy, with FLAGS (those a proxy runs with) and
# -XX:AOTCacheOutput, that serves AIMESH_AOT_TRAINING_REQUESTS requests (default 10000) on both sides of a
# pair; when it exits, its JVM writes the cache.
aot_train_proxy() {
  local java="$1" root="$2"; shift 2
  local lib="$root/aimesh-cli/target/dist/lib" cache="$root/aimesh-cli/target/dist/aimesh-proxy.aot"
  local log="$root/aimesh-cli/target/dist/aimesh-proxy-aot-training.log" started
  started="$(date +%s)"
  echo "aimesh: training the proxy's AOT cache (a proxy serving ${AIMESH_AOT_TRAINING_REQUESTS:-10000} requests)..." >&2
  rm -f "$cache.tmp"
  if ! "$java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -XX:TieredStopAtLevel=1 \
      -Xshare:auto -Xmx256m -cp "$lib/*" dev.aimesh.cli.ProxyTraining "${AIMESH_AOT_TRAINING_REQUESTS:-10000}" "$log" -- \
      "$java" "$@" "-XX:AOTCacheOutput=$cache.tmp" -cp "$lib/*" dev.aimesh.cli.ProxyMain; then
    rm -f "$cache.tmp"
    return 1
  fi
  if [ ! -s "$cache.tmp" ]; then
    echo "aimesh: the proxy exited without writing its AOT cache (see $log)" >&2
    return 1
  fi
  mv "$cache.tmp" "$cache"
  echo "aimesh: wrote $cache ($(( $(stat -c %s "$cache") / 1048576 )) MB) in $(( $(date +%s) - started )) s" >&2
}
