// The version of whybot's JSON output (docs/json-contract.md), in a module of its own so the
// CLI's error objects can carry it without loading zod (src/findings.ts holds the schemas).
// It changes only when a field a consumer may rely on changes name, type or meaning; added
// fields keep it.
export const RESULT_SCHEMA_VERSION = 1;
