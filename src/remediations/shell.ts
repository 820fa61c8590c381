/** Single-quotes a value for POSIX shells (every value an action's cli() writes goes through it). */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_/.:=@+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
