// The text rules of whybot's one redaction layer (src/redact/index.ts applies them at every
// edge: Slack payloads, CLI output, logs, the store). Rotation functions log the steps they
// take (incident 002: "setSecret: Unable to log into database …"); a careless one, a
// CloudFormation failure reason or a library's traceback can also carry a secret value.
// Everything that looks like a credential becomes "[redacted]", the rest of the text stays as
// written: ARNs, UUIDs (request and version ids), timestamps, host names and the rotation
// step messages survive.
//
// What is redacted (in this order):
//   1. PEM blocks (-----BEGIN … ----- … -----END … -----, or to the end when cut off).
//   2. the password of a URL's user info: scheme://user:[redacted]@host; Oracle-style
//      user/[redacted]@host (sqlplus, JDBC thin) when "user" starts a token.
//   2b. passwords in prose and SQL: "with password X", "identified by X", "password is X",
//      "using password X", "password set to X" (X quoted or up to the whitespace; a few
//      ordinary words such as "authentication" or "expired" are not taken for X).
//   3. Slack webhook paths, Slack tokens (xoxb-, xoxp-, xapp- …), GitHub tokens, JWTs,
//      "Bearer <token>", AWS access key ids (AKIA…/ASIA… + 16).
//   4. values of credential-like keys, case-insensitive, as JSON / Python dict members
//      (quoted keys, escaped quotes, nested objects), key=value, key: value, key => value and
//      --key value: keys whose last word is password, passwd, pwd, pass, passphrase, secret,
//      token, key, credential(s), authorization, cookie, signature, plus compounds such as
//      SecretString, SecretBinary, apikey, accesstoken, privatekey, clientsecret.
//      Not keys: the rotation steps (createSecret, setSecret, testSecret, finishSecret…),
//      …Id, …Arn, …Name and other names whose last word is not one of the above.
//      Kept values: ARNs, empty values, yes/no/true/false/null/None, an already redacted
//      value; for keys other than password-like ones also UUIDs and timestamps (so
//      ClientRequestToken: <uuid> survives), and after a bare "secret: ", "token: " … in
//      prose, a plain word ("Failed to get secret: ResourceNotFoundException"). A generic
//      "…Key" (AttributeKey=EventSource, tags' Key=Name, an S3 key) is redacted only when
//      its value looks random (step 5's test); apiKey, accessKey, secretKey, privateKey…
//      always are.
//   5. 40-character base64 runs that look like secret access keys, and long random-looking
//      runs: at least 24 characters of [A-Za-z0-9+/=_-] mixing at least two of lower case,
//      upper case and digits, not hex, and not mostly made of words (identifiers such as
//      SecretsManagerRDSMySQL8RotationSingleUser, paths and CloudFormation names survive).
//   2c. a URL cut before its "@" ("postgres://admin:hunt…"): what follows "user:" unless a port.
//   6. shorter high-entropy tokens right after a secret-ish word in prose ("token 9fK2…",
//      "the secret is Xk9…", "api key …"): 12+ characters mixing letters and digits that are
//      not mostly words; hex-only ones too (16+) after secret/token/password words.
//   7. percent-encoded runs (form bodies, query strings) are decoded, redacted and re-encoded.
//
// Unquoted values: a password-like key's value runs to the next whitespace (so the rest of
// "Password=p;Database=x" goes too); other keys' values also end where the next member
// starts (";user=", "&db="), so "token=abc&db=main" keeps "&db=main".
//
// Known limits: a secret that is an ordinary word, hex-only or lower-case-and-digits only is
// caught only in a key/value or URL form; an unquoted password that starts with a quote or
// bracket and closes it early ("password: 'a')x…") can be cut short; a random run that
// happens to read as several words may survive step 5. Redaction errs towards removing too
// much.

export const REDACTED = '[redacted]';

// ---------------------------------------------------------------- protected spans

// Placeholders use private-use characters, which never belong to a candidate run.
const OPEN = '\uE000';
const CLOSE = '\uE001';
const PLACEHOLDER = /\uE000(\d+)\uE001/g;
const ONLY_PLACEHOLDER = /^\uE000(\d+)\uE001$/;

type ProtectedKind = 'arn' | 'uuid' | 'time';

// ARN resources never contain whitespace, quotes, brackets, "," ";" "&" "?" "#" "|" or "\\",
// so an ARN cannot swallow a following "&password=…" or an escaped JSON member.
const ARN = /\barn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(?:\d{12}|aws)?:[^\s"'`<>(){}[\],;&?#|\\\uE000\uE001]+/g;
const UUID = /\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g;
const TIMESTAMP = /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?(?![\w:])/g;

class Protector {
  private readonly spans: Array<{ kind: ProtectedKind; text: string }> = [];

  protect(text: string): string {
    let out = text;
    for (const [kind, re] of [
      ['arn', ARN],
      ['uuid', UUID],
      ['time', TIMESTAMP],
    ] as const) {
      out = out.replace(re, (m) => {
        this.spans.push({ kind, text: m });
        return `${OPEN}${this.spans.length - 1}${CLOSE}`;
      });
    }
    return out;
  }

  /** the kind of protected span `value` is entirely made of, if it is one */
  kindOf(value: string): ProtectedKind | undefined {
    const m = ONLY_PLACEHOLDER.exec(value);
    return m ? this.spans[Number(m[1])]?.kind : undefined;
  }

  restore(text: string): string {
    return text.replace(PLACEHOLDER, (m, i: string) => this.spans[Number(i)]?.text ?? m);
  }
}

// ---------------------------------------------------------------- 1. PEM blocks

const PEM = /-----BEGIN [A-Z0-9 ]{1,60}-----[\s\S]*?(?:-----END [A-Z0-9 ]{1,60}-----|$)/g;

// ---------------------------------------------------------------- 2. URL user info

// scheme://user:password@host — the password runs to the last "@" before the host (a
// password may contain "@", "/" or "'"), never across whitespace, '"', "<", ">", "?" or "#".
// (Lengths are bounded so that the scan stays linear on hostile input.)
const URL_USERINFO = /\b([a-zA-Z][a-zA-Z0-9+.-]{0,30}:\/\/)([^\s:@/"'<>`]{0,256}):([^\s"<>`?#]{1,1024})@(?=[^\s@/?#"'<>`])/g;

// A URL cut before its "@" (a reason clipped to N characters: "postgres://admin:hunt…"): what
// follows "user:" is a password unless it is a port. Runs after URL_USERINFO, on what is left.
const CUT_URL_USERINFO = /\b([a-zA-Z][a-zA-Z0-9+.-]{0,30}:\/\/)([^\s:@/"'<>`[\]]{0,256}):(?!\d+(?:[/\s"'<>`?#…]|$))([^\s"<>`@/?#…]{1,1024})(?=…|\s|$|["'<>`])/g;

// ---------------------------------------------------------------- 2. Oracle-style user/password@host

// "sqlplus admin/PW@db", "jdbc:oracle:thin:scott/tiger@//host:1521/orcl": the user must start
// a token (so paths such as /aws/lambda/x@y or https://host/a/b@c are left alone).
const USER_SLASH_PASS = /(?<=^|[\s"'=:(,;[{<])([A-Za-z_][A-Za-z0-9_$#.-]{0,63})\/([^\s/@"'<>`\uE000\uE001]{1,256})@(?=[A-Za-z0-9_(\[/.-])/g;

// ---------------------------------------------------------------- 2b. passwords in prose and SQL

const PROSE_PASSWORD = /\b(?:(?:with|using)\s+(?:the\s+|a\s+)?(?:new\s+|old\s+|master\s+|user\s+)?password(?:\s+(?:is|was))?|identified\s+by|password\s+(?:is|was|set\s+to|changed\s+to))(\s+)/gi;
/** words that follow such a phrase in prose and are not the password */
const PROSE_NOT_PASSWORD = new Set(
  'authentication auth authenticated rotation policy policies change changed reset expired expires expiry for of from the a an and or that which to is was in on at by set field length requirements complexity history failed failure mismatch incorrect invalid wrong required missing none null empty key name id its their this his her your my aws iam rds kms arn user stored managed not never now still also being encrypted rotated unchanged updated kept held saved generated correct valid'.split(' '),
);

function redactProsePasswords(text: string, guard: Protector): string {
  let out = '';
  let copied = 0;
  PROSE_PASSWORD.lastIndex = 0;
  for (let m = PROSE_PASSWORD.exec(text); m; m = PROSE_PASSWORD.exec(text)) {
    const at = m.index + m[0].length;
    const span = valueSpan(text, at, true);
    if (!span) continue;
    const value = text.slice(span.start, span.end).trim();
    const word = value.replace(/[.,;:!?)]+$/, '').toLowerCase();
    if (HARMLESS_VALUE.test(value) || PROSE_NOT_PASSWORD.has(word) || value.includes(REDACTED) || guard.kindOf(value) === 'arn') continue;
    // keep the sentence's final punctuation ("… with password hunter2.")
    let end = span.end;
    if (span.form === 'bare') while (end - span.start > 1 && /[.,;:!?]/.test(text[end - 1]!)) end--;
    out += text.slice(copied, span.start) + REDACTED;
    copied = end;
    PROSE_PASSWORD.lastIndex = Math.max(span.next, PROSE_PASSWORD.lastIndex);
  }
  return out + text.slice(copied);
}

// ---------------------------------------------------------------- 3. token shapes

/** a word or CamelCase words (a plain word where prose has one: after "secret: ", "Bearer ") */
const PLAIN_WORD = /^[A-Za-z][a-z]*(?:[A-Z][a-z]+)*[.,!]?$/;

const TOKEN_SHAPES: Array<[RegExp, (m: string, ...groups: string[]) => string]> = [
  // Slack incoming webhooks: the path is the credential
  [/(https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9/_-]+/g, (_m, base) => `${base}${REDACTED}`],
  // Slack tokens (bot, user, app-level, refresh, legacy)
  [/\b(?:xox[abeoprs]|xapp|xoxe\.xox[bp])-[A-Za-z0-9-]{6,}/g, () => REDACTED],
  // GitHub tokens
  [/\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})/g, () => REDACTED],
  // JSON Web Tokens
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, () => REDACTED],
  // Authorization schemes
  [
    /\b(Bearer|Basic|Digest)(\s+)([A-Za-z0-9._~+/=-]{8,})/gi,
    (m, scheme, space, token) => (PLAIN_WORD.test(token) ? m : `${scheme}${space}${REDACTED}`),
  ],
  // AWS access key ids (long-term AKIA, temporary ASIA, and the rarer ABIA/ACCA)
  [/(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/g, () => REDACTED],
];

// ---------------------------------------------------------------- 4. credential keys

const PASSWORD_WORDS = new Set(['password', 'passwords', 'passwd', 'pwd', 'pass', 'passphrase', 'passcode']);
const SECRET_WORDS = new Set(['secret', 'token', 'credential', 'credentials', 'authorization', 'cookie', 'signature']);
/** words a bare key in prose can be ("token: expired") */
const PROSE_KEYS = new Set([...SECRET_WORDS, 'key']);
/** lower-case compounds written without a word boundary ("apikey", "SECRETSTRING") */
const COMPOUNDS = [
  'secretstring',
  'secretbinary',
  'password',
  'passwd',
  'passphrase',
  'apikey',
  'apisecret',
  'apitoken',
  'accesskey',
  'secretkey',
  'privatekey',
  'signingkey',
  'encryptionkey',
  'masterkey',
  'licensekey',
  'sshkey',
  'accesstoken',
  'authtoken',
  'sessiontoken',
  'refreshtoken',
  'securitytoken',
  'idtoken',
  'clientsecret',
  'sharedsecret',
];
/** the rotation steps (and API verbs) that log "setSecret: …" without a secret after them */
const NOT_KEYS = /^(?:create|set|test|finish|get|put|update|rotate|describe|delete|restore|list|cancel)secrets?$/;

/**
 * password: the value is always a credential. secret: it is one unless it is an ARN, UUID or
 * timestamp. key: a generic "…Key" (AttributeKey=EventSource, Key=Name tags, S3 keys) is a
 * credential only when its value looks random.
 */
type KeyClass = 'password' | 'secret' | 'key';

/** "db_password" → password, "apiKey" → secret, "AttributeKey" → key, "SecretId" / "KeyError" / "setSecret" → none */
export function credentialKeyClass(key: string): KeyClass | undefined {
  const bare = key.replace(/^-+/, '');
  const lower = bare.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (lower === '' || NOT_KEYS.test(lower)) return undefined;
  const words = bare
    .replace(/\d+$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  const last = words[words.length - 1] ?? '';
  if (PASSWORD_WORDS.has(last)) return 'password';
  if (SECRET_WORDS.has(last)) return 'secret';
  const compact = lower.replace(/\d+$/, '');
  for (const c of COMPOUNDS) {
    if (compact.endsWith(c)) return c.startsWith('pass') ? 'password' : 'secret';
  }
  return last === 'key' || compact === 'key' ? 'key' : undefined;
}

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_.-]*/g;
/** how much of a value is read to decide whether it is a credential */
const DECISION_CAP = 256;
// (and a usage placeholder: "--secret <name or ARN>", "password: <value>")
const HARMLESS_VALUE = /^(?:|yes|no|true|false|null|none|nil|undefined|\*{3,}|x{3,}|\.\.\.|…|<redacted>|\[redacted\]|redacted|\[filtered\]|<hidden>|hidden|<[A-Za-z][\w-]*>?)$/i;
const AUTH_SCHEME = /^(?:Bearer|Basic|Digest|Token|Negotiate|AWS4-HMAC-SHA256)$/i;

/**
 * End of a quoted value opened by `quote` (possibly backslash-escaped, as in JSON inside
 * JSON), looking no further than `limit`; -1 when it is not closed before.
 */
function closingQuote(text: string, from: number, quote: string, limit: number): number {
  if (quote.length === 1) {
    for (let i = from; i < limit; i++) {
      const c = text[i];
      if (c === '\\') i++;
      else if (c === quote) return i;
    }
    return -1;
  }
  for (let i = text.indexOf(quote, from); i >= 0 && i < limit; i = text.indexOf(quote, i + 1)) {
    if (text[i - 1] !== '\\') return i;
  }
  return -1;
}

/** End (exclusive) of a balanced {…} or […] starting at `from`, honouring quoted strings; `limit` when unbalanced. */
function closingBracket(text: string, from: number, limit: number): number {
  const stack: string[] = [];
  for (let i = from; i < limit; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      const end = closingQuote(text, i + 1, c, limit);
      if (end < 0) return limit;
      i = end;
    } else if (c === '{' || c === '[') stack.push(c === '{' ? '}' : ']');
    else if (c === '}' || c === ']') {
      if (stack.pop() !== c) return limit;
      if (stack.length === 0) return i + 1;
    }
  }
  return limit;
}

/** a member after ",", ";" or "&": 'user=', '"user":' (sticky: tested at one position) */
const NEXT_MEMBER = /\s*(?:[A-Za-z_][\w.-]*\s*=|\\*["'][A-Za-z_][\w.-]*\\*["']\s*:)/y;

const CLOSERS: Record<string, string> = { ')': '(', '}': '{', ']': '[', '"': '"', "'": "'" };

/**
 * End of an unquoted value: whitespace, a "," or ";" before whitespace, or, unless
 * `toWhitespace`, punctuation that starts the next member (";user=", "&db=", ', "user":').
 * Closing brackets and quotes that end the token without having been opened in it
 * ("(using password: YES)", "{pwd=abc}") are left out. The first character always belongs
 * to the value. Passwords run to the whitespace (`toWhitespace`): a generated password may
 * well contain ";a=", and removing the rest of a connection string is the lesser harm.
 */
function bareEnd(text: string, from: number, toWhitespace: boolean, limit: number): number {
  let i = from;
  while (i < limit) {
    const c = text[i]!;
    if (/\s/.test(c)) break;
    if (i > from && (c === ',' || c === ';' || c === '&')) {
      if (c !== '&' && (i + 1 === text.length || /\s/.test(text[i + 1]!))) break;
      NEXT_MEMBER.lastIndex = i + 1;
      if (!toWhitespace && NEXT_MEMBER.test(text)) break;
    }
    i++;
  }
  if (i === limit && limit < text.length) return limit;
  // trailing closers the value did not open
  const count = new Map<string, number>();
  for (let k = from; k < i; k++) {
    const ch = text[k]!;
    if (ch in CLOSERS || ch === '(' || ch === '{' || ch === '[') count.set(ch, (count.get(ch) ?? 0) + 1);
  }
  let end = i;
  while (end - from > 1) {
    const last = text[end - 1]!;
    const open = CLOSERS[last];
    if (open === undefined) break;
    // how many of `last` and of its opener come before it in the value
    const closes = (count.get(last) ?? 0) - 1;
    const opens = open === last ? closes : (count.get(open) ?? 0);
    if (open === last ? opens % 2 === 1 : opens > closes) break;
    count.set(last, closes);
    end--;
  }
  return end;
}

/** what may follow a quoted or bracketed value: the end, a separator, or closing quotes before one */
const VALUE_END = /^(?:$|[\s,;:)}\]&\uE000]|[\\"']+(?:$|[\s,;:)}\]&]))/;

interface ValueSpan {
  /** the part replaced by [redacted] */
  start: number;
  end: number;
  /** where scanning continues */
  next: number;
  form: 'quoted' | 'structure' | 'bare';
  /** the scan stopped at its limit: the value may go on */
  capped: boolean;
}

/**
 * The value starting at `at`: quoted, a {…}/[…] structure, or bare. Scans at most `cap`
 * characters (a rejected key's value is scanned again as text, so an unbounded scan could
 * make the whole pass quadratic); a capped span is rescanned in full once it is redacted.
 */
function valueSpan(text: string, at: number, toWhitespace = false, cap = Infinity): ValueSpan | undefined {
  if (at >= text.length) return undefined;
  const limit = Math.min(text.length, at + cap);
  const capped = limit < text.length;
  const quote = /^\\*["']/.exec(text.slice(at, at + 8))?.[0];
  if (quote) {
    const start = at + quote.length;
    const close = closingQuote(text, start, quote, limit);
    if (close < 0) return { start, end: limit, next: limit, form: 'quoted', capped };
    // password="abc"def: the quote was part of an unquoted value
    if (VALUE_END.test(text.slice(close + quote.length, close + quote.length + 16))) {
      return { start, end: close, next: close + quote.length, form: 'quoted', capped: false };
    }
  }
  const c = text[at];
  if (!quote && (c === '{' || c === '[')) {
    const end = closingBracket(text, at, limit);
    if (end === limit && capped) return { start: at, end, next: end, form: 'structure', capped };
    if (VALUE_END.test(text.slice(end, end + 16))) return { start: at, end, next: end, form: 'structure', capped: false };
  }
  const end = bareEnd(text, at, toWhitespace, limit);
  if (end === at) return undefined;
  return { start: at, end, next: end, form: 'bare', capped: capped && end === limit };
}

interface KeyMatch {
  key: string;
  /** the opening quote with its escapes ("", '"', '\\"' …) */
  quote: string;
  /** "-" or "--" before a command-line flag */
  dashes: string;
  separator: string;
  /** where the value starts */
  valueAt: number;
}

const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);

/**
 * Is the identifier at [start, end) a key followed by a separator? Linear in the text it
 * looks at: the identifier scan (IDENTIFIER) takes each identifier once, left to right.
 */
function keyAt(text: string, start: number, end: number): KeyMatch | undefined {
  let key = text.slice(start, end);
  let before = start - 1;
  // "\npassword: x" in a message logged on one line: the key is "password"
  if (text[before] === '\\' && /^[ntr][A-Za-z_]/.test(key) && text[before - 1] !== '\\') {
    key = key.slice(1);
    before = start - 2;
    if (text[before] !== undefined && text[before] === '\\') return undefined;
    return separatorAfter(text, key, '', '', end);
  }
  let dashes = '';
  while (text[before] === '-' && dashes.length < 2) {
    dashes += '-';
    before--;
  }
  let quote = '';
  if (!dashes && (text[before] === '"' || text[before] === "'")) {
    quote = text[before]!;
    before--;
    while (text[before] === '\\') {
      quote = `\\${quote}`;
      before--;
    }
  }
  const prev = text[before];
  if (prev !== undefined && /[A-Za-z0-9_.\\-]/.test(prev)) return undefined;
  if (dashes && prev !== undefined && !isSpace(prev) && prev !== '"' && prev !== "'") return undefined;
  let at = end;
  if (quote) {
    // "password=x …", "pwd: x": the quote opened a string the key/value is in, not the key
    if (!text.startsWith(quote, at)) return /^[ \t]*(?:=>|=|:)/.test(text.slice(at, at + 8)) ? separatorAfter(text, key, '', '', at) : undefined;
    at += quote.length;
  }
  return separatorAfter(text, key, quote, dashes, at);
}

function separatorAfter(text: string, key: string, quote: string, dashes: string, from: number): KeyMatch | undefined {
  let at = from;
  while (text[at] === ' ' || text[at] === '\t') at++;
  let sep = '';
  if (text.startsWith('=>', at)) sep = '=>';
  else if (text[at] === ':' || text[at] === '=') sep = text[at]!;
  if (sep) {
    at += sep.length;
    while (isSpace(text[at])) at++;
  } else if (!(dashes && at > from)) return undefined;
  return { key, quote, dashes, separator: text.slice(from, at), valueAt: at };
}

function redactKeyValues(text: string, guard: Protector): string {
  let out = '';
  let copied = 0;
  IDENTIFIER.lastIndex = 0;
  for (let m = IDENTIFIER.exec(text); m; m = IDENTIFIER.exec(text)) {
    const found = keyAt(text, m.index, m.index + m[0].length);
    if (!found) continue;
    const { key, quote, dashes, separator } = found;
    const keyClass = credentialKeyClass(key);
    if (!keyClass) continue;
    let span = valueSpan(text, found.valueAt, keyClass === 'password', DECISION_CAP);
    if (!span) continue;
    const trimmed = text.slice(span.start, span.end).trim();
    if (HARMLESS_VALUE.test(trimmed)) continue;
    const kind = guard.kindOf(trimmed);
    if (kind === 'arn') continue;
    if (kind !== undefined && keyClass !== 'password') continue;
    // a generic "…Key": only a random-looking value is a credential (a structure's members are scanned on their own)
    if (keyClass === 'key' && (span.form === 'structure' || !trimmed.split(/\s+/).some((t) => looksRandom(t)))) continue;
    // "Failed to get secret: ResourceNotFoundException": a bare key word in prose, then a plain word
    // …also as the end of a hyphenated name ("stale-credentials: 3 of 4 tasks"), and a small count is plain too
    const hyphenatedEnd = key.includes('-') ? (key.toLowerCase().split('-').at(-1) ?? '') : '';
    const proseKey = !quote && !dashes && /^:\s+$/.test(separator) && (PROSE_KEYS.has(key.toLowerCase()) || PROSE_KEYS.has(hyphenatedEnd));
    if (proseKey && span.form === 'bare' && (PLAIN_WORD.test(trimmed) || /^\d{1,4}$/.test(trimmed))) continue;
    // "pass --secret to check one": a flag named in prose, then a word of the sentence
    if (dashes && !/[:=]/.test(separator) && span.form === 'bare' && PROSE_NOT_PASSWORD.has(trimmed.replace(/[.,;:!?)]+$/, '').toLowerCase())) continue;
    if (span.capped) span = valueSpan(text, found.valueAt, keyClass === 'password') ?? span;
    let { start, end } = span;
    let next = span.next;
    // "Authorization: Bearer <token>": keep the scheme, redact the credential after it
    if (span.form === 'bare' && AUTH_SCHEME.test(trimmed)) {
      let at = end;
      while (isSpace(text[at])) at++;
      const after = at > end ? valueSpan(text, at) : undefined;
      if (!after) continue;
      const credential = text.slice(after.start, after.end).trim();
      if (HARMLESS_VALUE.test(credential)) {
        IDENTIFIER.lastIndex = after.next;
        continue;
      }
      start = after.start;
      end = after.end;
      next = after.next;
    }
    out += text.slice(copied, start) + REDACTED;
    copied = end;
    IDENTIFIER.lastIndex = Math.max(next, IDENTIFIER.lastIndex);
  }
  return out + text.slice(copied);
}

// ---------------------------------------------------------------- 5. random-looking runs

const RUN = /[A-Za-z0-9+/=_-]{24,}/g;
const SECRET_ACCESS_KEY = /(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])/g;

/** share of a run made of words, acronyms, numbers, hex ids and separators */
function wordCoverage(run: string): number {
  let covered = 0;
  for (const m of run.matchAll(/[A-Z]?[a-z]{3,}|[A-Z]{3,}(?![a-z])|[0-9]{4,}|(?<![A-Za-z0-9])[0-9a-f]{8,}(?![A-Za-z0-9])|[^A-Za-z0-9]/g)) {
    covered += m[0].length;
  }
  return covered / run.length;
}

function classes(run: string): { lower: boolean; upper: boolean; digit: boolean } {
  return { lower: /[a-z]/.test(run), upper: /[A-Z]/.test(run), digit: /[0-9]/.test(run) };
}

export function looksRandom(run: string, threshold = 0.6): boolean {
  const { lower, upper, digit } = classes(run);
  if (Number(lower) + Number(upper) + Number(digit) < 2) return false;
  if (/^[0-9a-fA-F-]+$/.test(run) && !(/[a-f]/.test(run) && /[A-F]/.test(run))) return false;
  return wordCoverage(run) < threshold;
}

// ---------------------------------------------------------------- 6. tokens next to secret-ish words

const SECRETISH_PROSE = /\b(secret|token|api[ _-]?key|access[ _-]?key|private[ _-]?key|key|passwd|password|pwd|passphrase|credentials?)(s?)(\s+(?:is\s+|was\s+|value\s+)?)([A-Za-z0-9+/=_.~-]{12,512})(?![A-Za-z0-9+/=_.~-])/gi;

function highEntropy(token: string, word: string): boolean {
  const hexOnly = /^[0-9a-fA-F]+$/.test(token);
  if (hexOnly) return token.length >= 16 && !/key$/i.test(word) && /[0-9]/.test(token) && /[a-fA-F]/.test(token);
  if (!/[0-9]/.test(token) || !/[A-Za-z]/.test(token)) return false;
  return wordCoverage(token) < 0.5;
}

function redactSecretishProse(text: string): string {
  return text.replace(SECRETISH_PROSE, (m, word: string, plural: string, space: string, token: string) =>
    highEntropy(token, word) ? `${word}${plural}${space}${REDACTED}` : m,
  );
}

function redactRuns(text: string): string {
  const keyLike = text.replace(SECRET_ACCESS_KEY, (m) => {
    const { lower, upper, digit } = classes(m);
    return lower && upper && (digit || /[+/]/.test(m)) && looksRandom(m, 0.75) ? REDACTED : m;
  });
  return keyLike.replace(RUN, (m) => (looksRandom(m) ? REDACTED : m));
}

// ---------------------------------------------------------------- API

// ---------------------------------------------------------------- 7. percent-encoded runs

// A form body or query string in a log line ("text=with%20password%20…"): the run is decoded,
// redacted, and written back encoded when something in it was a credential.
// (Tokens are taken whole, then tested: a pattern with "%" in the middle of two open runs
// would rescan each token from every position, quadratic on a long one.)
const TOKEN = /[^\s"'<>`]+/g;
const PERCENT = /%[0-9A-Fa-f]{2}/;

function decodeForm(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** One "&"-separated member: decoded, redacted, and if it changed re-encoded (key as a URI, value as a component). */
function redactEncodedMember(member: string, depth: number): string {
  const decoded = decodeForm(member);
  if (decoded === undefined || decoded === member) return member;
  const redacted = redact(decoded, depth + 1);
  if (redacted === decoded) return member;
  const eq = member.indexOf('=');
  const key = eq < 0 ? undefined : decodeForm(member.slice(0, eq));
  if (key !== undefined && redacted.startsWith(`${key}=`)) return `${member.slice(0, eq)}=${encodeURIComponent(redacted.slice(key.length + 1))}`;
  return encodeURI(redacted);
}

function redactEncoded(text: string, depth: number): string {
  return text.replace(TOKEN, (run) => (PERCENT.test(run) ? run.split('&').map((m) => redactEncodedMember(m, depth)).join('&') : run));
}

/** One log line (or message) with every credential-looking part replaced by "[redacted]". */
export function redactSecrets(line: string): string {
  return redact(line, 0);
}

function redact(line: string, depth: number): string {
  if (line === '') return line;
  // The placeholders' characters must not come from the input.
  let text = line.replace(/[\uE000\uE001]/g, '\uFFFD');
  text = text.replace(PEM, REDACTED);
  const guard = new Protector();
  text = guard.protect(text);
  text = text.replace(URL_USERINFO, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
  text = text.replace(CUT_URL_USERINFO, (m, scheme: string, user: string, pass: string) => (pass === REDACTED ? m : `${scheme}${user}:${REDACTED}`));
  text = text.replace(USER_SLASH_PASS, (m, user: string, pass: string) => (pass === REDACTED ? m : `${user}/${REDACTED}@`));
  for (const [re, replace] of TOKEN_SHAPES) text = text.replace(re, replace as (m: string, ...g: string[]) => string);
  text = redactKeyValues(text, guard);
  text = redactProsePasswords(text, guard);
  text = redactSecretishProse(text);
  text = redactRuns(text);
  text = guard.restore(text);
  return depth < 2 && PERCENT.test(text) ? redactEncoded(text, depth) : text;
}

/** The name the redaction layer uses: any text that leaves whybot, credentials replaced. */
export const redactText = redactSecrets;

/**
 * Redacts each line, then keeps the newest (last) lines that fit in `maxChars`, counting a
 * newline between lines. When older lines are dropped, the first line says how many
 * ("… 3 earlier lines omitted"); when not even the newest line fits, it is cut with "…".
 * Redaction happens before any cut, so a cut can never leave part of a secret behind.
 */
export function redactLines(lines: readonly string[], maxChars: number): string[] {
  const budget = Math.max(0, Math.floor(maxChars));
  const redacted = lines.map(redactSecrets);
  const size = redacted.reduce((n, l) => n + l.length, 0) + Math.max(0, redacted.length - 1);
  if (size <= budget) return redacted;
  const marker = (n: number) => `… ${n} earlier line${n === 1 ? '' : 's'} omitted`;
  const cut = (l: string, n: number) => (l.length <= n ? l : n <= 0 ? '' : `${l.slice(0, n - 1)}…`);

  const kept: string[] = [];
  let used = 0;
  for (let i = redacted.length - 1; i >= 0; i--) {
    const line = redacted[i]!;
    const cost = line.length + (kept.length > 0 ? 1 : 0);
    // room for the marker that will name the i lines before this one
    const reserve = i > 0 ? marker(i).length + 1 : 0;
    if (used + cost + reserve > budget) break;
    kept.unshift(line);
    used += cost;
  }
  const omitted = redacted.length - kept.length;
  if (kept.length > 0) return omitted > 0 ? [marker(omitted), ...kept] : kept;

  // Not even the newest line fits next to the marker: cut it.
  const newest = redacted[redacted.length - 1] ?? '';
  const note = omitted > 1 ? marker(omitted - 1) : '';
  if (note && note.length + 1 + 8 <= budget) return [note, cut(newest, budget - note.length - 1)];
  return budget > 0 ? [cut(newest, budget)] : [];
}
