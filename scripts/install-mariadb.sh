#!/usr/bin/env bash
# Installs a MariaDB server (the MySQL family available from Debian's archive) so that lockbench
# can start throwaway MariaDB servers itself. It does not start or enable a system service.
set -euo pipefail

if command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || command -v mysqld >/dev/null 2>&1; then
  echo "install-mariadb: a MySQL-family server is already installed: $(command -v mariadbd || command -v mysqld || echo /usr/sbin/mariadbd)"
  exit 0
fi

if command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # policy-rc.d-free install: the package does not start a service in containers; we never need one.
  $SUDO apt-get install -y -qq --no-install-recommends mariadb-server mariadb-client >/dev/null
  echo "install-mariadb: installed $(/usr/sbin/mariadbd --version)"
  exit 0
fi

cat >&2 <<'MSG'
install-mariadb: no apt-get here. Install MariaDB (10.6+) or MySQL (8.0+) with your package manager
(brew install mariadb, dnf install mariadb-server, ...), or run one with `docker compose up -d mariadb`
and pass --mysql-url mysql://root:lockbench@127.0.0.1:3307/lockbench to the bench command.
MSG
exit 1
