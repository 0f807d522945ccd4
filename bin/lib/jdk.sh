# Sourced by bin/aimesh and bench/run: finds a JDK >= 21 as a user would expect, $JAVA_HOME, then java on
# the PATH, then the usual install folders, and prints its java binary.

java_version() { # prints the feature version of the java binary $1, or nothing
  local home release
  home="$(dirname "$(dirname "$(readlink -f "$1")")")"
  release="$home/release"
  # The JDK's release file answers without starting a JVM (each start costs ~0.1 s).
  if [ -f "$release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release" | head -n 1
    return
  fi
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -n 1
}

find_java() {
  local candidates=() j v d
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for d in /usr/lib/jvm/* /opt/java/* /opt/jdk* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -x "$d/bin/java" ] && candidates+=("$d/bin/java")
  done
  for j in "${candidates[@]}"; do
    v="$(java_version "$j")"
    if [ -n "$v" ] && [ "$v" -ge 21 ]; then echo "$j"; return 0; fi
  done
  echo "aimesh: no JDK 21 or newer found; looked at \$JAVA_HOME, java on the PATH, /usr/lib/jvm, /opt and" \
       "/Library/Java. Install one (e.g. apt-get install openjdk-21-jdk) or set JAVA_HOME." >&2
  return 1
}
