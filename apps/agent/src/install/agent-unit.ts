/** Where `kumi-agent install` puts the agent executable. */
export const AGENT_BINARY_PATH = '/usr/local/bin/kumi-agent';

/** Where `kumi-agent install` writes the systemd unit. */
export const AGENT_UNIT_PATH = '/etc/systemd/system/kumi-agent.service';

/** The systemd unit's name, as `systemctl` takes it. */
export const AGENT_UNIT_NAME = 'kumi-agent.service';

/**
 * The systemd unit of the agent. The comments travel with the file so that whoever reads
 * it on a host sees why each protection is on or off.
 */
export function renderAgentUnit(agentVersion: string): string {
  return `# kumi-agent: written by \`kumi-agent install\` (kumi ${agentVersion}); running it again rewrites this file.
# Local changes belong in a drop-in: systemctl edit kumi-agent
[Unit]
Description=kumi agent (runs kumi host steps for the kumi coordinator)
Wants=network-online.target
After=network-online.target
# Never stop retrying: an agent that gave up cannot be reached without SSH.
StartLimitIntervalSec=0

[Service]
Type=exec
ExecStart=${AGENT_BINARY_PATH} run
# The agent retries lost connections itself (backoff up to 5 s); systemd only restarts
# it after a crash: first after 2 s, growing to 60 s over 5 restarts (RestartSteps and
# RestartMaxDelaySec need systemd >= 254; older systemd logs "unknown key" for both and
# keeps the fixed 2 s).
Restart=on-failure
RestartSec=2s
RestartSteps=5
RestartMaxDelaySec=60s
# Give a step in hand time to be cancelled cleanly and its events written to the outbox.
TimeoutStopSec=30s

# Runs as root by design: its steps install packages (apt/dnf write /usr), write /etc,
# /opt and /var/lib, load kernel modules, set sysctls, change the firewall, turn swap off
# and run kubeadm, which all need root. It runs only the steps compiled into it, with
# schema-checked parameters; there is no "run this command" request.
User=root
# /var/lib/kumi (key, certificate, outbox) and /etc/kumi (agent.yaml with the bootstrap
# token): made by systemd, readable by root only.
StateDirectory=kumi
StateDirectoryMode=0700
ConfigurationDirectory=kumi
ConfigurationDirectoryMode=0700

# Protections that nothing the steps do needs:
# /home, /root and /run/user become empty and read-only, except /root/.kube: the
# admin-kubeconfig step gives root kubectl access there (as kubeadm's own instructions
# do) and reset removes it. ("yes" would hide /root/.kube too and fail that step; a bind
# mount needs a mount point, which the read-only tmpfs of "tmpfs" provides.)
ProtectHome=tmpfs
ExecStartPre=+/bin/mkdir -p -m 0700 /root/.kube
BindPaths=/root/.kube
# Already root with every capability, so this takes nothing the steps use; it stops a
# setuid or file-capability program started by a step from gaining anything beyond that.
NoNewPrivileges=yes
# A private /tmp and /var/tmp: secret files the steps hand to commands are never in the
# host's shared /tmp.
PrivateTmp=yes
LockPersonality=yes
RestrictRealtime=yes
# ProtectHome and PrivateTmp give the agent its own mount namespace: mounts and unmounts
# made by its commands stay inside it. No step mounts anything for the host, and the
# services the steps start (containerd, kubelet, etcd, haproxy) run under PID 1, in the
# host's namespace.
# Deliberately not set, because the steps must do what they forbid:
#   ProtectSystem=     strict/full/true make /usr or /etc read-only: package installs
#                      and config writes would fail.
#   ProtectKernelModules=, ProtectKernelTunables=   modprobe br_netfilter/overlay and
#                      sysctl net.ipv4.ip_forward are steps.
#   PrivateDevices=, PrivateNetwork=, RestrictAddressFamilies=   swap devices, the
#                      firewall (netlink) and the coordinator connection need them.

[Install]
WantedBy=multi-user.target
`;
}
