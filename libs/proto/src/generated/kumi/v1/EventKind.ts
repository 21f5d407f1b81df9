// Original file: libs/proto/proto/kumi/v1/kumi.proto

export const EventKind = {
  EVENT_KIND_UNSPECIFIED: 'EVENT_KIND_UNSPECIFIED',
  EVENT_KIND_START: 'EVENT_KIND_START',
  EVENT_KIND_OUTPUT: 'EVENT_KIND_OUTPUT',
  EVENT_KIND_PROGRESS: 'EVENT_KIND_PROGRESS',
  EVENT_KIND_NOOP: 'EVENT_KIND_NOOP',
  EVENT_KIND_DONE: 'EVENT_KIND_DONE',
  EVENT_KIND_FAILED: 'EVENT_KIND_FAILED',
  /**
   * A dry run ended: `planned` lists what the step would do; nothing was changed. A dry
   * run with nothing to do ends NOOP. Ends its run, like NOOP, DONE and FAILED.
   */
  EVENT_KIND_PLANNED: 'EVENT_KIND_PLANNED',
} as const;

export type EventKind =
  | 'EVENT_KIND_UNSPECIFIED'
  | 0
  | 'EVENT_KIND_START'
  | 1
  | 'EVENT_KIND_OUTPUT'
  | 2
  | 'EVENT_KIND_PROGRESS'
  | 3
  | 'EVENT_KIND_NOOP'
  | 4
  | 'EVENT_KIND_DONE'
  | 5
  | 'EVENT_KIND_FAILED'
  | 6
  /**
   * A dry run ended: `planned` lists what the step would do; nothing was changed. A dry
   * run with nothing to do ends NOOP. Ends its run, like NOOP, DONE and FAILED.
   */
  | 'EVENT_KIND_PLANNED'
  | 7

export type EventKind__Output = typeof EventKind[keyof typeof EventKind]
