// A secret that rotates weekly breaks start-time readers weekly: the next outage is scheduled.
import { para, rich } from '../../../markup.js';
import type { RemediationRef } from '../../../findings.js';
import { formatUtc } from '../../../time.js';
import { rule } from '../evidence.js';
import { rotationDays, SHORT_INTERVAL_DAYS, SUGGESTED_DAYS } from '../facts.js';

export default rule({
  id: 'short-rotation-interval',
  severity: 'warning',
  summary: `The secret rotates every ${SHORT_INTERVAL_DAYS} days or more often, and ECS services read it only at task start`,
  needs: ['secret', 'ecs-consumers'],
  remediations: ['rotation-schedule', 'show-cli'],
  apply(e) {
    const s = e.secret;
    if (!s?.rotationEnabled || !e.consumers?.length) return undefined;
    const days = rotationDays(s);
    if (days === undefined || days > SHORT_INTERVAL_DAYS) return undefined;
    const names = e.consumers.map((c) => c.service.name);
    const remediations: RemediationRef[] = [
      {
        id: 'rotation-schedule',
        label: `Rotate every ${SUGGESTED_DAYS} days instead of ${days}`,
        params: { secretId: s.arn, days: SUGGESTED_DAYS, currentDays: Math.max(1, Math.round(days)), region: e.input.region },
      },
      { id: 'show-cli', label: 'Show CLI commands', params: {} },
    ];
    const next = s.nextRotation ? formatUtc(s.nextRotation) : undefined;
    return {
      data: { secret: s.name, days, services: names, ...(s.nextRotation ? { nextRotation: s.nextRotation } : {}) },
      title: `Secret ${s.name} rotates every ${days} days; ${names.join(', ')} read${names.length === 1 ? 's' : ''} it only at task start`,
      detail: rich(
        para(
          next
            ? `Next rotation: ${next}. Tasks running then will break again unless redeployed after it.`
            : 'Tasks running at the next rotation will break again unless redeployed after it.',
          s.owningService === 'rds' && ' RDS-managed secrets rotate every 7 days by default.',
          ` A longer interval (e.g. ${SUGGESTED_DAYS} days) buys time; redeploy-on-rotation fixes it.`,
        ),
      ),
      evidence: [
        { source: 'Secrets Manager', text: `rotation every ${days} days${s.scheduleExpression ? ` (${s.scheduleExpression})` : ''}` },
        ...(s.nextRotation ? [{ source: 'Secrets Manager', time: s.nextRotation.toISOString(), text: 'next rotation' }] : []),
      ],
      remediations,
    };
  },
});
