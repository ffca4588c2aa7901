import type {
  ExecuteWorkflowRequest,
  ExecuteWorkflowResult,
  ExpressionEvaluator,
  Logger,
  NodeHelpers,
  WebhookResponse,
} from '@budflow/node-sdk';
import type { Clock, CredentialResolver, ExecutionObserver, NodeRegistry } from '../ports.js';

/** The adapters one execution runs with (ports plus per-execution hooks). */
export interface EngineServices {
  registry: NodeRegistry;
  evaluator: ExpressionEvaluator | undefined;
  credentials: CredentialResolver | undefined;
  helpers: NodeHelpers | undefined;
  observer: ExecutionObserver | undefined;
  clock: Clock;
  logger: Logger | undefined;
  vars: Record<string, string> | undefined;
  secrets: Record<string, Record<string, string>> | undefined;
  env: Record<string, string> | undefined;
  /** Base of `$execution.resumeUrl` (the server's `/webhook-waiting`). */
  resumeUrl: string | undefined;
  onResponse: ((response: WebhookResponse) => void) | undefined;
  executeWorkflow(
    request: ExecuteWorkflowRequest,
    nodeName: string,
  ): Promise<ExecuteWorkflowResult>;
}
