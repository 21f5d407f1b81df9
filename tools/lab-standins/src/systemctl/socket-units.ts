import { readServiceRecord, serviceStatus } from '../host/services';
import { loadUnit, setting, type Unit } from './unit-file';

/**
 * Socket activation as systemd does it for a `.socket` unit with one `ListenStream=` path
 * (systemd src/core/socket.c, v252): starting the socket unit binds and listens on the path
 * (SocketMode=, SocketUser=, SocketGroup=; an unknown user or group fails the unit), the
 * service of the same name starts on the first connection, and gets the listening socket as
 * fd 3 with LISTEN_FDS=1, LISTEN_PID=its pid, LISTEN_FDNAMES=the socket unit's name
 * (sd_listen_fds(3)). The socket stays bound while the service restarts, so clients queue.
 *
 * In the lab a small python3 process (Debian's, in every host) stands for PID 1's part: it
 * holds the socket as its fd 3 and starts the service when a connection waits while the
 * service is not running; the service's command runs under a python3 exec wrapper that takes
 * the holder's fd 3 with pidfd_getfd(2), so the service's pid (MainPID) is its own.
 */
const HOLDER = String.raw`
import os, pwd, grp, select, socket, subprocess, sys, time
path, mode, user, group, service = sys.argv[1:6]
try:
    uid = pwd.getpwnam(user).pw_uid
    gid = grp.getgrnam(group).gr_gid
except KeyError as e:
    sys.exit("Failed to resolve user/group for socket %s: %s" % (path, e))
os.makedirs(os.path.dirname(path), exist_ok=True)
# Bound and listening under a temporary name, then renamed onto the path: the path appears
# only once it accepts connections (systemctl start waits for it), like systemd's start job,
# which completes after listen(2).
tmp = "%s.%d.tmp" % (path, os.getpid())
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(tmp)
os.chown(tmp, uid, gid)
os.chmod(tmp, int(mode, 8))
s.listen(4096)
os.rename(tmp, path)
os.dup2(s.fileno(), 3)
print("listening on %s" % path, flush=True)
while True:
    r, _, _ = select.select([s], [], [], 5)
    if not r:
        continue
    if subprocess.run(["systemctl", "is-active", "--quiet", service]).returncode != 0:
        print("connection on %s: starting %s" % (path, service), flush=True)
        subprocess.run(["systemctl", "start", service])
    time.sleep(1)
`;

const TAKE_FD = String.raw`
import ctypes, os, sys
holder, name, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
libc = ctypes.CDLL(None, use_errno=True)
pidfd = os.pidfd_open(holder)
fd = libc.syscall(438, pidfd, 3, 0)
if fd < 0:
    sys.exit("pidfd_getfd of the %s socket: %s" % (name, os.strerror(ctypes.get_errno())))
os.close(pidfd)
if fd != 3:
    os.dup2(fd, 3)
    os.close(fd)
os.set_inheritable(3, True)
os.environ.update(LISTEN_FDS="1", LISTEN_PID=str(os.getpid()), LISTEN_FDNAMES=name)
os.execvp(argv[0], argv)
`;

/** The service a socket unit activates: Service=, else the unit of the same name. */
export function activatedService(socket: Unit): string {
  return setting(socket, 'Socket', 'Service') ?? socket.name.replace(/\.socket$/, '.service');
}

/** The holder's command line for a socket unit (expanded ListenStream=, e.g. "%t/cri-dockerd.sock" → "/run/cri-dockerd.sock"). */
export function socketHolderArgv(socket: Unit, specifiers: Record<string, string>): string[] {
  const listen = setting(socket, 'Socket', 'ListenStream');
  if (listen === undefined || !listen.replace(/%([a-zA-Z%])/g, '').startsWith('/')) {
    throw new Error(`${socket.name}: the lab's systemctl knows socket units with one ListenStream=/path, not ${JSON.stringify(listen)}`);
  }
  const path = listen.replace(/%([a-zA-Z%])/g, (_, c: string) => (c === '%' ? '%' : (specifiers[c] ?? '')));
  return ['python3', '-c', HOLDER, path, setting(socket, 'Socket', 'SocketMode') ?? '0666', setting(socket, 'Socket', 'SocketUser') ?? 'root', setting(socket, 'Socket', 'SocketGroup') ?? 'root', activatedService(socket)];
}

/**
 * The socket unit whose listening socket a service gets: a `.socket` unit of the same name
 * that exists (systemd's default Sockets=), if its holder runs.
 */
export function passedSocket(service: Unit): { unit: string; holderPid: number } | undefined {
  const socketName = service.name.replace(/\.service$/, '.socket');
  const socket = loadUnit(socketName);
  if (!socket.path || socket.masked) return undefined;
  const key = socketName;
  const record = readServiceRecord(key);
  if (serviceStatus(key).active !== 'active' || !record?.mainPid) return undefined;
  return { unit: socketName, holderPid: record.mainPid };
}

/** A service's argv run with the socket unit's fd 3 and LISTEN_* set (see TAKE_FD). */
export function withPassedSocket(argv: string[], passed: { unit: string; holderPid: number }): string[] {
  return ['python3', '-c', TAKE_FD, String(passed.holderPid), passed.unit, ...argv];
}
