import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Ack as _kumi_v1_Ack, Ack__Output as _kumi_v1_Ack__Output } from './kumi/v1/Ack';
import type { AgentInfo as _kumi_v1_AgentInfo, AgentInfo__Output as _kumi_v1_AgentInfo__Output } from './kumi/v1/AgentInfo';
import type { AgentMessage as _kumi_v1_AgentMessage, AgentMessage__Output as _kumi_v1_AgentMessage__Output } from './kumi/v1/AgentMessage';
import type { Cancel as _kumi_v1_Cancel, Cancel__Output as _kumi_v1_Cancel__Output } from './kumi/v1/Cancel';
import type { ControlClient as _kumi_v1_ControlClient, ControlDefinition as _kumi_v1_ControlDefinition } from './kumi/v1/Control';
import type { CoordinatorClient as _kumi_v1_CoordinatorClient, CoordinatorDefinition as _kumi_v1_CoordinatorDefinition } from './kumi/v1/Coordinator';
import type { CoordinatorMessage as _kumi_v1_CoordinatorMessage, CoordinatorMessage__Output as _kumi_v1_CoordinatorMessage__Output } from './kumi/v1/CoordinatorMessage';
import type { CreateTokenRequest as _kumi_v1_CreateTokenRequest, CreateTokenRequest__Output as _kumi_v1_CreateTokenRequest__Output } from './kumi/v1/CreateTokenRequest';
import type { CreateTokenResponse as _kumi_v1_CreateTokenResponse, CreateTokenResponse__Output as _kumi_v1_CreateTokenResponse__Output } from './kumi/v1/CreateTokenResponse';
import type { DeleteTokenRequest as _kumi_v1_DeleteTokenRequest, DeleteTokenRequest__Output as _kumi_v1_DeleteTokenRequest__Output } from './kumi/v1/DeleteTokenRequest';
import type { DeleteTokenResponse as _kumi_v1_DeleteTokenResponse, DeleteTokenResponse__Output as _kumi_v1_DeleteTokenResponse__Output } from './kumi/v1/DeleteTokenResponse';
import type { EnrollRequest as _kumi_v1_EnrollRequest, EnrollRequest__Output as _kumi_v1_EnrollRequest__Output } from './kumi/v1/EnrollRequest';
import type { EnrollResponse as _kumi_v1_EnrollResponse, EnrollResponse__Output as _kumi_v1_EnrollResponse__Output } from './kumi/v1/EnrollResponse';
import type { Facts as _kumi_v1_Facts, Facts__Output as _kumi_v1_Facts__Output } from './kumi/v1/Facts';
import type { FetchFile as _kumi_v1_FetchFile, FetchFile__Output as _kumi_v1_FetchFile__Output } from './kumi/v1/FetchFile';
import type { FileChunk as _kumi_v1_FileChunk, FileChunk__Output as _kumi_v1_FileChunk__Output } from './kumi/v1/FileChunk';
import type { Hello as _kumi_v1_Hello, Hello__Output as _kumi_v1_Hello__Output } from './kumi/v1/Hello';
import type { ListAgentsRequest as _kumi_v1_ListAgentsRequest, ListAgentsRequest__Output as _kumi_v1_ListAgentsRequest__Output } from './kumi/v1/ListAgentsRequest';
import type { ListAgentsResponse as _kumi_v1_ListAgentsResponse, ListAgentsResponse__Output as _kumi_v1_ListAgentsResponse__Output } from './kumi/v1/ListAgentsResponse';
import type { ListTokensRequest as _kumi_v1_ListTokensRequest, ListTokensRequest__Output as _kumi_v1_ListTokensRequest__Output } from './kumi/v1/ListTokensRequest';
import type { ListTokensResponse as _kumi_v1_ListTokensResponse, ListTokensResponse__Output as _kumi_v1_ListTokensResponse__Output } from './kumi/v1/ListTokensResponse';
import type { NetInterface as _kumi_v1_NetInterface, NetInterface__Output as _kumi_v1_NetInterface__Output } from './kumi/v1/NetInterface';
import type { OsInfo as _kumi_v1_OsInfo, OsInfo__Output as _kumi_v1_OsInfo__Output } from './kumi/v1/OsInfo';
import type { RunStepRequest as _kumi_v1_RunStepRequest, RunStepRequest__Output as _kumi_v1_RunStepRequest__Output } from './kumi/v1/RunStepRequest';
import type { StepError as _kumi_v1_StepError, StepError__Output as _kumi_v1_StepError__Output } from './kumi/v1/StepError';
import type { StepEvent as _kumi_v1_StepEvent, StepEvent__Output as _kumi_v1_StepEvent__Output } from './kumi/v1/StepEvent';
import type { StepRequest as _kumi_v1_StepRequest, StepRequest__Output as _kumi_v1_StepRequest__Output } from './kumi/v1/StepRequest';
import type { SwapInfo as _kumi_v1_SwapInfo, SwapInfo__Output as _kumi_v1_SwapInfo__Output } from './kumi/v1/SwapInfo';
import type { TokenInfo as _kumi_v1_TokenInfo, TokenInfo__Output as _kumi_v1_TokenInfo__Output } from './kumi/v1/TokenInfo';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  kumi: {
    v1: {
      Ack: MessageTypeDefinition<_kumi_v1_Ack, _kumi_v1_Ack__Output>
      AgentInfo: MessageTypeDefinition<_kumi_v1_AgentInfo, _kumi_v1_AgentInfo__Output>
      AgentMessage: MessageTypeDefinition<_kumi_v1_AgentMessage, _kumi_v1_AgentMessage__Output>
      Cancel: MessageTypeDefinition<_kumi_v1_Cancel, _kumi_v1_Cancel__Output>
      /**
       * Control is served by `kumi serve` on a 0600 unix socket in the cluster state folder,
       * for the other `kumi` commands on the same machine.
       */
      Control: SubtypeConstructor<typeof grpc.Client, _kumi_v1_ControlClient> & { service: _kumi_v1_ControlDefinition }
      /**
       * Coordinator is served by `kumi` on its TLS port (default 7443). Agents dial out.
       */
      Coordinator: SubtypeConstructor<typeof grpc.Client, _kumi_v1_CoordinatorClient> & { service: _kumi_v1_CoordinatorDefinition }
      CoordinatorMessage: MessageTypeDefinition<_kumi_v1_CoordinatorMessage, _kumi_v1_CoordinatorMessage__Output>
      CreateTokenRequest: MessageTypeDefinition<_kumi_v1_CreateTokenRequest, _kumi_v1_CreateTokenRequest__Output>
      CreateTokenResponse: MessageTypeDefinition<_kumi_v1_CreateTokenResponse, _kumi_v1_CreateTokenResponse__Output>
      DeleteTokenRequest: MessageTypeDefinition<_kumi_v1_DeleteTokenRequest, _kumi_v1_DeleteTokenRequest__Output>
      DeleteTokenResponse: MessageTypeDefinition<_kumi_v1_DeleteTokenResponse, _kumi_v1_DeleteTokenResponse__Output>
      EnrollRequest: MessageTypeDefinition<_kumi_v1_EnrollRequest, _kumi_v1_EnrollRequest__Output>
      EnrollResponse: MessageTypeDefinition<_kumi_v1_EnrollResponse, _kumi_v1_EnrollResponse__Output>
      ErrorCode: EnumTypeDefinition
      EventKind: EnumTypeDefinition
      Facts: MessageTypeDefinition<_kumi_v1_Facts, _kumi_v1_Facts__Output>
      FetchFile: MessageTypeDefinition<_kumi_v1_FetchFile, _kumi_v1_FetchFile__Output>
      FileChunk: MessageTypeDefinition<_kumi_v1_FileChunk, _kumi_v1_FileChunk__Output>
      Hello: MessageTypeDefinition<_kumi_v1_Hello, _kumi_v1_Hello__Output>
      ListAgentsRequest: MessageTypeDefinition<_kumi_v1_ListAgentsRequest, _kumi_v1_ListAgentsRequest__Output>
      ListAgentsResponse: MessageTypeDefinition<_kumi_v1_ListAgentsResponse, _kumi_v1_ListAgentsResponse__Output>
      ListTokensRequest: MessageTypeDefinition<_kumi_v1_ListTokensRequest, _kumi_v1_ListTokensRequest__Output>
      ListTokensResponse: MessageTypeDefinition<_kumi_v1_ListTokensResponse, _kumi_v1_ListTokensResponse__Output>
      NetInterface: MessageTypeDefinition<_kumi_v1_NetInterface, _kumi_v1_NetInterface__Output>
      OsInfo: MessageTypeDefinition<_kumi_v1_OsInfo, _kumi_v1_OsInfo__Output>
      OutputStream: EnumTypeDefinition
      RunStepRequest: MessageTypeDefinition<_kumi_v1_RunStepRequest, _kumi_v1_RunStepRequest__Output>
      StepError: MessageTypeDefinition<_kumi_v1_StepError, _kumi_v1_StepError__Output>
      StepEvent: MessageTypeDefinition<_kumi_v1_StepEvent, _kumi_v1_StepEvent__Output>
      StepRequest: MessageTypeDefinition<_kumi_v1_StepRequest, _kumi_v1_StepRequest__Output>
      SwapInfo: MessageTypeDefinition<_kumi_v1_SwapInfo, _kumi_v1_SwapInfo__Output>
      TokenInfo: MessageTypeDefinition<_kumi_v1_TokenInfo, _kumi_v1_TokenInfo__Output>
    }
  }
}

