// A failed check names the IAM action it needs once. AwsCallError's message for a denial
// already says "access denied: needs kms:GetKeyPolicy" (the reason every consumer of a check
// reads, alerts included); the check's iamAction field carries the same action for renderers
// that show it apart. Every renderer asks here whether the action still has to be named.

/** The IAM action to show after the reason, or undefined when the reason already names it. */
export function actionToName(reason: string | undefined, iamAction: string | undefined): string | undefined {
  if (!iamAction) return undefined;
  return reason?.includes(iamAction) ? undefined : iamAction;
}
