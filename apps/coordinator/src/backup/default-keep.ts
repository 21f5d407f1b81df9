/** How many snapshots of a cluster `kumi backup` leaves in its folder by default, the new one included (--keep; 0 keeps all). Apart, so `kumi --help` loads nothing else. */
export const DEFAULT_KEEP = 7;
