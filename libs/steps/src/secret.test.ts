import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Secret, redact } from './secret';

const VALUE = 'abcdef.0123456789abcdef';

describe('Secret', () => {
  const secret = new Secret(VALUE);

  it('prints *** through String(), template literals, JSON.stringify and util.inspect', () => {
    expect(String(secret)).toBe('***');
    expect(`${secret}`).toBe('***');
    expect(`token=${secret}`).toBe('token=***');
    expect(JSON.stringify({ token: secret })).toBe('{"token":"***"}');
    expect(inspect({ nested: { token: secret } })).not.toContain(VALUE);
    expect(inspect(secret)).toBe('***');
    expect(secret.reveal()).toBe(VALUE);
  });

  it('prints *** through pino, as a field and inside a message', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = pino({}, sink);
    log.info({ token: secret, request: { secrets: { token: secret } } }, `joining with ${secret}`);
    log.info('args %s %o', secret, { secret });
    const text = lines.join('');
    expect(lines).toHaveLength(2);
    expect(text).not.toContain(VALUE);
    expect(JSON.parse(lines[0]!)).toMatchObject({ token: '***', request: { secrets: { token: '***' } }, msg: 'joining with ***' });
  });
});

describe('redact', () => {
  it('replaces every occurrence of every secret', () => {
    expect(redact(`a ${VALUE} b ${VALUE} c other`, [new Secret(VALUE), 'other'])).toBe('a *** b *** c ***');
  });

  it('ignores empty secrets', () => {
    expect(redact('text', [''])).toBe('text');
  });
});
