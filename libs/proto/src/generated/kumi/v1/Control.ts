// Original file: libs/proto/proto/kumi/v1/kumi.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CreateTokenRequest as _kumi_v1_CreateTokenRequest, CreateTokenRequest__Output as _kumi_v1_CreateTokenRequest__Output } from '../../kumi/v1/CreateTokenRequest';
import type { CreateTokenResponse as _kumi_v1_CreateTokenResponse, CreateTokenResponse__Output as _kumi_v1_CreateTokenResponse__Output } from '../../kumi/v1/CreateTokenResponse';
import type { DeleteTokenRequest as _kumi_v1_DeleteTokenRequest, DeleteTokenRequest__Output as _kumi_v1_DeleteTokenRequest__Output } from '../../kumi/v1/DeleteTokenRequest';
import type { DeleteTokenResponse as _kumi_v1_DeleteTokenResponse, DeleteTokenResponse__Output as _kumi_v1_DeleteTokenResponse__Output } from '../../kumi/v1/DeleteTokenResponse';
import type { ListAgentsRequest as _kumi_v1_ListAgentsRequest, ListAgentsRequest__Output as _kumi_v1_ListAgentsRequest__Output } from '../../kumi/v1/ListAgentsRequest';
import type { ListAgentsResponse as _kumi_v1_ListAgentsResponse, ListAgentsResponse__Output as _kumi_v1_ListAgentsResponse__Output } from '../../kumi/v1/ListAgentsResponse';
import type { ListTokensRequest as _kumi_v1_ListTokensRequest, ListTokensRequest__Output as _kumi_v1_ListTokensRequest__Output } from '../../kumi/v1/ListTokensRequest';
import type { ListTokensResponse as _kumi_v1_ListTokensResponse, ListTokensResponse__Output as _kumi_v1_ListTokensResponse__Output } from '../../kumi/v1/ListTokensResponse';
import type { RunStepRequest as _kumi_v1_RunStepRequest, RunStepRequest__Output as _kumi_v1_RunStepRequest__Output } from '../../kumi/v1/RunStepRequest';
import type { StepEvent as _kumi_v1_StepEvent, StepEvent__Output as _kumi_v1_StepEvent__Output } from '../../kumi/v1/StepEvent';

/**
 * Control is served by `kumi serve` on a 0600 unix socket in the cluster state folder,
 * for the other `kumi` commands on the same machine.
 */
export interface ControlClient extends grpc.Client {
  /**
   * Token calls: the process that serves owns the state folder, so `kumi token
   * create|list|delete` (and `kumi cloud-init`) go through it while it runs.
   */
  CreateToken(argument: _kumi_v1_CreateTokenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_CreateTokenResponse__Output>): grpc.ClientUnaryCall;
  CreateToken(argument: _kumi_v1_CreateTokenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kumi_v1_CreateTokenResponse__Output>): grpc.ClientUnaryCall;
  CreateToken(argument: _kumi_v1_CreateTokenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_CreateTokenResponse__Output>): grpc.ClientUnaryCall;
  CreateToken(argument: _kumi_v1_CreateTokenRequest, callback: grpc.requestCallback<_kumi_v1_CreateTokenResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Token calls: the process that serves owns the state folder, so `kumi token
   * create|list|delete` (and `kumi cloud-init`) go through it while it runs.
   */
  createToken(argument: _kumi_v1_CreateTokenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_CreateTokenResponse__Output>): grpc.ClientUnaryCall;
  createToken(argument: _kumi_v1_CreateTokenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kumi_v1_CreateTokenResponse__Output>): grpc.ClientUnaryCall;
  createToken(argument: _kumi_v1_CreateTokenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_CreateTokenResponse__Output>): grpc.ClientUnaryCall;
  createToken(argument: _kumi_v1_CreateTokenRequest, callback: grpc.requestCallback<_kumi_v1_CreateTokenResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteToken(argument: _kumi_v1_DeleteTokenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_DeleteTokenResponse__Output>): grpc.ClientUnaryCall;
  DeleteToken(argument: _kumi_v1_DeleteTokenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kumi_v1_DeleteTokenResponse__Output>): grpc.ClientUnaryCall;
  DeleteToken(argument: _kumi_v1_DeleteTokenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_DeleteTokenResponse__Output>): grpc.ClientUnaryCall;
  DeleteToken(argument: _kumi_v1_DeleteTokenRequest, callback: grpc.requestCallback<_kumi_v1_DeleteTokenResponse__Output>): grpc.ClientUnaryCall;
  deleteToken(argument: _kumi_v1_DeleteTokenRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_DeleteTokenResponse__Output>): grpc.ClientUnaryCall;
  deleteToken(argument: _kumi_v1_DeleteTokenRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kumi_v1_DeleteTokenResponse__Output>): grpc.ClientUnaryCall;
  deleteToken(argument: _kumi_v1_DeleteTokenRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_DeleteTokenResponse__Output>): grpc.ClientUnaryCall;
  deleteToken(argument: _kumi_v1_DeleteTokenRequest, callback: grpc.requestCallback<_kumi_v1_DeleteTokenResponse__Output>): grpc.ClientUnaryCall;
  
  ListAgents(argument: _kumi_v1_ListAgentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _kumi_v1_ListAgentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kumi_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _kumi_v1_ListAgentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  ListAgents(argument: _kumi_v1_ListAgentsRequest, callback: grpc.requestCallback<_kumi_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _kumi_v1_ListAgentsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _kumi_v1_ListAgentsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kumi_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _kumi_v1_ListAgentsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  listAgents(argument: _kumi_v1_ListAgentsRequest, callback: grpc.requestCallback<_kumi_v1_ListAgentsResponse__Output>): grpc.ClientUnaryCall;
  
  ListTokens(argument: _kumi_v1_ListTokensRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  ListTokens(argument: _kumi_v1_ListTokensRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kumi_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  ListTokens(argument: _kumi_v1_ListTokensRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  ListTokens(argument: _kumi_v1_ListTokensRequest, callback: grpc.requestCallback<_kumi_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  listTokens(argument: _kumi_v1_ListTokensRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  listTokens(argument: _kumi_v1_ListTokensRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kumi_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  listTokens(argument: _kumi_v1_ListTokensRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kumi_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  listTokens(argument: _kumi_v1_ListTokensRequest, callback: grpc.requestCallback<_kumi_v1_ListTokensResponse__Output>): grpc.ClientUnaryCall;
  
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
  /**
   * Token calls: the process that serves owns the state folder, so `kumi token
   * create|list|delete` (and `kumi cloud-init`) go through it while it runs.
   */
  CreateToken: grpc.handleUnaryCall<_kumi_v1_CreateTokenRequest__Output, _kumi_v1_CreateTokenResponse>;
  
  DeleteToken: grpc.handleUnaryCall<_kumi_v1_DeleteTokenRequest__Output, _kumi_v1_DeleteTokenResponse>;
  
  ListAgents: grpc.handleUnaryCall<_kumi_v1_ListAgentsRequest__Output, _kumi_v1_ListAgentsResponse>;
  
  ListTokens: grpc.handleUnaryCall<_kumi_v1_ListTokensRequest__Output, _kumi_v1_ListTokensResponse>;
  
  /**
   * RunStep sends one step to one attached host and streams its events until the
   * step ends (DONE, NOOP or FAILED).
   */
  RunStep: grpc.handleServerStreamingCall<_kumi_v1_RunStepRequest__Output, _kumi_v1_StepEvent>;
  
}

export interface ControlDefinition extends grpc.ServiceDefinition {
  CreateToken: MethodDefinition<_kumi_v1_CreateTokenRequest, _kumi_v1_CreateTokenResponse, _kumi_v1_CreateTokenRequest__Output, _kumi_v1_CreateTokenResponse__Output>
  DeleteToken: MethodDefinition<_kumi_v1_DeleteTokenRequest, _kumi_v1_DeleteTokenResponse, _kumi_v1_DeleteTokenRequest__Output, _kumi_v1_DeleteTokenResponse__Output>
  ListAgents: MethodDefinition<_kumi_v1_ListAgentsRequest, _kumi_v1_ListAgentsResponse, _kumi_v1_ListAgentsRequest__Output, _kumi_v1_ListAgentsResponse__Output>
  ListTokens: MethodDefinition<_kumi_v1_ListTokensRequest, _kumi_v1_ListTokensResponse, _kumi_v1_ListTokensRequest__Output, _kumi_v1_ListTokensResponse__Output>
  RunStep: MethodDefinition<_kumi_v1_RunStepRequest, _kumi_v1_StepEvent, _kumi_v1_RunStepRequest__Output, _kumi_v1_StepEvent__Output>
}
