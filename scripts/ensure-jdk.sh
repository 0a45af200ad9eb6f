#!/usr/bin/env bash
# Makes sure the local endpoint's model server can start Java (scripts/setup.sh calls this). multi-model-server's
# frontend is a Java program; it runs $JAVA_HOME/bin/java when JAVA_HOME is set, else `java` from PATH, and needs
# Java 8 or newer (OpenJDK 17 is what the tests run with).
#   - that java runs:                          nothing to do
#   - Linux with apt-get (Debian, Ubuntu, ...): apt-get installs default-jdk-headless, through sudo when not root
#   - macOS:                                   prints the Homebrew commands and stops (the JDK stays the user's choice)
#   - anything else:                           says what is needed and stops
# Exit status 0 when java runs afterwards, 1 otherwise, with the reason on stderr.
set -euo pipefail

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
fail() { printf '\033[1m[setup]\033[0m %s\n' "$@" >&2; exit 1; }

APT_INSTALL=(apt-get install -y -qq --no-install-recommends default-jdk-headless)
apt_install() { # apt_install [sudo --]: the apt-get commands, prefixed with the arguments given
  { "$@" apt-get update -qq && "$@" env DEBIAN_FRONTEND=noninteractive "${APT_INSTALL[@]}" >/dev/null; } ||
    fail "apt-get could not install default-jdk-headless (its messages are above)."
}

# ok | missing | bad-java-home: whether the java multi-model-server would start runs. macOS ships a /usr/bin/java
# stub that only prints "Unable to locate a Java Runtime" and fails, so being on PATH is not enough: run it.
java_status() {
  if [ -n "${JAVA_HOME:-}" ]; then
    if "$JAVA_HOME/bin/java" -version >/dev/null 2>&1; then echo ok; else echo bad-java-home; fi
  elif command -v java >/dev/null 2>&1 && java -version >/dev/null 2>&1; then
    echo ok
  else
    echo missing
  fi
}

# What to do, from the facts alone:
#   jdk_plan <java status> <uname -s> <apt-get on PATH: yes|no> <root: yes|no> <sudo on PATH: yes|no>
# prints one of: ok, fix-java-home, apt, sudo-apt, need-root, brew, other-linux, unsupported
jdk_plan() {
  local status=$1 kernel=$2 apt=$3 root=$4 sudo=$5
  case $status in
    ok) echo ok; return ;;
    bad-java-home) echo fix-java-home; return ;;
  esac
  case $kernel in
    Linux)
      if [ "$apt" != yes ]; then echo other-linux
      elif [ "$root" = yes ]; then echo apt
      elif [ "$sudo" = yes ]; then echo sudo-apt
      else echo need-root
      fi ;;
    Darwin) echo brew ;;
    *) echo unsupported ;;
  esac
}

has() { if command -v "$1" >/dev/null 2>&1; then echo yes; else echo no; fi; }

main() {
  local kernel root plan
  kernel=$(uname -s)
  if [ "$(id -u)" = 0 ]; then root=yes; else root=no; fi
  plan=$(jdk_plan "$(java_status)" "$kernel" "$(has apt-get)" "$root" "$(has sudo)")

  local needed="No Java runtime found: the local endpoint's model server (multi-model-server) runs on Java 8 or newer."
  case $plan in
    ok) return 0 ;;
    fix-java-home)
      fail "JAVA_HOME is set to '$JAVA_HOME', but $JAVA_HOME/bin/java does not run." \
        "multi-model-server uses JAVA_HOME ahead of PATH: point JAVA_HOME at a JDK or unset it, then run this again." ;;
    apt)
      say "installing a headless JDK (apt-get install default-jdk-headless)"
      apt_install ;;
    sudo-apt)
      say "installing a headless JDK with sudo apt-get (default-jdk-headless); sudo may ask for your password"
      apt_install sudo -- ;;
    need-root)
      fail "$needed" \
        "Installing one with apt-get needs root, and sudo is not available. As root, run:" \
        "  apt-get update && ${APT_INSTALL[*]}" \
        "or install any JDK and put its java on PATH (or set JAVA_HOME), then run this again." ;;
    brew)
      fail "$needed" \
        "On macOS, install one with Homebrew (https://brew.sh) and put it on PATH, then run this again:" \
        "  brew install openjdk@17" \
        "  export PATH=\"\$(brew --prefix openjdk@17)/bin:\$PATH\"   # add this line to ~/.zprofile to keep it" \
        "Any other JDK works too, with its java on PATH or JAVA_HOME set." ;;
    other-linux)
      fail "$needed" \
        "This Linux has no apt-get: install a JDK with its package manager (e.g. Fedora: sudo dnf install" \
        "java-21-openjdk-headless), put its java on PATH or set JAVA_HOME, then run this again." ;;
    *)
      fail "$needed" \
        "$kernel is not a system this project sets up (Linux and macOS are): install a JDK, put its java on PATH" \
        "or set JAVA_HOME, then run this again." ;;
  esac

  [ "$(java_status)" = ok ] || fail "A JDK was installed, but java still does not run (java on PATH: $(command -v java || echo none))."
  say "java: $(java -version 2>&1 | head -n 1)"
}

main "$@"
