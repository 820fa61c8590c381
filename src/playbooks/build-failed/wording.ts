// Evidence lines and sentences the rules share.
import type { Evidence } from '../../findings.js';
import type { BuildFailedEvidence } from './evidence.js';
import { buildName, firstLine, type FailedBuild, type SecretRef } from './facts.js';

export const project = (e: BuildFailedEvidence) => e.project?.name ?? e.input.target;

export function failureEvidence(f: FailedBuild): Evidence[] {
  const at = f.phase.end ?? f.phase.start ?? f.build.end ?? f.build.start;
  return [
    {
      source: 'CodeBuild',
      ...(at ? { time: at.toISOString() } : {}),
      text: `${buildName(f.build)} ${f.build.status ?? 'FAILED'} in ${f.phase.type}${f.phase.durationSeconds !== undefined ? ` after ${f.phase.durationSeconds} s` : ''}: ${firstLine(f.message) || '(no message)'}`,
    },
    ...(f.build.environment.image ? [{ source: 'CodeBuild', text: `image ${f.build.environment.image}${f.build.environment.type ? ` (${f.build.environment.type})` : ''}` }] : []),
  ];
}

export const refText = (r: SecretRef) => `${r.name} ← ${r.service === 'ssm' ? 'parameter' : 'secret'} ${r.reference}${r.from === 'buildspec' ? ' (buildspec env)' : ''}`;

export const streakText = (f: FailedBuild) => (f.streak > 1 ? ` (the last ${f.streak} builds failed the same way)` : '');
