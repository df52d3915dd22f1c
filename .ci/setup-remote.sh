#!/usr/bin/env bash
# A second libvirt host for the remote tests, on this machine: an sshd of the project's own on
# 127.0.0.1:12222 and the per-user qemu:///session libvirt daemon of the test user virtioscsi-remote,
# reached as
#     virsh -c qemu+ssh://virtioscsi-remote@127.0.0.1:12222/session list
# The same sshd serves PowerShell SSH remoting for root:
#     Invoke-Command -HostName root@127.0.0.1 -Port 12222 -ScriptBlock { ... }
# and the failures only remote connections have (see "Error cases" below).
#
# Nothing of the machine's own ssh is changed: this sshd has its own config, host key, PID file and
# authorized keys under /var/lib/virtioscsi-remote, and root's ~/.ssh/config only gets one block, marked
# as VirtioScsi's, that applies to 127.0.0.1 port 12222 alone. Idempotent; needs root and Debian 12;
# no systemd is assumed. Called by .ci/run after .ci/setup-stack.sh.
#
# The pwsh that serves the remoting subsystem: $VIRTIOSCSI_PWSH, else the first argument, else the one
# tools/toolchain/install.sh finds or installs (tests/run-tests.sh passes it).
set -euo pipefail

: "${VIRTIOSCSI_REMOTE_DIR:=/var/lib/virtioscsi-remote}"
: "${VIRTIOSCSI_SSH_PORT:=12222}"
# A port on 127.0.0.1 where nothing listens: the "host unreachable" case.
: "${VIRTIOSCSI_SSH_DEAD_PORT:=12223}"
# More loopback addresses the same sshd listens on, so that one daemon can be reached as several distinct
# hosts (qemu+ssh://virtioscsi-remote@127.0.0.K:PORT/session): bench/ reads "8 hosts" in one call this way.
: "${VIRTIOSCSI_SSH_EXTRA_ADDRESSES:=127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.5 127.0.0.6 127.0.0.7 127.0.0.8 127.0.0.9}"
read -r -a extra_addresses <<<"$VIRTIOSCSI_SSH_EXTRA_ADDRESSES"
addresses=(127.0.0.1 "${extra_addresses[@]}")
: "${VIRTIOSCSI_ISCSI_PORT:=13260}"
pwsh_path="${VIRTIOSCSI_PWSH:-${1:-}}"
[[ -n "$pwsh_path" ]] || pwsh_path=$(bash "$(dirname "$0")/../tools/toolchain/install.sh" pwsh)

dir=$VIRTIOSCSI_REMOTE_DIR
port=$VIRTIOSCSI_SSH_PORT
user=virtioscsi-remote          # its qemu:///session daemon is "the other host"
refused_user=virtioscsi-refused # exists, but no key is authorised for it: authentication refused
nolibvirt_user=virtioscsi-nolibvirt # key authorised, but no libvirt daemon can run for it

say() { echo "setup-remote: $*"; }

# --- Packages. openssh-server's maintainer scripts would start the machine's own sshd on port 22
# where no policy-rc.d forbids it; this setup wants only its own sshd, so it forbids that for the install.
if ! dpkg-query -W -f='${Status}' openssh-server 2>/dev/null | grep -q 'install ok installed'; then
  say "installing openssh-server"
  policy_added=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy_added=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-server >/dev/null
  if ((policy_added)); then rm -f /usr/sbin/policy-rc.d; fi
fi
# virt-ssh-helper (the far end of qemu+ssh) and the session daemon come with libvirt-daemon (setup-stack.sh).
command -v virt-ssh-helper >/dev/null || { echo "setup-remote: virt-ssh-helper missing: run .ci/setup-stack.sh first" >&2; exit 1; }

# --- Users. Password field '*' (no password, not locked): sshd without PAM refuses locked accounts ('!').
mkdir -p "$dir/authorized_keys" "$dir/client" "$dir/sshd"
chmod 755 "$dir" "$dir/authorized_keys"
chmod 700 "$dir/client" "$dir/sshd"
# Homes in /home, not under $dir: QEMU's monitor socket path lies below the home and must stay within
# the 108 bytes a UNIX socket path may have.
for u in "$user" "$refused_user" "$nolibvirt_user"; do
  if ! getent passwd "$u" >/dev/null; then
    useradd --home-dir "/home/$u" --shell /bin/sh "$u"
  fi
  [[ "$(getent passwd "$u" | cut -d: -f6)" == "/home/$u" ]] || usermod --home "/home/$u" "$u"
  [[ "$(getent shadow "$u" | cut -d: -f2)" == '*' ]] || usermod -p '*' "$u"
done
install -d -o "$user" -g "$user" -m 700 "/home/$user"
# The no-libvirt user has a home of its own, but this sshd starts its sessions with LIBVIRT_AUTOSTART=0
# (see the Match block of sshd_config below): virt-ssh-helper then finds no session daemon and starts
# none, just as qemu+ssh://host/system finds nothing on a host where libvirtd is down.
install -d -o "$nolibvirt_user" -g "$nolibvirt_user" -m 700 "/home/$nolibvirt_user"
install -d -o root -g root -m 755 "/home/$refused_user"

# --- Keys: the sshd's host key, and a client key pair for root, made once and kept.
[[ -f "$dir/sshd/ssh_host_ed25519_key" ]] || ssh-keygen -q -t ed25519 -N '' -C "virtioscsi-remote host key" -f "$dir/sshd/ssh_host_ed25519_key"
[[ -f "$dir/client/id_ed25519" ]] || ssh-keygen -q -t ed25519 -N '' -C "virtioscsi-remote client key" -f "$dir/client/id_ed25519"
client_key=$(cat "$dir/client/id_ed25519.pub")
# sshd reads these with StrictModes: root-owned, not writable by others. The refused user has none.
for u in root "$user" "$nolibvirt_user"; do
  printf '%s\n' "$client_key" > "$dir/authorized_keys/$u"
  chmod 644 "$dir/authorized_keys/$u"
done
rm -f "$dir/authorized_keys/$refused_user"
host_key=$(cut -d' ' -f1,2 "$dir/sshd/ssh_host_ed25519_key.pub")
for a in "${addresses[@]}"; do printf '[%s]:%s %s\n' "$a" "$port" "$host_key"; done > "$dir/client/known_hosts"

# --- The sshd of its own.
# sshd starts the subsystem's program only when a client asks for it, so the path may name a pwsh that
# is installed later (the test command installs its own).
[[ -x "$pwsh_path" ]] || say "no executable pwsh at $pwsh_path yet: PowerShell remoting works once it exists"
cat > "$dir/sshd/sshd_config" <<CONF
# Written by VirtioScsi's .ci/setup-remote.sh: the test stack's second host. Not the machine's sshd.
$(printf 'ListenAddress %s\n' "${addresses[@]}")
Port $port
HostKey $dir/sshd/ssh_host_ed25519_key
PidFile $dir/sshd/sshd.pid
AuthorizedKeysFile $dir/authorized_keys/%u
AllowUsers root $user $refused_user $nolibvirt_user
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PrintMotd no
X11Forwarding no
AllowTcpForwarding no
# Many short connections at once (a test run, parallel reads of several hosts) must not be dropped.
MaxStartups 100:30:200
MaxSessions 100
LogLevel VERBOSE
Subsystem powershell $pwsh_path -sshs -NoLogo
Match User $nolibvirt_user
    SetEnv LIBVIRT_AUTOSTART=0
CONF
mkdir -p /run/sshd   # the privilege-separation directory every Debian sshd needs; empty, shared
/usr/sbin/sshd -t -f "$dir/sshd/sshd_config"
pid=$(cat "$dir/sshd/sshd.pid" 2>/dev/null || true)
if [[ -n "$pid" ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == sshd ]]; then
  kill -HUP "$pid"   # re-reads the config (a changed pwsh path, say)
  say "sshd $pid on 127.0.0.1:$port reloaded"
else
  /usr/sbin/sshd -f "$dir/sshd/sshd_config" -E "$dir/sshd/sshd.log"
  say "sshd started on 127.0.0.1:$port"
fi

# --- Root's ssh client: one marked block in ~/.ssh/config, for 127.0.0.1 port $port only, so that plain
# "ssh -p $port user@127.0.0.1" and libvirt's qemu+ssh transport (which runs ssh) need no prompt and no
# URI parameters. Other entries of the file are left as they are; the block is replaced on every run.
ssh_dir=/root/.ssh
install -d -m 700 "$ssh_dir"
touch "$ssh_dir/config"
chmod 600 "$ssh_dir/config"
begin="# >>> VirtioScsi test stack (.ci/setup-remote.sh) >>>"
end="# <<< VirtioScsi test stack <<<"
kept=$(awk -v b="$begin" -v e="$end" '$0==b{skip=1;next} $0==e{skip=0;next} !skip' "$ssh_dir/config")
{
  # First in the file: ssh takes the first value it finds for each option.
  echo "$begin"
  echo "Match host $(IFS=,; echo "${addresses[*]}") exec \"test %p = $port\""
  echo "    IdentityFile $dir/client/id_ed25519"
  echo "    IdentitiesOnly yes"
  echo "    UserKnownHostsFile $dir/client/known_hosts"
  echo "    StrictHostKeyChecking yes"
  echo "    BatchMode yes"
  echo "    ConnectTimeout 10"
  echo "Host *"
  echo "$end"
  [[ -n "$kept" ]] && printf '%s\n' "$kept"
} > "$ssh_dir/config.virtioscsi-new"
mv "$ssh_dir/config.virtioscsi-new" "$ssh_dir/config"

# --- Checks: each case answers as the tests expect.
for _ in $(seq 1 50); do
  ssh -p "$port" "$user@127.0.0.1" true 2>/dev/null && break
  sleep 0.1
done
remote_uri="qemu+ssh://$user@127.0.0.1:$port/session"
if ! out=$(virsh -c "$remote_uri" uri 2>&1); then
  echo "setup-remote: $remote_uri does not answer: $out" >&2
  tail -n 20 "$dir/sshd/sshd.log" >&2 || true
  exit 1
fi
# bash's /dev/tcp, not ss: a fresh Debian image may have no iproute2.
if (exec 3<>"/dev/tcp/127.0.0.1/$VIRTIOSCSI_SSH_DEAD_PORT") 2>/dev/null; then
  echo "setup-remote: something listens on 127.0.0.1:$VIRTIOSCSI_SSH_DEAD_PORT, the port meant to be unreachable" >&2
  exit 1
fi
for a in "${extra_addresses[@]}"; do
  ssh -p "$port" "$user@$a" true 2>/dev/null || { echo "setup-remote: the sshd does not answer on $a:$port" >&2; exit 1; }
done
if ssh -p "$port" "$refused_user@127.0.0.1" true 2>/dev/null; then
  echo "setup-remote: $refused_user was let in, but must be refused" >&2; exit 1
fi
if virsh -c "qemu+ssh://$nolibvirt_user@127.0.0.1:$port/session" uri >/dev/null 2>&1; then
  echo "setup-remote: $nolibvirt_user reached a libvirt daemon, but must find none" >&2; exit 1
fi

say "$remote_uri answers ($(virsh -c "$remote_uri" version --daemon 2>/dev/null | awk '/daemon/{print $NF}'))," \
    "refused: $refused_user, no libvirt: $nolibvirt_user, unreachable: 127.0.0.1:$VIRTIOSCSI_SSH_DEAD_PORT," \
    "remoting: root@127.0.0.1 -Port $port with $pwsh_path; also on ${extra_addresses[*]:-no other address}"
