# Sourced by ./ztchat, ./mvnw and .ci/run (POSIX sh): exports JAVA_HOME pointing at a Java 25+ JDK.
# Order: $JAVA_HOME, the `java` on PATH, then every JDK under /usr/lib/jvm. Returns 1 if none.
ztchat_java_major() {
  "$1" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}

# The major version a JDK's `release` file states (JAVA_VERSION="25.0.3"), read without starting a
# JVM (starting one costs a third of a second, on every ./ztchat); empty if the file says nothing.
ztchat_release_major() {
  [ -f "$1/release" ] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" | head -n1
}

ztchat_try_jdk() {
  [ -n "$1" ] && [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  ztchat_v="$(ztchat_release_major "$1")"
  [ -n "$ztchat_v" ] || ztchat_v="$(ztchat_java_major "$1/bin/java")"
  [ -n "$ztchat_v" ] && [ "$ztchat_v" -ge 25 ] || return 1
  JAVA_HOME="$1"
  export JAVA_HOME
}

ztchat_find_jdk() {
  ztchat_try_jdk "${JAVA_HOME:-}" && return 0
  if command -v java >/dev/null 2>&1; then
    ztchat_j="$(readlink -f "$(command -v java)")"
    ztchat_try_jdk "${ztchat_j%/bin/java}" && return 0
  fi
  # find, not a glob: mvnw runs with `set -f`.
  for ztchat_d in $(find /usr/lib/jvm -mindepth 1 -maxdepth 1 2>/dev/null | sort -r); do
    ztchat_try_jdk "$ztchat_d" && return 0
  done
  echo "ztchat: no Java 25 (or newer) JDK found (looked at \$JAVA_HOME, java on PATH, /usr/lib/jvm/*)." >&2
  echo "  Install one (e.g. the temurin-25-jdk package) or set JAVA_HOME to it, then try again." >&2
  return 1
}
