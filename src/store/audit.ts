// One audit record, with its id and time filled in: what every part of whybot that acts
// (the once-only write path, the remediation listeners) appends to the store's trail.
import { randomUUID } from 'node:crypto';
import type { AuditRecord, Store } from './types.js';

export function audit(store: Pick<Store, 'appendAudit'>, r: Omit<AuditRecord, 'id' | 'at'> & { at?: string }): Promise<void> {
  return store.appendAudit({ id: randomUUID(), at: r.at ?? new Date().toISOString(), ...r });
}
