// AWS clients as the configuration asks for them, by purpose.
import type { Config } from '../config.js';
import { AwsClients } from './clients.js';

type ForRegion = (region: string) => AwsClients;

/** Investigations: identical recent reads shared with the rest of the process. */
export const investigationAws = (config: Config): ForRegion => (region) =>
  new AwsClients({ region, profile: config.profile, maxAttempts: config.awsMaxAttempts, shareReads: true });

/** Alerts, verification, reconciliation: reads of their own (they poll for change). */
export const readerAws = (config: Config): ForRegion => (region) =>
  new AwsClients({ region, profile: config.profile, maxAttempts: config.awsMaxAttempts });

/** The write itself: one attempt with a timeout; a lost outcome is reconciled, never retried blindly. */
export const WRITE_TIMEOUT_MS = 15_000;
export const writerAws = (config: Config): ForRegion => (region) =>
  new AwsClients({ region, profile: config.profile, maxAttempts: 1, requestTimeoutMs: WRITE_TIMEOUT_MS });
