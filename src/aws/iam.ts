// Every IAM action an adapter calls is declared here through `iam()`, so the deploy
// template's policies can be checked against what the code actually calls.
const declared = new Set<string>();

export function iam<const A extends string>(action: A): A {
  declared.add(action);
  return action;
}

export function declaredIamActions(): string[] {
  return [...declared].sort();
}
