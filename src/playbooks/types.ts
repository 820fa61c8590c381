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

/**
 * For a playbook where "nothing to investigate" is itself the answer (no KMS denials, no
 * failed stack): what the ok result says when candidates() finds nothing.
 */
export interface NothingFound {
  /** the result's target: what was looked at, e.g. "every KMS key" */
  target: string;
  /** the lookup candidates() made, reported as the result's first check */
  check: { id: string; title: string };
  /**
   * The verdict's summary, e.g. "No KMS denials in the last 24 h."; `partial` when the lookup
   * stopped before the end of the window (the verdict is then info, not ok).
   */
  summary(hours: number, partial: boolean): string;
}

/**
 * Looking a named target up in one account × Region, for the search across WHYBOT_ACCOUNTS:
 * the resource itself (any state, any case the service accepts), not the candidates() list,
 * which is only what a command without a target would offer.
 */
export interface TargetLookup {
  /** whether a target of this form can be looked up (absent: every form); decrypt-denied finds keys, not roles or stacks */
  accepts?(target: string): boolean;
  /** the target in this place, its id as the investigation names it; undefined when it is not here */
  find(aws: AwsClients, target: string): Promise<Candidate | undefined>;
  /**
   * For a target ARN in an account whybot has no role for, when the incident can still be in
   * a configured one (a KMS key used across accounts: the denial is in the caller's
   * CloudTrail): whether this place used it. Absent: such an ARN is refused by name.
   */
  usedHere?(aws: AwsClients, target: string): Promise<Candidate | undefined>;
}

/** What candidates() found; `partial` when it stopped before looking at everything. */
export type CandidateList = Candidate[] | { candidates: Candidate[]; partial: boolean };

export interface Playbook extends PlaybookMeta {
  checks: readonly CheckSpec[];
  /** one per finding id, in the order they run */
  rules: readonly AnyRule<never>[];
  /** the longest chain of AWS calls that depend on each other: the floor for time to verdict */
  criticalPathCalls: number;
  /** what the target could be, when none was given (the only one is used; several are offered) */
  candidates?(aws: AwsClients, opts?: { hours: number }): Promise<CandidateList>;
  /** finds a named target in one place (absent: the playbook cannot search accounts × Regions for one) */
  lookup?: TargetLookup;
  /** set when no candidate is a healthy answer rather than a question (db-down: no DB is a question) */
  nothingFound?: NothingFound;
  run(aws: AwsClients, input: PlaybookInput, opts: RunOptions): Promise<PlaybookResult>;
}

export { MAX_HOURS } from '../time.js';
