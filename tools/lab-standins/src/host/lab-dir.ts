/** The lab's state directory; outside every host overlay, so the same path works inside hosts. */
export function labDir(): string {
  return process.env.KUMI_LAB_DIR ?? '/var/tmp/kumi-lab';
}
