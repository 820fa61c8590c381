import type { AwsClients } from '../aws/clients.js';
import type { CheckSpec, ProgressListener } from '../engine/investigation.js';
import type { PlaybookResult } from '../findings.js';
import type { PlaybookEntry } from './catalog.js';

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

export interface Playbook extends PlaybookEntry {
  checks: readonly CheckSpec[];
  /** the longest chain of AWS calls that depend on each other: the floor for time to verdict */
  criticalPathCalls: number;
  /** what the target could be, when none was given (the only one is used; several are offered) */
  candidates?(aws: AwsClients): Promise<Candidate[]>;
  run(aws: AwsClients, input: PlaybookInput, opts: RunOptions): Promise<PlaybookResult>;
}

export const MAX_HOURS = 336;
