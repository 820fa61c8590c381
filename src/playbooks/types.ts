import type { AwsClients } from '../aws/clients.js';
import type { CheckSpec, ProgressListener } from '../engine/investigation.js';
import type { PlaybookResult } from '../findings.js';
import type { AnyRule } from './define.js';
import type { PlaybookMeta } from './playbook-meta.js';

export interface PlaybookInput {
  target: string;
  region: string;
  /** look-back window for events, in hours */
  hours: number;
  /** a secret to check when the DB's password is not RDS-managed */
  secret?: string;
}

export interface RunOptions {
  timeoutMs: number;
  onProgress?: ProgressListener;
  onInternalError?: (checkId: string, err: unknown) => void;
  now?: () => Date;
}

export interface Candidate {
  id: string;
  /** e.g. "cluster, available" */
  description: string;
}

export interface Playbook extends PlaybookMeta {
  checks: readonly CheckSpec[];
  /** one per finding id, in the order they run */
  rules: readonly AnyRule<never>[];
  /** the longest chain of AWS calls that depend on each other: the floor for time to verdict */
  criticalPathCalls: number;
  /** what the target could be, when none was given (the only one is used; several are offered) */
  candidates?(aws: AwsClients): Promise<Candidate[]>;
  run(aws: AwsClients, input: PlaybookInput, opts: RunOptions): Promise<PlaybookResult>;
}

export { MAX_HOURS } from '../time.js';
