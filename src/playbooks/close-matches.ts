/** Names close to what was typed: substring matches first, then small edit distances. */
export function closeMatches(typed: string, names: string[], max = 5): string[] {
  const t = typed.toLowerCase();
  const scored = names
    .map((name) => {
      const n = name.toLowerCase();
      const score = n.includes(t) || t.includes(n) ? 0 : editDistance(t, n);
      return { name, score };
    })
    .filter((s) => s.score <= Math.max(2, Math.floor(t.length / 3)))
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.slice(0, max).map((s) => s.name);
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
