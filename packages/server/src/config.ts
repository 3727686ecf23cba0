/**
 * Server configuration: every setting the server reads from its command line and environment,
 * parsed and validated in this one place at start-up.
 *
 * Protects against: half-configured servers (a typo in a flag or a malformed URL fails fast with
 * a message naming the flag, instead of surfacing later as a confusing runtime error) and
 * secrets in logs (`redactConfig` masks passwords embedded in database and SMTP URLs).
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * Which peers may set `X-Forwarded-For` (passed to Fastify's `trustProxy`): `false` trusts none
 * (the TCP peer is the client), `true` trusts every peer, a number trusts that many proxy hops,
 * and a list trusts those addresses and CIDR ranges (or proxy-addr's `loopback`, `linklocal`,
 * `uniquelocal`).
 */
export type TrustProxy = boolean | number | readonly string[];

export interface ServerConfig {
  /** Absolute path holding the embedded database, the email outbox and other local state. */
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  /** Origin users reach the server at; used in emails and as the WebAuthn/relying-party origin. */
  readonly publicUrl: string;
  /** PostgreSQL connection URL; absent means the embedded SQLite database `<dataDir>/latchkey.db`. */
  readonly databaseUrl?: string;
  /** SMTP URL (smtp:// or smtps://); absent means emails are written to `<dataDir>/outbox/`. */
  readonly smtpUrl?: string;
  readonly smtpFrom: string;
  readonly logLevel: LogLevel;
  /**
   * The keyring that encrypts server-held secrets (TOTP seeds) at rest, kept outside the database
   * so a database dump alone does not reveal them. Every instance must read the same file.
   */
  readonly serverKeysFile: string;
  /** Reverse proxies whose `X-Forwarded-For` names the client (rate limits, logs, security events). Off by default. */
  readonly trustProxy: TrustProxy;
}

/** The flag (or environment variable) a configuration problem is about. */
export type ConfigOption =
  | 'data-dir'
  | 'port'
  | 'host'
  | 'public-url'
  | 'database-url'
  | 'smtp-url'
  | 'smtp-from'
  | 'log-level'
  | 'server-keys-file'
  | 'trust-proxy'
  | 'arguments';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'invalid_config';
  constructor(
    readonly option: ConfigOption,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Each flag and the environment variable it may come from; flags win over the environment. */
const OPTIONS = {
  'data-dir': 'LATCHKEY_DATA_DIR',
  port: 'PORT',
  host: 'HOST',
  'public-url': 'PUBLIC_URL',
  'database-url': 'DATABASE_URL',
  'smtp-url': 'SMTP_URL',
  'smtp-from': 'SMTP_FROM',
  'log-level': 'LOG_LEVEL',
  'server-keys-file': 'SERVER_KEYS_FILE',
  'trust-proxy': 'TRUST_PROXY',
} as const satisfies Record<Exclude<ConfigOption, 'arguments'>, string>;

type OptionName = keyof typeof OPTIONS;

/**
 * Reads the configuration from `argv` (arguments after the program/subcommand name) and `env`.
 * Empty environment variables count as unset, so `PORT=` does not override the default.
 * @throws ConfigError naming the offending flag for unknown flags, a bad port, a malformed URL, or
 *   a malformed `--trust-proxy`.
 */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): ServerConfig {
  const values = parseFlags(argv);
  const pick = (name: OptionName): string | undefined => {
    const flag = values[name];
    if (flag !== undefined) return flag;
    const fromEnv = env[OPTIONS[name]];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };

  const dataDir = path.resolve(pick('data-dir') ?? './.latchkey');
  const port = parsePort(pick('port'));
  const host = pick('host') ?? '127.0.0.1';
  const publicUrl = parseUrl('public-url', pick('public-url') ?? `http://${defaultPublicHost(host)}:${port}`, ['http:', 'https:']);
  const databaseUrlRaw = pick('database-url');
  const smtpUrlRaw = pick('smtp-url');
  const smtpFrom = pick('smtp-from') ?? 'Latchkey <latchkey@localhost>';
  const logLevel = parseLogLevel(pick('log-level'));
  const serverKeysFile = path.resolve(pick('server-keys-file') ?? path.join(dataDir, 'server-keys.json'));
  const trustProxy = parseTrustProxy(pick('trust-proxy'));

  return {
    dataDir,
    port,
    host,
    // Trailing slash dropped so callers can append paths (`${publicUrl}/...`) without doubling it.
    publicUrl: publicUrl.replace(/\/+$/, ''),
    ...(databaseUrlRaw !== undefined && {
      databaseUrl: parseUrl('database-url', databaseUrlRaw, ['postgres:', 'postgresql:']),
    }),
    ...(smtpUrlRaw !== undefined && { smtpUrl: parseUrl('smtp-url', smtpUrlRaw, ['smtp:', 'smtps:']) }),
    smtpFrom,
    logLevel,
    serverKeysFile,
    trustProxy,
  };
}

/** A copy of `config` safe to print: passwords inside URLs are replaced by `***`. */
export function redactConfig(config: ServerConfig): ServerConfig {
  return {
    ...config,
    ...(config.databaseUrl !== undefined && { databaseUrl: redactUrl(config.databaseUrl) }),
    ...(config.smtpUrl !== undefined && { smtpUrl: redactUrl(config.smtpUrl) }),
    publicUrl: redactUrl(config.publicUrl),
  };
}

function parseFlags(argv: string[]): Partial<Record<OptionName, string>> {
  const options = Object.fromEntries(Object.keys(OPTIONS).map((name) => [name, { type: 'string' as const }])) as Record<OptionName, { type: 'string' }>;
  try {
    const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
    return values;
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new ConfigError('arguments', `Invalid command-line arguments: ${detail}`, { cause });
  }
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined) return 8080;
  // Port 0 lets the OS choose a free port, which tests rely on.
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError('port', `--port / PORT must be an integer from 0 to 65535, got "${raw}"`);
  }
  return Number(raw);
}

function parseUrl(option: 'public-url' | 'database-url' | 'smtp-url', raw: string, protocols: string[]): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    // The raw value is not echoed: it may carry a password.
    throw new ConfigError(option, `--${option} / ${OPTIONS[option]} is not a valid URL`, { cause });
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(option, `--${option} / ${OPTIONS[option]} must use ${protocols.join(' or ')}, got "${url.protocol}"`);
  }
  return raw;
}

function parseLogLevel(raw: string | undefined): LogLevel {
  if (raw === undefined) return 'info';
  const level = LOG_LEVELS.find((l) => l === raw);
  if (level === undefined) {
    throw new ConfigError('log-level', `--log-level / LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  }
  return level;
}

const PROXY_ADDR_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function parseTrustProxy(raw: string | undefined): TrustProxy {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops < 1 || hops > 255) throw new ConfigError('trust-proxy', `--trust-proxy / TRUST_PROXY hop count must be from 1 to 255, got "${raw}"`);
    return hops;
  }
  const entries = raw.split(',').map((entry) => entry.trim());
  const bad = entries.find((entry) => !isTrustedProxyEntry(entry));
  if (bad !== undefined) {
    throw new ConfigError(
      'trust-proxy',
      `--trust-proxy / TRUST_PROXY must be true, false, a hop count, or a comma-separated list of IP addresses and CIDR ranges; "${bad}" is none of these`,
    );
  }
  return entries;
}

function isTrustedProxyEntry(entry: string): boolean {
  if (PROXY_ADDR_NAMES.includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** IPv6 literals need brackets inside a URL. */
/**
 * The host the default public URL names: `localhost` for a loopback address, because WebAuthn
 * (security keys) refuses IP addresses as relying-party ids; otherwise the host as given.
 */
function defaultPublicHost(host: string): string {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' ? 'localhost' : hostForUrl(host);
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    // libpq also accepts the password as a query parameter.
    const inQuery = url.searchParams.has('password');
    if (url.password === '' && !inQuery) return raw;
    if (url.password !== '') url.password = '***';
    if (inQuery) url.searchParams.set('password', '***');
    return url.toString();
  } catch {
    // Validated URLs always parse; anything else is hidden entirely rather than risk a leak.
    return '***';
  }
}
