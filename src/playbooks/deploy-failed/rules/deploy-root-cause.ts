// The first failure of the latest deploy attempt, with its cascades folded; a KMS denial is
// explained by decrypt-denied's run (whose fixes are offered here). When the events show no
// failed resource, the stack's own status and reason.
import type { Evidence, RemediationRef, Severity } from '../../../findings.js';
import { code, list, para, rich, type Block } from '../../../markup.js';
import { formatUtc } from '../../../time.js';
import type { Hit } from '../../define.js';
import { DECRYPT_DENIED_REMEDIATIONS, decryptRemediations } from '../decrypt-link.js';
import { MAX_EVENTS, type KmsDenial } from '../events.js';
import { rule } from '../evidence.js';
import { eventText, foldCascades, oneLine, shortReason } from '../wording.js';

export type RootCauseData =
  | {
      kind: 'first-failure';
      stack: string;
      /** the nested stack the failure started in */
      nestedStack?: string;
      logicalId: string;
      type: string;
      status: string;
      time: Date;
      /** the reason, short (a KMS denial as "role X may not kms:Decrypt key Y") */
      reason: string;
      cascades: number;
      kms?: KmsDenial;
      /** decrypt-denied's verdict on the denial, when it ran */
      decrypt?: { target: string; severity: Severity; summary: string };
    }
  | {
      /** the stack's status says it failed; its events name no failed resource */
      kind: 'status-only';
      stack: string;
      status: string;
      statusReason?: string;
    };

const showCli: RemediationRef = { id: 'show-cli', label: 'Show CLI commands', params: {} };

export default rule({
  id: 'deploy-root-cause',
  severity: 'critical',
  summary: 'The first failure of the latest deploy (cascades folded); a KMS denial handed to decrypt-denied',
  needs: ['stack-events'],
  remediations: [...DECRYPT_DENIED_REMEDIATIONS, 'show-cli'],
  apply(e): Hit<RootCauseData> | undefined {
    const root = e.root;
    const name = e.stack?.name ?? e.input.target;
    if (!root) {
      if (!e.stack || !/FAILED|ROLLBACK/.test(e.stack.status) || !e.attempt) return undefined;
      // A failed status without a failed resource in the events read (older than the window?).
      const data: RootCauseData = {
        kind: 'status-only',
        stack: name,
        status: e.stack.status,
        ...(e.stack.statusReason ? { statusReason: e.stack.statusReason } : {}),
      };
      return {
        data,
        severity: 'warning',
        title: `${name} is ${e.stack.status}; no failed resource in its ${e.eventsTruncated ? `latest ${MAX_EVENTS} ` : ''}events`,
        detail: rich(`CloudFormation says: ${e.stack.statusReason ?? 'no reason given'}.`),
        evidence: [{ source: 'CloudFormation', text: `stack status ${e.stack.status}${e.stack.statusReason ? `: ${e.stack.statusReason}` : ''}` }],
      };
    }
    const ev = root.event;
    const where = root.stackName === name ? '' : ` (nested stack ${root.stackName})`;
    const n = root.cascades.length;
    const blocks: Block[] = [
      para(`CloudFormation’s first failure${where}, at ${formatUtc(ev.time)}: `, code(ev.logicalId), ` (${ev.type}) ${ev.status}.`),
      para(`Reason: ${oneLine(ev.reason, 1000) || 'none given'}`),
    ];
    if (n > 0) blocks.push(para(`${n} later failure${n === 1 ? ' is a cascade' : 's are cascades'} of this one (folded): ${foldCascades(root.cascades)}.`));
    const evidence: Evidence[] = [{ source: 'CloudFormation', time: ev.time.toISOString(), text: eventText(ev) }];
    if (n > 0) evidence.push({ source: 'CloudFormation', text: `${n} cascade${n === 1 ? '' : 's'} folded: ${foldCascades(root.cascades)}` });
    let remediations: RemediationRef[] = [];
    if (root.kms) {
      const who = root.kms.principalArn ? ` for ${root.kms.principalArn}` : '';
      const key = root.kms.keyArn ? ` on ${root.kms.keyArn}` : '';
      blocks.push(para(`This is a KMS denial (${root.kms.action ?? 'kms'}${key}${who}): whatever else failed, the deploy cannot succeed until that principal may use that key.`));
      if (e.decrypt) {
        blocks.push(para('decrypt-denied (', code(e.decrypt.target), `) says: ${e.decrypt.verdict.summary}`));
        const notes = e.decrypt.findings.filter((x) => x.severity !== 'ok').slice(0, 3);
        if (notes.length > 0) blocks.push(list(...notes.map((f) => f.title)));
        evidence.push({ source: 'decrypt-denied', text: `${e.decrypt.verdict.severity}: ${e.decrypt.verdict.summary}` });
        remediations = decryptRemediations(e.decrypt);
      } else {
        const reason = e.decryptUnavailable ?? e.checks.find((c) => c.id === 'decrypt-denied')?.reason;
        blocks.push(
          para('Run ', code(`/why-decrypt-denied ${root.kms.keyArn ?? name}`), ` for whose grant is missing${reason ? ` (whybot could not run it here: ${reason})` : ''}.`),
        );
      }
      blocks.push(para('Incident 001: a hand-made customer key on the CDK bootstrap bucket or on an SSM parameter is the usual cause; the AWS managed key avoids it.'));
    }
    const reason = shortReason(ev.reason, root.kms) || ev.status;
    const data: RootCauseData = {
      kind: 'first-failure',
      stack: name,
      ...(root.stackName === name ? {} : { nestedStack: root.stackName }),
      logicalId: ev.logicalId,
      type: ev.type,
      status: ev.status,
      time: ev.time,
      reason,
      cascades: n,
      ...(root.kms ? { kms: root.kms } : {}),
      ...(e.decrypt ? { decrypt: { target: e.decrypt.target, severity: e.decrypt.verdict.severity, summary: e.decrypt.verdict.summary } } : {}),
    };
    return {
      data,
      title: `${name} failed at ${ev.logicalId} (${ev.type}): ${reason}`,
      detail: rich(...blocks),
      evidence,
      remediations: remediations.length > 0 ? [...remediations, showCli] : [],
    };
  },
});
