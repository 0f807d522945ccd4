# Sourced by bin/aimesh and bench/run: the JDK 25+ ahead-of-time cache of the long-running commands.
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
