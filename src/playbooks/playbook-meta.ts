// What a playbook's meta.ts declares (catalog.ts gathers them).
export interface TargetRule {
  /** what the target is, for usage lines: "db", "key|role|stack", "domain" */
  label: string;
  pattern: RegExp;
  /** said when the target does not match */
  hint: string;
  /** without a target the playbook picks the only candidate or asks (candidates()) */
  required: boolean;
}

export interface PlaybookMeta<Name extends string = string> {
  name: Name;
  summary: string;
  target: TargetRule;
  /** the --secret option means something to this playbook */
  takesSecret?: boolean;
  /** the Slack manifests' entry for `/why-<name>` */
  slack: { description: string; usageHint: string };
}

/** A playbook's meta.ts, with its name kept as a literal type. */
export const definePlaybookMeta = <const Name extends string>(meta: PlaybookMeta<Name>): PlaybookMeta<Name> => meta;

