/**
 * Configuration: defaults, flag/environment precedence, validation errors naming the flag,
 * and redaction of secrets for printing.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactConfig } from '../src/config.ts';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    expect(loadConfig([], {})).toEqual({
      dataDir: path.resolve('./.latchkey'),
      port: 8080,
      host: '127.0.0.1',
      // Loopback is named `localhost`: WebAuthn refuses IP addresses as relying-party ids.
      publicUrl: 'http://localhost:8080',
      smtpFrom: 'Latchkey <latchkey@localhost>',
      logLevel: 'info',
      serverKeysFile: path.resolve('./.latchkey/server-keys.json'),
      trustProxy: false,
    });
  });

  it('reads every setting from the environment', () => {
    const config = loadConfig([], {
      LATCHKEY_DATA_DIR: 'rel/data',
      PORT: '9000',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://vault.example.com/',
      DATABASE_URL: 'postgres://u:pw@db:5432/latchkey',
      SMTP_URL: 'smtps://mailer:secret@smtp.example.com:465',
      SMTP_FROM: 'Vault <vault@example.com>',
      LOG_LEVEL: 'debug',
      TRUST_PROXY: '10.0.0.0/8, 192.168.1.1',
    });
    expect(config).toEqual({
      dataDir: path.resolve('rel/data'),
      port: 9000,
      host: '0.0.0.0',
      publicUrl: 'https://vault.example.com',
      databaseUrl: 'postgres://u:pw@db:5432/latchkey',
      smtpUrl: 'smtps://mailer:secret@smtp.example.com:465',
      smtpFrom: 'Vault <vault@example.com>',
      logLevel: 'debug',
      serverKeysFile: path.resolve('rel/data/server-keys.json'),
      trustProxy: ['10.0.0.0/8', '192.168.1.1'],
    });
  });

  it('lets flags win over the environment, in both --flag value and --flag=value forms', () => {
    const config = loadConfig(['--port', '7000', '--host=::1', '--data-dir', '/srv/lk'], {
      PORT: '9000',
      HOST: '0.0.0.0',
      LATCHKEY_DATA_DIR: '/elsewhere',
    });
    expect(config.port).toBe(7000);
    expect(config.host).toBe('::1');
    expect(config.dataDir).toBe('/srv/lk');
    expect(config.publicUrl).toBe('http://localhost:7000');
  });

  it('treats empty environment variables as unset', () => {
    expect(loadConfig([], { PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 8080 });
    expect(loadConfig([], { DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('accepts port 0 (any free port) and rejects out-of-range or non-numeric ports', () => {
    expect(loadConfig(['--port', '0'], {}).port).toBe(0);
    for (const bad of ['65536', '-1', '80a', '8.5', '']) {
      const error = configError(() => loadConfig([`--port=${bad}`], {}));
      expect(error.option).toBe('port');
      expect(error.message).toContain('--port');
    }
    expect(configError(() => loadConfig([], { PORT: 'http' })).option).toBe('port');
  });

  it('rejects malformed URLs, naming the flag and not echoing a possible password', () => {
    const error = configError(() => loadConfig(['--database-url', 'not a url:secretpw'], {}));
    expect(error.option).toBe('database-url');
    expect(error.message).toContain('--database-url');
    expect(error.message).not.toContain('secretpw');

    expect(configError(() => loadConfig([], { DATABASE_URL: 'mysql://x@y/z' })).option).toBe('database-url');
    expect(configError(() => loadConfig([], { SMTP_URL: 'http://mail' })).option).toBe('smtp-url');
    expect(configError(() => loadConfig(['--public-url', 'ftp://x'], {})).option).toBe('public-url');
    expect(loadConfig(['--database-url', 'postgresql://db/x'], {}).databaseUrl).toBe('postgresql://db/x');
  });

  it('rejects unknown flags, positionals and unknown log levels', () => {
    const unknown = configError(() => loadConfig(['--prot', '80'], {}));
    expect(unknown.option).toBe('arguments');
    expect(unknown.message).toContain('--prot');
    expect(configError(() => loadConfig(['extra'], {})).option).toBe('arguments');
    expect(configError(() => loadConfig(['--port'], {})).option).toBe('arguments');
    expect(configError(() => loadConfig([], { LOG_LEVEL: 'loud' })).option).toBe('log-level');
  });

  it('reads --trust-proxy as true/false, a hop count, or a list of addresses and CIDR ranges', () => {
    const trust = (value: string) => loadConfig([`--trust-proxy=${value}`], {}).trustProxy;
    expect(trust('true')).toBe(true);
    expect(trust('false')).toBe(false);
    expect(trust('2')).toBe(2);
    expect(trust('127.0.0.1')).toEqual(['127.0.0.1']);
    expect(trust('10.0.0.0/8,::1,fd00::/8,loopback')).toEqual(['10.0.0.0/8', '::1', 'fd00::/8', 'loopback']);
    expect(loadConfig([], { TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig(['--trust-proxy', 'false'], { TRUST_PROXY: 'true' }).trustProxy).toBe(false);
    for (const bad of ['yes', '0', '256', '-1', '10.0.0.0/33', '::1/129', '10.0.0.1/8/8', 'proxy.example.com', '127.0.0.1,', '1.2.3']) {
      const error = configError(() => trust(bad));
      expect(error.option, bad).toBe('trust-proxy');
      expect(error.message).toMatch(/--trust-proxy \/ TRUST_PROXY/);
    }
  });

  it('is a typed error with a stable code', () => {
    const error = configError(() => loadConfig(['--port', 'x'], {}));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
    expect(error.code).toBe('invalid_config');
  });
});

describe('redactConfig', () => {
  it('masks passwords in URLs and leaves everything else printable', () => {
    const config = loadConfig(
      ['--database-url', 'postgres://latchkey:hunter2@db:5432/latchkey?sslmode=require', '--smtp-url', 'smtps://mailer:s3cr%40t@smtp.example.com:465'],
      {},
    );
    const redacted = redactConfig(config);
    expect(redacted.databaseUrl).toBe('postgres://latchkey:***@db:5432/latchkey?sslmode=require');
    expect(redacted.smtpUrl).toBe('smtps://mailer:***@smtp.example.com:465');
    expect(JSON.stringify(redacted)).not.toMatch(/hunter2|s3cr/);
    expect(redacted.port).toBe(config.port);
    // The original is untouched.
    expect(config.databaseUrl).toContain('hunter2');
  });

  it('masks a password given as a query parameter and leaves password-less URLs alone', () => {
    const config = loadConfig(['--database-url', 'postgres://db/x?user=a&password=topsecret'], {});
    expect(redactConfig(config).databaseUrl).not.toContain('topsecret');
    const plain = loadConfig(['--database-url', 'postgres://root@127.0.0.1:5432/test'], {});
    expect(redactConfig(plain).databaseUrl).toBe('postgres://root@127.0.0.1:5432/test');
  });
});
