// @kumi/lab: the one-machine lab. See ../LAB-LAYOUT.md for the conventions.
export { labUp, type AgentLaunch, type LabUpOptions, type LabUpResult } from './lab-up';
export { labDown, type LabDownResult } from './lab-down';
export { labStatus, type HostStatus } from './lab-status';
export { bootHost, killHost, runningSwitch, setPartitioned } from './host-lifecycle';
export {
  COORDINATOR,
  HOST_BASE_ENV,
  inCoordinator,
  inHost,
  runningHost,
  startInHost,
  stopInHost,
  writeHostFile,
  type InHostOptions,
  type StartInHostOptions,
} from './in-host';
export { hostFilePath, labDir, labPaths, BRIDGE_ADDRESS } from './lab-paths';
export { readLabState, type HostRecord, type LabState } from './lab-state';
export { loadTopology, seedTopology, type LabHost, type Topology } from './topology';
export { labNow, parseClockShift, shiftLabClock } from '@kumi/lab-standins/host/lab-clock';
export { buildStandins } from '@kumi/lab-standins/build-standins';
