// Original file: libs/proto/proto/kumi/v1/kumi.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ListAgentsRequest as _kumi_v1_ListAgentsRequest, ListAgentsRequest__Output as _kumi_v1_ListAgentsRequest__Output } from '../../kumi/v1/ListAgentsRequest';
import type { ListAgentsResponse as _kumi_v1_ListAgentsResponse, ListAgentsResponse__Output as _kumi_v1_ListAgentsResponse__Output } from '../../kumi/v1/ListAgentsResponse';
import type { RunStepRequest as _kumi_v1_RunStepRequest, RunStepRequest__Output as _kumi_v1_RunStepRequest__Output } from '../../kumi/v1/RunStepRequest';
import type { StepEvent as _kumi_v1_StepEvent, StepEvent__Output as _kumi_v1_StepEvent__Output } from '../../kumi/v1/StepEvent';

/**
 * Control is served by `kumi serve` on a 0600 unix socket in the cluster state folder,
 * for the other `kumi` commands on the same machine.
 */
export interface ControlClient extends grpc.Client {
  ListAgents(argument: _kumi_v1_ListAgentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _kumi_v1_ListAgentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kumi_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _kumi_v1_ListAgentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _kumi_v1_ListAgentsRequest, callback: grpc.requestCallback<_kumi_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _kumi_v1_ListAgentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _kumi_v1_ListAgentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kumi_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _kumi_v1_ListAgentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _kumi_v1_ListAgentsRequest, callback: grpc.requestCallback<_kumi_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * RunStep sends one step to one attached host and streams its events until the
   * step ends (DONE, NOOP or FAILED).
   */
  RunStep(argument: _kumi_v1_RunStepRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_kumi_v1_StepEvent__Output>;
  RunStep(argument: _kumi_v1_RunStepRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_kumi_v1_StepEvent__Output>;
  /**
   * RunStep sends one step to one attached host and streams its events until the
   * step ends (DONE, NOOP or FAILED).
   */
  runStep(argument: _kumi_v1_RunStepRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_kumi_v1_StepEvent__Output>;
  runStep(argument: _kumi_v1_RunStepRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_kumi_v1_StepEvent__Output>;
  
}

/**
 * Control is served by `kumi serve` on a 0600 unix socket in the cluster state folder,
 * for the other `kumi` commands on the same machine.
 */
export interface ControlHandlers extends grpc.UntypedServiceImplementation {
  ListAgents: grpc.handleUnaryCall<_kumi_v1_ListAgentsRequest__Output, _kumi_v1_ListAgentsResponse>;
  
  /**
   * RunStep sends one step to one attached host and streams its events until the
   * step ends (DONE, NOOP or FAILED).
   */
  RunStep: grpc.handleServerStreamingCall<_kumi_v1_RunStepRequest__Output, _kumi_v1_StepEvent>;
  
}

export interface ControlDefinition extends grpc.ServiceDefinition {
  ListAgents: MethodDefinition<_kumi_v1_ListAgentsRequest, _kumi_v1_ListAgentsResponse, _kumi_v1_ListAgentsRequest__Output, _kumi_v1_ListAgentsResponse__Output>
  RunStep: MethodDefinition<_kumi_v1_RunStepRequest, _kumi_v1_StepEvent, _kumi_v1_RunStepRequest__Output, _kumi_v1_StepEvent__Output>
}
