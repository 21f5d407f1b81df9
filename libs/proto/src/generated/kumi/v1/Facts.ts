// Original file: libs/proto/proto/kumi/v1/kumi.proto

import type { OsInfo as _kumi_v1_OsInfo, OsInfo__Output as _kumi_v1_OsInfo__Output } from '../../kumi/v1/OsInfo';
import type { NetInterface as _kumi_v1_NetInterface, NetInterface__Output as _kumi_v1_NetInterface__Output } from '../../kumi/v1/NetInterface';
import type { SwapInfo as _kumi_v1_SwapInfo, SwapInfo__Output as _kumi_v1_SwapInfo__Output } from '../../kumi/v1/SwapInfo';
import type { Long } from '@grpc/proto-loader';

/**
 * Facts describe a host as its agent sees it.
 */
export interface Facts {
  'hostName'?: (string);
  'os'?: (_kumi_v1_OsInfo | null);
  'kernel'?: (string);
  'arch'?: (string);
  'cpus'?: (number);
  'memoryBytes'?: (number | string | Long);
  'interfaces'?: (_kumi_v1_NetInterface)[];
  'swap'?: (_kumi_v1_SwapInfo | null);
  /**
   * "systemd", "openrc", "sysvinit" or "unknown".
   */
  'initSystem'?: (string);
  /**
   * "apt", "dnf", "yum" or "unknown".
   */
  'packageManager'?: (string);
  /**
   * "firewalld", "nftables", "iptables" or "none": what is active now.
   */
  'firewall'?: (string);
  /**
   * 1 or 2.
   */
  'cgroupVersion'?: (number);
  'productUuid'?: (string);
  /**
   * Address of the interface that holds the default route, if any.
   */
  'defaultIpv4'?: (string);
}

/**
 * Facts describe a host as its agent sees it.
 */
export interface Facts__Output {
  'hostName': (string);
  'os': (_kumi_v1_OsInfo__Output | null);
  'kernel': (string);
  'arch': (string);
  'cpus': (number);
  'memoryBytes': (number);
  'interfaces': (_kumi_v1_NetInterface__Output)[];
  'swap': (_kumi_v1_SwapInfo__Output | null);
  /**
   * "systemd", "openrc", "sysvinit" or "unknown".
   */
  'initSystem': (string);
  /**
   * "apt", "dnf", "yum" or "unknown".
   */
  'packageManager': (string);
  /**
   * "firewalld", "nftables", "iptables" or "none": what is active now.
   */
  'firewall': (string);
  /**
   * 1 or 2.
   */
  'cgroupVersion': (number);
  'productUuid': (string);
  /**
   * Address of the interface that holds the default route, if any.
   */
  'defaultIpv4': (string);
}
