// Types for the two systeminformation modules the agent imports directly. The package
// ships declarations only for its index, whose import evaluates all of its ~20 modules
// (~430 kB of bundle); the agent needs two readers, so it imports their files instead.
declare module 'systeminformation/lib/memory' {
  import type { Systeminformation } from 'systeminformation';
  export function mem(): Promise<Systeminformation.MemData>;
}

declare module 'systeminformation/lib/osinfo' {
  import type { Systeminformation } from 'systeminformation';
  export function uuid(): Promise<Systeminformation.UuidData>;
}
