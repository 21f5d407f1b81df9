/** zram-generator's admin config; when it exists it replaces the packaged defaults. */
export const ZRAM_CONFIG_PATH = '/etc/systemd/zram-generator.conf';

/** What swap.off writes there: no sections, so the generator creates no zram device. */
export const ZRAM_CONFIG_WITHOUT_DEVICES =
  '# Written by kumi: no zram devices, so no zram swap (the kubelet needs swap off).\n';

/** Where distributions install the zram generator (Fedora/RHEL, Debian/Ubuntu). */
export const ZRAM_GENERATOR_PATHS = [
  '/usr/lib/systemd/system-generators/zram-generator',
  '/lib/systemd/system-generators/zram-generator',
] as const;

/** Whether a zram-generator config defines a device: any uncommented "[section]" line. */
export function zramConfigDefinesDevices(config: string): boolean {
  return config.split('\n').some((line) => /^\s*\[/.test(line));
}
