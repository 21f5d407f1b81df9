/** The interface holding the IPv4 default route in /proc/net/route, if any. */
export function defaultRouteInterface(text: string): string | undefined {
  let best: { name: string; metric: number } | undefined;
  for (const line of text.split('\n').slice(1)) {
    const [name, destination, , flags, , , metric, mask] = line.trim().split(/\s+/);
    if (!name || destination !== '00000000' || mask !== '00000000') continue;
    // RTF_UP is bit 0x1; a default route that is down does not count.
    if ((Number.parseInt(flags ?? '0', 16) & 0x1) === 0) continue;
    const routeMetric = Number(metric ?? 0);
    if (!best || routeMetric < best.metric) best = { name, metric: routeMetric };
  }
  return best?.name;
}
