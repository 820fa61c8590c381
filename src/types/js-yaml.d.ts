// js-yaml 4 ships no types; the part whybot uses (WHYBOT_ACCOUNTS files).
declare module 'js-yaml' {
  /** Parses one YAML document (the default, safe schema: no custom tags, no code). */
  export function load(text: string, options?: { filename?: string }): unknown;
}
