// Incident 003: ECS tasks started before the password changed still hold the old one.
import { code, list, para, rich, strong, type Block } from '../../../markup.js';
import type { RemediationRef } from '../../../findings.js';
import { formatDuration, formatUtc } from '../../../time.js';
import { startedBefore } from '../../consumers.js';
import { rule } from '../evidence.js';
import { changeSourceName, lastPasswordChange, secretName } from '../facts.js';

const GUIDANCE: Block[] = [
  para(strong('Lasting fixes'), ' (incident 003):'),
  list(
    ['Redeploy consumers on rotation: an EventBridge rule on ', code('RotationSucceeded'), ' that forces a new ECS deployment (whybot’s rotation alerts can do this).'],
    'Make the app re-fetch the secret when the database rejects its password, instead of only at start.',
    'Use IAM database authentication, so there is no password to rotate.',
    'Meanwhile, a longer rotation interval buys time; it does not fix the cause.',
  ),
];

export default rule({
  id: 'stale-credentials',
  severity: 'critical',
  summary: 'Running tasks of an ECS service that reads the secret started before the password changed (incident 003)',
  needs: ['ecs-consumers', 'ecs-tasks'],
  remediations: ['ecs-redeploy', 'show-cli'],
  apply(e) {
    const change = lastPasswordChange(e);
    const { consumers, tasks: tasksOf } = e;
    if (!change || !consumers || !tasksOf) return undefined;
    const secret = secretName(e);
    return consumers.flatMap((c) => {
      const tasks = tasksOf.get(c.service.arn) ?? [];
      const stale = startedBefore(tasks, change.time);
      const n = stale.length;
      if (n === 0) return [];
      const { name: service, clusterName: cluster } = c.service;
      const remediations: RemediationRef[] = [
        { id: 'ecs-redeploy', label: `Redeploy ${service}`, params: { cluster, service, region: e.input.region, after: change.time.toISOString() } },
        { id: 'show-cli', label: 'Show CLI commands', params: {} },
      ];
      return [
        {
          data: { service, cluster, secret, staleTasks: n, tasks: tasks.length, changedAt: change.time, changeSource: change.source },
          title: `${n} of ${tasks.length} tasks of ECS service ${service} started before the password changed at ${formatUtc(change.time)}`,
          detail: rich(
            para(
              'ECS resolves ',
              code('secrets'),
              ` once, when a task starts. ${n === 1 ? 'This task' : `These ${n} tasks`} of `,
              code(service),
              ' (cluster ',
              code(cluster),
              ') still hold the password from before secret ',
              code(secret ?? '?'),
              ` rotated (${change.source}); new connections from them fail to log in. `,
              'Redeploying the service starts tasks that read the current value.',
            ),
            ...GUIDANCE,
          ),
          evidence: [
            { source: changeSourceName(change), time: change.time.toISOString(), text: `password changed (${change.source})` },
            ...c.refs.map((r) => ({ source: 'ECS task definition', text: `${r.container} gets ${r.name} from ${r.valueFrom}` })),
            ...stale.map((t) => ({
              source: 'ECS task',
              time: t.startedAt!.toISOString(),
              text: `task ${t.id} started ${formatDuration(change.time.getTime() - t.startedAt!.getTime())} before the change`,
            })),
          ],
          remediations,
        },
      ];
    });
  },
});
