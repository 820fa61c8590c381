// Redaction of log lines before they reach Slack: secrets go, everything an incident needs stays.
import { describe, expect, it } from 'vitest';
import { credentialKeyClass, fitSlackText, looksRandom, REDACTED, redactDeep, redactLines, redactSecrets, redactSlackBody, redactSlackJson, redactText } from '../src/redact/index.js';

const R = REDACTED;
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:MySecret-AbCdEf';
const RDS_SECRET_ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!cluster-6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f-Ab12Cd';
const REQ = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
const VERSION = '0b7e5a7e-1c1d-4b1a-9f1e-2a3b4c5d6e7f';

/** A deterministic PRNG (mulberry32), so "random" inputs are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (rand: () => number, alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE64 = `${ALNUM}+/`;
/** what GetRandomPassword draws from by default (no spaces) */
const PASSWORD_CHARS = `${ALNUM}!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~`;

/** Python's repr() of a str, as a rotation function's print(dict) writes it. */
function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
  return quote + (quote === "'" ? body.replaceAll("'", "\\'") : body) + quote;
}

describe('incident 002 and what rotation functions log: unchanged', () => {
  const lines = [
    // the AWS rotation templates' step messages
    `setSecret: Unable to log into database with previous, current, or pending secret of secret arn ${SECRET_ARN}`,
    `[ERROR]\t2026-11-23T10:00:07.000Z\t${REQ}\tsetSecret: Unable to log into database with previous, current, or pending secret of secret arn ${RDS_SECRET_ARN}`,
    `createSecret: Successfully retrieved secret for ${SECRET_ARN}.`,
    `createSecret: Successfully put secret for ARN ${SECRET_ARN} and version ${VERSION}.`,
    `setSecret: Successfully set password for user admin in PostgreSQL DB for secret arn ${SECRET_ARN}.`,
    `testSecret: Successfully signed into PostgreSQL DB with AWSPENDING secret in ${SECRET_ARN}.`,
    `finishSecret: Successfully set AWSCURRENT stage to version ${VERSION} for secret ${SECRET_ARN}.`,
    `Secret ${SECRET_ARN} is not enabled for rotation`,
    `Secret version ${VERSION} has no stage for rotation of secret ${SECRET_ARN}.`,
    "KeyError: 'password key is missing from secret JSON'",
    '[INFO]\t2026-11-23T10:00:00.100Z\t6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f\tFound credentials in environment variables.',
    "{'SecretId': 'arn:aws:secretsmanager:us-east-1:123456789012:secret:MySecret-AbCdEf', 'ClientRequestToken': '0b7e5a7e-1c1d-4b1a-9f1e-2a3b4c5d6e7f', 'Step': 'setSecret'}",
    `{"SecretId": "${SECRET_ARN}", "ClientRequestToken": "${VERSION}", "Step": "createSecret"}`,
    // the Lambda runtime
    `START RequestId: ${REQ} Version: $LATEST`,
    `END RequestId: ${REQ}`,
    `REPORT RequestId: ${REQ}\tDuration: 30000.00 ms\tBilled Duration: 30000 ms\tMemory Size: 128 MB\tMax Memory Used: 81 MB\tInit Duration: 412.35 ms`,
    `2026-11-23T10:00:30.012Z ${REQ} Task timed out after 30.03 seconds`,
    'XRAY TraceId: 1-5e1b4151-5ac6c58f3dbe9d7a1b3b1c2d SegmentId: 3d0b2f1a9c8e7d6f Sampled: true',
    // database drivers
    'FATAL:  password authentication failed for user "admin"',
    '(1045, "Access denied for user \'admin\'@\'10.0.1.5\' (using password: YES)")',
    'connection to server at "prod-db.cluster-c0ffee123abc.ap-northeast-1.rds.amazonaws.com" (10.0.1.5), port 5432 failed: timeout expired',
    'psycopg2.OperationalError: SCRAM authentication requires libpq version 10 or above',
    'SSL connection is required. Please specify SSL options and retry.',
    'Failed to get secret: ResourceNotFoundException',
    'An error occurred (AccessDeniedException) when calling the GetSecretValue operation: User: arn:aws:sts::123456789012:assumed-role/rotation-role/SecretsManagerRDSPostgreSQLRotationSingleUser is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:MySecret-AbCdEf because no identity-based policy allows the secretsmanager:GetSecretValue action',
    // incident 002's own text: function names, the libpq check, the CloudFormation tag
    'arn:aws:lambda:aws-region:123456789012:function:SecretsManagerMyRotationFunction',
    'readelf -a libpq.so.5 | grep RUNPATH',
    '0x000000000000001d (RUNPATH) Library runpath: [/local/p4clients/pkgbuild-a1b2c/workspace/build/PostgreSQL/PostgreSQL-9.4.x_client_only.123456.0/AL2_x86_64/DEV.STD.PTHREAD/build/private/tmp/brazil-path/build.libfarm/lib:/local/p4clients/pkgbuild-a1b2c/workspace/src/PostgreSQL/build/private/install/lib]',
    '0x000000000000001d (RUNPATH) Library runpath: [/local/p4clients/pkgbuild-a1b2c/workspace/build/PostgreSQL/PostgreSQL-10.x_client_only.123456.0/AL2_x86_64/DEV.STD.PTHREAD/build/private/tmp/brazil-path/build.libfarm/lib:/local/p4clients/pkgbuild-a1b2c/workspace/src/PostgreSQL/build/private/install/lib]',
    '関数の詳細ページで、[Configuration] (設定) タブの [Tags] (タグ) で、キー aws:cloudformation:stack-name の横にある値をコピーします。',
    'AWS CLIのコマンド get-secret-valueAWSCURRENTAWSPREVIOUS のバージョンのシークレットの情報を使用し、手動でログインして認証情報を確認します。',
    '「環境変数に認証情報が見つかりました」の後にアクティビティがない',
    // names and ids an investigation shows
    '/aws/lambda/SecretsManagerRDSMySQL8RotationSingleUser',
    'stack SecretsManagerRotationTemplate-AbCdEf function SecretsManagerRDSPostgreSQLRotationSingleUser',
    'CDKToolkit-FileAssetsBucket-1A2B3C4D5E6F ecs-svc/1234567890123456789',
    'task 0a1b2c3d4e5f60718293a4b5c6d7e8f9 in arn:aws:ecs:ap-northeast-1:123456789012:task/prod/0a1b2c3d4e5f60718293a4b5c6d7e8f9',
    'key arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (KeyManager: CUSTOMER)',
    '2026/11/23/[$LATEST]0123456789abcdef0123456789abcdef',
    'eventId 37892657465231246782345672387465782364578236457823645782',
    '--lookup-attributes AttributeKey=EventSource,AttributeValue=secretsmanager.amazonaws.com',
    '--tags Key=Name,Value=prod-db Key=aws:cloudformation:stack-name,Value=rotation',
    'at 2026-11-23 10:00:00,123 (2026-11-23T19:00:00+09:00)',
    'sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  ];
  it.each(lines)('%s', (line) => {
    expect(redactSecrets(line)).toBe(line);
  });
});

describe('redacts credentials', () => {
  it.each([
    // JSON / Python members
    ['{"username": "admin", "password": "hunter2", "port": 5432}', `{"username": "admin", "password": "${R}", "port": 5432}`],
    ["{'username': 'admin', 'password': 'hunter2', 'port': 5432}", `{'username': 'admin', 'password': '${R}', 'port': 5432}`],
    ['{"Password":"hunter2","DbPassword":"x1","db_passwd":"x2","PWD":"x3"}', `{"Password":"${R}","DbPassword":"${R}","db_passwd":"${R}","PWD":"${R}"}`],
    ['{"client_secret": "s3cr3t", "apiKey": "k-123", "accessToken": "t-123", "Credentials": "c"}', `{"client_secret": "${R}", "apiKey": "${R}", "accessToken": "${R}", "Credentials": "${R}"}`],
    ['{"password": 123456, "user": "a"}', `{"password": ${R}, "user": "a"}`],
    // key=value, key: value, flags
    ['DB_PASSWORD=hunter2 PGUSER=admin', `DB_PASSWORD=${R} PGUSER=admin`],
    ['password: hunter2', `password: ${R}`],
    ['PASSWORD = hunter2', `PASSWORD = ${R}`],
    ['token=abc123; user=bob', `token=${R}; user=bob`],
    ['spring.datasource.password=hunter2', `spring.datasource.password=${R}`],
    ['https://example.com/cb?user=alice&password=hunter2&db=main', `https://example.com/cb?user=alice&password=${R}`],
    ['https://example.com/cb?user=alice&token=abc123&db=main', `https://example.com/cb?user=alice&token=${R}&db=main`],
    // an ARN does not swallow what follows it
    [`https://example.com/cb?arn=${SECRET_ARN}&password=hunter2`, `https://example.com/cb?arn=${SECRET_ARN}&password=${R}`],
    [`{\\"arn\\":\\"${SECRET_ARN}\\",\\"password\\":\\"hunter2\\"}`, `{\\"arn\\":\\"${SECRET_ARN}\\",\\"password\\":\\"${R}\\"}`],
    ['Server=db;Database=x;User Id=admin;Password=p@ss;w0rd;', `Server=db;Database=x;User Id=admin;Password=${R};`],
    ['Server=db;Password=p@ss;Database=x; Encrypt=true', `Server=db;Password=${R}; Encrypt=true`],
    ['mysql --password hunter2 --host db', `mysql --password ${R} --host db`],
    ['psql --password=hunter2 -h db', `psql --password=${R} -h db`],
    ['secret => "hunter2"', `secret => "${R}"`],
    ['X-Amz-Security-Token: FwoGZXIvYXdzEJr', `X-Amz-Security-Token: ${R}`],
    ['x-api-key: 0123abcdEFGH4567', `x-api-key: ${R}`],
    ['Cookie: session=abc123', `Cookie: ${R}`],
    // a password runs to the whitespace: what follows it on the token goes too
    ['line1\\npassword: hunter2\\nline3 end', `line1\\npassword: ${R} end`],
    ['client_secret: banana', `client_secret: ${R}`],
    // a password-class key redacts even id-shaped values
    [`password=${REQ}`, `password=${R}`],
    // a generic "…Key" with a random-looking value
    ['{"Key": "Xk9mQ2pL7vR4tB1wZ8"}', `{"Key": "${R}"}`],
    // AWS keys, tokens
    ['aws_access_key_id=AKIAIOSFODNN7EXAMPLE aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', `aws_access_key_id=${R} aws_secret_access_key=${R}`],
    ['keys AKIAIOSFODNN7EXAMPLE and ASIAY34FZKBOKMUTVV7A, wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY leaked', `keys ${R} and ${R}, ${R} leaked`],
    ['Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc123def456', `Authorization: Bearer ${R}`],
    ['curl -H "Authorization: Bearer abc123.def456-ghi"', `curl -H "Authorization: Bearer ${R}"`],
    ['Authorization: Basic dXNlcjpwYXNzd29yZA==', `Authorization: Basic ${R}`],
    ['jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c ok', `jwt ${R} ok`],
    ['bot xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx posted', `bot ${R} posted`],
    ['user xoxp-1234-5678-9012-abcdef app xapp-1-A0123-456-abcdef0123 refresh xoxe.xoxp-1-Mi0yLTEyMzQ', `user ${R} app ${R} refresh ${R}`],
    ['webhook https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX failed', `webhook https://hooks.slack.com/services/${R} failed`],
    ['gh ghp_abcdefghijklmnopqrstuvwxyz0123456789 done', `gh ${R} done`],
    // PEM blocks: whole, one-line with escaped newlines, cut off
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7\n-----END RSA PRIVATE KEY----- done', `${R} done`],
    ['key "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg\\n-----END PRIVATE KEY-----\\n" loaded', `key "${R}\\n" loaded`],
    ['cert -----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE', `cert ${R}`],
    // random-looking runs
    ['value AbCdEf1234GhIjKl5678MnOpQr90StUv end', `value ${R} end`],
    ['ssm AQICAHhq7sJ9Zk2Lm4Qp8Vw3Xy6Tb1Nc5Rd0Fe==', `ssm ${R}`],
  ])('%s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });
});

describe('adversarial inputs', () => {
  it('a password containing quotes, in JSON, in a Python dict and as key="value"', () => {
    const pw = `p"a'ss\\w,o}r]d`;
    const json = JSON.stringify({ username: 'admin', password: pw, host: 'db.example.com' });
    expect(redactSecrets(json)).toBe(`{"username":"admin","password":"${R}","host":"db.example.com"}`);
    const py = `{'username': 'admin', 'password': ${pyRepr(pw)}, 'host': 'db.example.com'}`;
    expect(redactSecrets(py)).toBe(`{'username': 'admin', 'password': '${R}', 'host': 'db.example.com'}`);
    expect(redactSecrets(`password="it's \\"quoted\\" now" user=bob`)).toBe(`password="${R}" user=bob`);
    expect(redactSecrets(`{'password': "it's"}`)).toBe(`{'password': "${R}"}`);
    expect(redactSecrets('"password":"abc\\\\","user":"x"')).toBe(`"password":"${R}","user":"x"`);
    expect(redactSecrets('password=abc"def ghi')).toBe(`password=${R} ghi`);
  });

  it('JSON with a nested SecretString (a JSON string, an object, JSON inside JSON)', () => {
    const inner = JSON.stringify({ username: 'admin', password: 'hunter2', engine: 'postgres', host: 'db', port: 5432 });
    const event = { ARN: SECRET_ARN, Name: 'MySecret', VersionId: VERSION, SecretString: inner, VersionStages: ['AWSPENDING'], CreatedDate: '2026-11-23T10:00:00Z' };
    const out = redactSecrets(JSON.stringify(event));
    expect(out).toBe(
      `{"ARN":"${SECRET_ARN}","Name":"MySecret","VersionId":"${VERSION}","SecretString":"${R}","VersionStages":["AWSPENDING"],"CreatedDate":"2026-11-23T10:00:00Z"}`,
    );
    expect(redactSecrets(JSON.stringify({ ...event, SecretString: JSON.parse(inner) as unknown }))).toContain(`"SecretString":${R},"VersionStages"`);
    // logged twice over: JSON in a JSON string
    const twice = redactSecrets(`response=${JSON.stringify(JSON.stringify({ SecretString: inner, Name: 'MySecret' }))}`);
    expect(twice).not.toContain('hunter2');
    expect(twice).toContain('MySecret');
    // nested credentials object, and an unterminated one (the line was cut)
    expect(redactSecrets('{"credentials": {"user": "a", "password": "b"}, "region": "us-east-1"}')).toBe(`{"credentials": ${R}, "region": "us-east-1"}`);
    expect(redactSecrets('{"SecretString": "{\\"password\\": \\"hunt')).toBe(`{"SecretString": "${R}`);
    // a key in an escaped JSON line
    expect(redactSecrets('{\\"password\\":\\"hunter2\\",\\"user\\":\\"bob\\"}')).toBe(`{\\"password\\":\\"${R}\\",\\"user\\":\\"bob\\"}`);
  });

  it('a URL with a password: user and host stay, the password goes (even with @ : / inside)', () => {
    expect(redactSecrets('connecting to postgres://admin:hunter2@db.example.com:5432/app?sslmode=require')).toBe(
      `connecting to postgres://admin:${R}@db.example.com:5432/app?sslmode=require`,
    );
    expect(redactSecrets('mysql://app:p@ss:w/rd@10.0.1.5:3306/db')).toBe(`mysql://app:${R}@10.0.1.5:3306/db`);
    expect(redactSecrets('redis://:s3cret@cache.internal:6379')).toBe(`redis://:${R}@cache.internal:6379`);
    expect(redactSecrets('{"url":"postgresql://u:pw@h/db","email":"a@b.com"}')).toBe(`{"url":"postgresql://u:${R}@h/db","email":"a@b.com"}`);
    expect(redactSecrets('two: amqp://a:x1@mq1 and amqp://b:y2@mq2')).toBe(`two: amqp://a:${R}@mq1 and amqp://b:${R}@mq2`);
    expect(redactSecrets('plain https://console.aws.amazon.com/secretsmanager/ and https://user@host/path')).toBe(
      'plain https://console.aws.amazon.com/secretsmanager/ and https://user@host/path',
    );
  });

  it('does not mistake names for keys: rotation steps, …Id, KeyError, ARN fragments', () => {
    expect(credentialKeyClass('setSecret')).toBeUndefined();
    expect(credentialKeyClass('finishSecret')).toBeUndefined();
    expect(credentialKeyClass('SecretId')).toBeUndefined();
    expect(credentialKeyClass('KmsKeyId')).toBeUndefined();
    expect(credentialKeyClass('KeyError')).toBeUndefined();
    expect(credentialKeyClass('monkey')).toBeUndefined();
    expect(credentialKeyClass('bypass')).toBeUndefined();
    expect(credentialKeyClass('SecretString')).toBe('secret');
    expect(credentialKeyClass('aws_secret_access_key')).toBe('secret');
    expect(credentialKeyClass('x-api-key')).toBe('secret');
    expect(credentialKeyClass('AttributeKey')).toBe('key');
    expect(credentialKeyClass('DB_PASSWORD')).toBe('password');
    expect(credentialKeyClass('--password')).toBe('password');
    expect(credentialKeyClass('ClientRequestToken')).toBe('secret');
  });

  it('is idempotent and leaves no placeholder behind', () => {
    const samples = [
      `{"password": "hunter2", "SecretId": "${SECRET_ARN}", "at": "2026-11-23T10:00:00Z", "id": "${REQ}"}`,
      'Authorization: Bearer abcdefgh12345678',
      `text with \uE000 0 \uE001 private-use characters and ${REQ}`,
    ];
    for (const s of samples) {
      const once = redactSecrets(s);
      expect(redactSecrets(once)).toBe(once);
      expect(once).not.toMatch(/[\uE000\uE001]/);
    }
    expect(redactSecrets('')).toBe('');
  });

  it('random passwords never survive, whatever they contain (seeded fuzz)', () => {
    const rand = prng(20261123);
    const templates: Array<(pw: string) => string> = [
      (pw) => JSON.stringify({ username: 'admin', password: pw, host: 'db.example.com' }),
      (pw) => JSON.stringify({ SecretString: JSON.stringify({ username: 'admin', password: pw }) }),
      (pw) => JSON.stringify(JSON.stringify({ password: pw, engine: 'mysql' })),
      (pw) => `{'username': 'admin', 'password': ${pyRepr(pw)}, 'port': 5432}`,
      (pw) => `connecting postgres://admin:${encodeURIComponent(pw)}@db.example.com:5432/app`,
      (pw) => `DB_PASSWORD=${pw.replace(/\s/g, '')} next=1`,
      (pw) => `password: ${pw.replace(/\s/g, '')}`,
    ];
    for (let i = 0; i < 400; i++) {
      const pw = pick(rand, PASSWORD_CHARS, 8 + Math.floor(rand() * 25));
      for (const [t, template] of templates.entries()) {
        const line = template(pw);
        const out = redactSecrets(line);
        expect(out, `template ${t}: ${line}`).not.toContain(pw);
        expect(out).toContain(R);
      }
    }
  });

  it('random base64 runs are redacted; identifiers of the same length are not', () => {
    const rand = prng(7);
    let caught = 0;
    const n = 300;
    for (let i = 0; i < n; i++) {
      const token = pick(rand, BASE64, 24 + Math.floor(rand() * 40));
      if (redactSecrets(`value ${token} end`) === `value ${R} end`) caught++;
    }
    expect(caught / n).toBeGreaterThan(0.93);
    for (const id of [
      'SecretsManagerRDSPostgreSQLRotationSingleUser',
      'SecretsManagerRDSMariaDBRotationMultiUser',
      'MasterUserSecretRotation2024Q1',
      'prod/myapp/db-master-credentials',
      'ap-northeast-1a-subnet-0123456789abcdef0',
      'AWSPREVIOUS_AWSCURRENT_AWSPENDING',
    ]) {
      expect(looksRandom(id), id).toBe(false);
      expect(redactSecrets(id)).toBe(id);
    }
  });
});

describe('redactLines', () => {
  it('redacts every line and keeps them all when they fit', () => {
    expect(redactLines(['ok', 'password=hunter2'], 100)).toEqual(['ok', `password=${R}`]);
    expect(redactLines([], 10)).toEqual([]);
  });

  it('keeps the newest lines within maxChars and says how many older ones were dropped', () => {
    const lines = ['a'.repeat(40), 'b'.repeat(40), 'line 3 new', 'token=abc123'];
    const out = redactLines(lines, 55);
    expect(out).toEqual(['… 2 earlier lines omitted', 'line 3 new', `token=${R}`]);
    expect(out.join('\n').length).toBeLessThanOrEqual(55);
    expect(redactLines(lines, 45)).toEqual(['… 3 earlier lines omitted', `token=${R}`]);
    for (let max = 0; max <= 60; max++) {
      const cut = redactLines(lines, max);
      expect(cut.join('\n').length, `maxChars ${max}`).toBeLessThanOrEqual(max);
      expect(cut.join('\n')).not.toContain('abc123');
    }
  });

  it('cuts a single over-long line after redacting it, so no part of a secret is left', () => {
    const line = `connecting with password=${'S3cr3t!'.repeat(10)} to db`;
    const out = redactLines([line], 30);
    expect(out).toEqual([`connecting with password=[red…`]);
    expect(out[0]!.length).toBeLessThanOrEqual(30);
    expect(redactLines(['a'.repeat(50), 'b'.repeat(50)], 40)).toEqual(['… 1 earlier line omitted', `${'b'.repeat(14)}…`]);
    expect(redactLines(['abc'], 0)).toEqual([]);
  });
});

describe('whybot’s own sentences survive (no secret in them)', () => {
  it.each([
    'the master password is not managed by RDS; pass --secret to check one',
    'Pass the secret your application reads with --secret <name or ARN> to check its rotation.',
    'SSM parameter /myapp/db/password is encrypted with alias/myapp-ssm',
    'aws secretsmanager get-secret-value --secret-id <secret-id> --version-stage AWSPREVIOUS',
  ])('%s', (text) => {
    expect(redactText(text)).toBe(text);
  });
});

describe('the patterns issue 11 found missing', () => {
  it.each([
    // prose and SQL
    ['ALTER USER admin WITH PASSWORD hunter2x', `ALTER USER admin WITH PASSWORD ${R}`],
    ["ALTER USER admin WITH PASSWORD 'hun ter2' VALID UNTIL 'infinity'", `ALTER USER admin WITH PASSWORD '${R}' VALID UNTIL 'infinity'`],
    ['Login failed: tried with password Sup3r!Secret.', `Login failed: tried with password ${R}.`],
    ['CREATE USER app IDENTIFIED BY "p@ss w0rd"', `CREATE USER app IDENTIFIED BY "${R}"`],
    ['the new password is letmein', `the new password is ${R}`],
    ['connect using password pw-42 to db', `connect using password ${R} to db`],
    // Oracle-style user/password@host
    ['sqlplus admin/Tiger42@prod-db:1521/ORCL', `sqlplus admin/${R}@prod-db:1521/ORCL`],
    ['url=jdbc:oracle:thin:scott/tiger@//db.example.com:1521/orcl', `url=jdbc:oracle:thin:scott/${R}@//db.example.com:1521/orcl`],
    // high-entropy tokens after secret-ish words
    ['the api key 9fK2mQ7xLp4Z was rejected', `the api key ${R} was rejected`],
    ['invalid token 0a1b2c3d4e5f60718293a4b5', `invalid token ${R}`],
    ['secret is Xk9mQ2pL7vR4 here', `secret is ${R} here`],
    // a URL cut before its "@" (a clipped failure reason), but not a port
    ['could not connect to postgres://admin:hunter2-Sup3', `could not connect to postgres://admin:${R}`],
    ['Message: postgres://admin:hunt… (truncated)', `Message: postgres://admin:${R}… (truncated)`],
    // percent-encoded form bodies and query strings
    ['body text=with%20password%20hunter2x&channel=C1', `body text=with%20password%20${R.replace('[', '%5B').replace(']', '%5D')}&channel=C1`],
    ['GET /cb?token=abc%2B123%3D&x=1', `GET /cb?token=${R}&x=1`],
    ['blocks=%5B%7B%22text%22%3A%22pwd%3A%20hunter2%22%7D%5D&ts=1.2', `blocks=${encodeURIComponent(`[{"text":"pwd: ${R}"}]`)}&ts=1.2`],
  ])('%s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });

  it.each([
    'password authentication failed for user "admin"',
    'setSecret: Unable to log into database with previous, current, or pending secret of secret arn arn:aws:secretsmanager:us-east-1:123456789012:secret:MySecret-AbCdEf',
    'the resource identified by arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'with password rotation enabled every 30 days',
    'key mrk-0123456789abcdef0123456789abcdef is disabled',
    'secret prod/myapp/db-master-credentials2024 rotated',
    'log group /aws/lambda/rotate@v2 and https://example.com/a/b@c',
    'endpoints https://db.example.com:8443 and https://db.example.com:8443/path, http://[::1]:8080',
    'encoded but harmless: /aws/lambda/x?name=a%20b&y=%2Fpath',
    'aws ssm get-parameter --region us-east-1 --name /app/db/password --with-decryption --query Parameter.Value --output json',
  ])('keeps %s', (line) => {
    expect(redactText(line)).toBe(line);
  });
});

describe('redactDeep', () => {
  it('redacts every string and every credential-named member, keeps shape and the rest', () => {
    const err = new Error('connect postgres://admin:hunter2@db/app failed');
    const v = {
      reason: 'Resource handler returned message: "password=hunter2 is invalid"',
      nested: [{ text: 'with password hunter2' }, 42, true, null],
      password: 'hunter2',
      DbPassword: 9876543,
      credentials: { user: 'a', pass: 'b' },
      apiKey: 'k-123',
      secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:MySecret-AbCdEf',
      ClientRequestToken: REQ,
      err,
    };
    const out = redactDeep(v);
    const json = JSON.stringify(out);
    expect(json).not.toContain('hunter2');
    expect(json).not.toContain('9876543');
    expect(out.password).toBe(R);
    expect(out.DbPassword).toBe(R);
    expect(out.credentials).toBe(R);
    expect(out.apiKey).toBe(R);
    expect(out.secretId).toBe(v.secretId);
    expect(out.ClientRequestToken).toBe(REQ);
    expect(out.nested).toEqual([{ text: `with password ${R}` }, 42, true, null]);
    expect(out.err).toMatchObject({ type: 'Error', message: `connect postgres://admin:${R}@db/app failed` });
    expect(v.password).toBe('hunter2'); // the input is not modified
    const cyclic: Record<string, unknown> = { a: 'password=x1' };
    cyclic.self = cyclic;
    expect(redactDeep(cyclic)).toEqual({ a: `password=${R}`, self: '[circular]' });
  });

  it('a Slack payload keeps its machine values (signed button values, ids) and loses the secrets in its text', () => {
    const blocks = [
      { type: 'section', block_id: 'b1', text: { type: 'mrkdwn', text: 'Reason: postgres://admin:hunter2@db failed' } },
      { type: 'actions', elements: [{ type: 'button', action_id: 'remediate:x', value: 'v1.AbCdEf1234GhIjKl5678MnOpQr90StUv', text: { type: 'plain_text', text: 'Redeploy' } }] },
    ];
    const body = new URLSearchParams({ channel: 'C0ONCALL', thread_ts: '1700000000.000100', text: 'with password hunter2', blocks: JSON.stringify(blocks) }).toString();
    const out = new URLSearchParams(redactSlackBody(body));
    expect(out.get('channel')).toBe('C0ONCALL');
    expect(out.get('thread_ts')).toBe('1700000000.000100');
    expect(out.get('text')).toBe(`with password ${R}`);
    const back = JSON.parse(out.get('blocks')!) as typeof blocks;
    expect(back[0]!.text!.text).toBe(`Reason: postgres://admin:${R}@db failed`);
    expect(back[1]!.elements![0]!.value).toBe('v1.AbCdEf1234GhIjKl5678MnOpQr90StUv');
    // URLSearchParams and JSON bodies too
    expect(redactSlackBody(new URLSearchParams({ text: 'password=hunter2' })).get('text')).toBe(`password=${R}`);
    expect(JSON.parse(redactSlackBody(JSON.stringify({ text: 'password=hunter2', response_type: 'ephemeral' })) as string)).toEqual({ text: `password=${R}`, response_type: 'ephemeral' });
    expect(redactSlackJson({ text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'pwd: hunter2' } }] })).toEqual({ text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `pwd: ${R}` } }] });
  });
});

describe('Slack limits survive redaction', () => {
  it('a section cut to 3000 characters stays within 3000 once "[redacted]" replaces a short password', () => {
    const text = `${'x'.repeat(2980)} password=ab1`; // 2994 characters
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text } }, { type: 'actions', elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: `${'b'.repeat(66)} pwd=xy` } }] }];
    const out = new URLSearchParams(redactSlackBody(new URLSearchParams({ channel: 'C1', blocks: JSON.stringify(blocks) }).toString()));
    const back = JSON.parse(out.get('blocks')!) as Array<{ text?: { text: string }; elements?: Array<{ text: { text: string } }> }>;
    expect(back[0]!.text!.text.length).toBeLessThanOrEqual(3000);
    expect(back[0]!.text!.text).toContain('password=[redacted]');
    expect(back[1]!.elements![0]!.text.text.length).toBeLessThanOrEqual(75);
    expect(back[1]!.elements![0]!.text.text).not.toContain('xy');
    // short texts keep all their words
    expect(fitSlackText('password=x1 is wrong', `password=${R} is wrong`)).toBe(`password=${R} is wrong`);
  });
});

describe('finding texts are not secrets', () => {
  it('keeps a finding id followed by a count or words', async () => {
    const { redactText } = await import('../src/redact/index.js');
    expect(redactText('stale-credentials: 3 of 4 tasks of api started before')).toBe('stale-credentials: 3 of 4 tasks of api started before');
    expect(redactText('credentials-healthy: every consumer started after')).toBe('credentials-healthy: every consumer started after');
    // still a credential where it looks like one
    expect(redactText('stale-credentials: hunter2-Xy9!Qz')).not.toContain('hunter2');
    expect(redactText('password: 1234')).toBe('password: [redacted]');
  });
});
