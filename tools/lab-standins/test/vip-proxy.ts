import type { ClientRequest } from 'node:http';
import https from 'node:https';
import net from 'node:net';

/** HAProxy's `timeout check` in the config kumi renders (libs/steps/src/render/haproxy-config.ts). */
const CHECK_TIMEOUT_MS = 5000;

/**
 * A test stand-in for HAProxy + keepalived on loopback: a TCP proxy on the "VIP" that sends
 * each connection round-robin to a backend that passes `GET /healthz` (HAProxy's
 * `option httpchk` + `check verify none`, every 500 ms, down after 3 failures, up after 2
 * successes like HAProxy's fall/rise). Like HAProxy, a backend has at most one check in flight
 * and a check may take up to `timeout check` (5 s in kumi's haproxy.cfg) before it counts as
 * failed: a slow answer under load is not a dead server.
 */
export class VipProxy {
  private server: net.Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly healthy = new Map<string, boolean>();
  private readonly streak = new Map<string, number>();
  private next = 0;
  private readonly sockets = new Set<net.Socket>();
  private readonly probing = new Set<string>();
  private readonly checks = new Set<ClientRequest>();

  constructor(
    private readonly address: string,
    private readonly port: number,
    private readonly backends: string[],
  ) {}

  /** Starts listening and health-checking. */
  async start(): Promise<void> {
    this.server = net.createServer((client) => this.forward(client));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.port, this.address, () => resolve());
    });
    const check = (): void => {
      for (const backend of this.backends) {
        if (this.probing.has(backend)) continue;
        this.probing.add(backend);
        void this.probe(backend).then((ok) => {
          this.probing.delete(backend);
          this.record(backend, ok);
        });
      }
    };
    check();
    this.timer = setInterval(check, 500);
  }

  /** The backends currently in rotation (what HAProxy's stats socket reports as UP). */
  upBackends(): string[] {
    return this.backends.filter((b) => this.healthy.get(b) === true);
  }

  private record(backend: string, ok: boolean): void {
    const previous = this.streak.get(backend) ?? 0;
    // Positive streak counts successes, negative counts failures.
    const streak = ok ? Math.max(previous, 0) + 1 : Math.min(previous, 0) - 1;
    this.streak.set(backend, streak);
    if (streak >= 2) this.healthy.set(backend, true);
    if (streak <= -3) this.healthy.set(backend, false);
  }

  private probe(backend: string): Promise<boolean> {
    return new Promise((resolve) => {
      const req = https.get(`https://${backend}/healthz`, { rejectUnauthorized: false, timeout: CHECK_TIMEOUT_MS }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      this.checks.add(req);
      req.on('close', () => this.checks.delete(req));
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
    });
  }

  private forward(client: net.Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    const live = this.upBackends();
    const target = live[this.next++ % Math.max(1, live.length)];
    if (!target) {
      client.destroy();
      return;
    }
    const [host, port] = target.split(':');
    const upstream = net.connect(Number(port), host ?? '127.0.0.1');
    this.sockets.add(upstream);
    upstream.on('close', () => this.sockets.delete(upstream));
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  }

  /** Stops listening and closes every proxied connection. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const s of this.sockets) s.destroy();
    for (const check of this.checks) check.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
