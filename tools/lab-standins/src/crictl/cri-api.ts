import type { fromJSON } from '@grpc/proto-loader';

/**
 * The part of the CRI runtime service crictl's `info` and `version` and the kubelet's
 * cgroup-driver lookup use, as a protobuf.js namespace (the messages' names, fields and
 * numbers of kubernetes/cri-api pkg/apis/runtime/v1/api.proto, kubernetes-1.37.0-beta.0).
 * Written from the upstream definitions: package runtime.v1, service RuntimeService.
 */
export const CRI_RUNTIME_API = {
  nested: {
    runtime: {
      nested: {
        v1: {
          nested: {
            RuntimeService: {
              methods: {
                Version: { requestType: 'VersionRequest', responseType: 'VersionResponse' },
                Status: { requestType: 'StatusRequest', responseType: 'StatusResponse' },
                RuntimeConfig: { requestType: 'RuntimeConfigRequest', responseType: 'RuntimeConfigResponse' },
              },
            },
            VersionRequest: { fields: { version: { type: 'string', id: 1 } } },
            VersionResponse: {
              fields: {
                version: { type: 'string', id: 1 },
                runtime_name: { type: 'string', id: 2 },
                runtime_version: { type: 'string', id: 3 },
                runtime_api_version: { type: 'string', id: 4 },
              },
            },
            RuntimeCondition: {
              fields: {
                type: { type: 'string', id: 1 },
                status: { type: 'bool', id: 2 },
                reason: { type: 'string', id: 3 },
                message: { type: 'string', id: 4 },
              },
            },
            RuntimeStatus: { fields: { conditions: { rule: 'repeated', type: 'RuntimeCondition', id: 1 } } },
            StatusRequest: { fields: { verbose: { type: 'bool', id: 1 } } },
            RuntimeHandlerFeatures: {
              fields: {
                recursive_read_only_mounts: { type: 'bool', id: 1 },
                user_namespaces: { type: 'bool', id: 2 },
              },
            },
            RuntimeHandler: {
              fields: {
                name: { type: 'string', id: 1 },
                features: { type: 'RuntimeHandlerFeatures', id: 2 },
              },
            },
            RuntimeFeatures: {
              fields: {
                supplemental_groups_policy: { type: 'bool', id: 1 },
                user_namespaces_host_network: { type: 'bool', id: 2 },
              },
            },
            StatusResponse: {
              fields: {
                status: { type: 'RuntimeStatus', id: 1 },
                info: { keyType: 'string', type: 'string', id: 2 },
                runtime_handlers: { rule: 'repeated', type: 'RuntimeHandler', id: 3 },
                features: { type: 'RuntimeFeatures', id: 4 },
              },
            },
            RuntimeConfigRequest: { fields: {} },
            LinuxRuntimeConfiguration: { fields: { cgroup_driver: { type: 'CgroupDriver', id: 1 } } },
            RuntimeConfigResponse: { fields: { linux: { type: 'LinuxRuntimeConfiguration', id: 1 } } },
            CgroupDriver: { values: { SYSTEMD: 0, CGROUPFS: 1 } },
          },
        },
      },
    },
  },
  // protobuf.js's declared types want a comment on every method and know no map fields; its JSON format has both optional.
} as unknown as Parameters<typeof fromJSON>[0];

/** runtime.v1 RuntimeCondition. */
export interface RuntimeCondition {
  type: string;
  status: boolean;
  reason: string;
  message: string;
}

/** runtime.v1 StatusResponse as decoded (snake_case field names, defaults filled in). */
export interface StatusResponse {
  status: { conditions: RuntimeCondition[] } | null;
  info: Record<string, string>;
  runtime_handlers: { name: string; features: { recursive_read_only_mounts: boolean; user_namespaces: boolean } | null }[];
  features: { supplemental_groups_policy: boolean; user_namespaces_host_network: boolean } | null;
}

/** runtime.v1 VersionResponse. */
export interface VersionResponse {
  version: string;
  runtime_name: string;
  runtime_version: string;
  runtime_api_version: string;
}

/** runtime.v1 RuntimeConfigResponse (enum as its name). */
export interface RuntimeConfigResponse {
  linux: { cgroup_driver: 'SYSTEMD' | 'CGROUPFS' } | null;
}
