# Sourced by bench/failover.sh and bench/idle.sh: root check and keepalived (Debian package).
# $1: the script's name, for the message.
[ "$(id -u)" = 0 ] || { echo "$1 needs root (it builds network namespaces): run it with sudo" >&2; exit 1; }
if ! command -v keepalived >/dev/null 2>&1 && [ ! -x /usr/sbin/keepalived ]; then
    echo "installing keepalived (Debian package)"
    apt-get install -y -q keepalived >/dev/null || { apt-get update -q && apt-get install -y -q keepalived >/dev/null; }
fi
