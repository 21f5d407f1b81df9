// Original file: libs/proto/proto/kumi/v1/kumi.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentMessage as _kumi_v1_AgentMessage, AgentMessage__Output as _kumi_v1_AgentMessage__Output } from '../../kumi/v1/AgentMessage';
import type { CoordinatorMessage as _kumi_v1_CoordinatorMessage, CoordinatorMessage__Output as _kumi_v1_CoordinatorMessage__Output } from '../../kumi/v1/CoordinatorMessage';
import type { EnrollRequest as _kumi_v1_EnrollRequest, EnrollRequest__Output as _kumi_v1_EnrollRequest__Output } from '../../kumi/v1/EnrollRequest';
import type { EnrollResponse as _kumi_v1_EnrollResponse, EnrollResponse__Output as _kumi_v1_EnrollResponse__Output } from '../../kumi/v1/EnrollResponse';

/**
 * Coordinator is served by `kumi` on its TLS port (default 7443). Agents dial out.
 */
export interface CoordinatorClient extends grpc.Client {
  /**
   * Attach is the agent's long-lived session over mutual TLS. Upstream: a Hello first,
   * then step events. Downstream: step requests, cancels and acknowledgements.
   */
  Attach(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_kumi_v1_AgentMessage, _kumi_v1_CoordinatorMessage__Output>;
  Attach(options?: grpc.CallOptions): grpc.ClientDuplexStream<_kumi_v1_AgentMessage, _kumi_v1_CoordinatorMessage__Output>;
  /**
   * Attach is the agent's long-lived session over mutual TLS. Upstream: a Hello first,
   * then step events. Downstream: step requests, cancels and acknowledgements.
   */
  attach(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_kumi_v1_AgentMessage, _kumi_v1_CoordinatorMessage__Output>;
  attach(options?: grpc.CallOptions): grpc.ClientDuplexStream<_kumi_v1_AgentMessage, _kumi_v1_CoordinatorMessage__Output>;
  
  /**
   * Enroll is the only call allowed without a client certificate. The server side of
   * TLS is checked by the agent against the CA pin; the request carries a single-use
   * bootstrap token and a CSR for a key the agent made itself.
   */
  Enroll(argument: _kumi_v1_EnrollRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  Enroll(argument: _kumi_v1_EnrollRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kumi_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  Enroll(argument: _kumi_v1_EnrollRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  Enroll(argument: _kumi_v1_EnrollRequest, callback: grpc.requestCallback<_kumi_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Enroll is the only call allowed without a client certificate. The server side of
   * TLS is checked by the agent against the CA pin; the request carries a single-use
   * bootstrap token and a CSR for a key the agent made itself.
   */
  enroll(argument: _kumi_v1_EnrollRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _kumi_v1_EnrollRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kumi_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _kumi_v1_EnrollRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  enroll(argument: _kumi_v1_EnrollRequest, callback: grpc.requestCallback<_kumi_v1_EnrollResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * Coordinator is served by `kumi` on its TLS port (default 7443). Agents dial out.
 */
export interface CoordinatorHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Attach is the agent's long-lived session over mutual TLS. Upstream: a Hello first,
   * then step events. Downstream: step requests, cancels and acknowledgements.
   */
  Attach: grpc.handleBidiStreamingCall<_kumi_v1_AgentMessage__Output, _kumi_v1_CoordinatorMessage>;
  
  /**
   * Enroll is the only call allowed without a client certificate. The server side of
   * TLS is checked by the agent against the CA pin; the request carries a single-use
   * bootstrap token and a CSR for a key the agent made itself.
   */
  Enroll: grpc.handleUnaryCall<_kumi_v1_EnrollRequest__Output, _kumi_v1_EnrollResponse>;
  
}

export interface CoordinatorDefinition extends grpc.ServiceDefinition {
  Attach: MethodDefinition<_kumi_v1_AgentMessage, _kumi_v1_CoordinatorMessage, _kumi_v1_AgentMessage__Output, _kumi_v1_CoordinatorMessage__Output>
  Enroll: MethodDefinition<_kumi_v1_EnrollRequest, _kumi_v1_EnrollResponse, _kumi_v1_EnrollRequest__Output, _kumi_v1_EnrollResponse__Output>
}
