/**
 * Injected faults: scenario.faults plus AwsDouble.inject(). A fault matches by signing name
 * and operation ("*" matches any); `times` counts the calls it still applies to.
 * Every matching Delay adds its wait; the first matching error fault answers the call.
 */
import type { Fault } from '../scenario.js';
import type { AwsError } from './errors.js';
import type { CommonErrors } from './protocols/types.js';

export interface FaultOutcome {
  delayMs: number;
  error?: AwsError;
}

export interface DenialContext {
  /** "arn:aws:sts::123456789012:assumed-role/whybot/whybot-sandbox" */
  callerArn: string;
  /** "cloudtrail:LookupEvents" */
  action: string;
  /** the resource ARN, or "*" */
  resource: string;
}

/** The message IAM writes for an implicit deny, as AWS services return it. */
export function accessDeniedMessage(d: DenialContext): string {
  const onResource = d.resource === '*' ? '' : ` on resource: ${d.resource}`;
  return `User: ${d.callerArn} is not authorized to perform: ${d.action}${onResource} because no identity-based policy allows the ${d.action} action`;
}

export class FaultSet {
  private faults: Fault[] = [];

  constructor(initial: readonly Fault[] = []) {
    for (const f of initial) this.add(f);
  }

  add(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  clear(): void {
    this.faults = [];
  }

  list(): readonly Fault[] {
    return this.faults;
  }

  /** Finds the faults for this call, consumes one use of each applied fault. */
  apply(service: string, operation: string, errors: CommonErrors, denial: () => DenialContext): FaultOutcome {
    const outcome: FaultOutcome = { delayMs: 0 };
    const applied: Fault[] = [];
    for (const f of this.faults) {
      if ((f.service !== '*' && f.service !== service) || (f.operation !== '*' && f.operation !== operation)) continue;
      if (f.kind === 'Delay') {
        outcome.delayMs += f.delayMs ?? 0;
        applied.push(f);
        continue;
      }
      if (outcome.error) continue;
      applied.push(f);
      if (f.kind === 'AccessDenied') outcome.error = errors.accessDenied(accessDeniedMessage(denial()));
      else if (f.kind === 'Throttling') outcome.error = errors.throttling();
      else outcome.error = errors.internal();
    }
    for (const f of applied) {
      if (f.times !== undefined) f.times -= 1;
    }
    this.faults = this.faults.filter((f) => f.times === undefined || f.times > 0);
    return outcome;
  }
}
