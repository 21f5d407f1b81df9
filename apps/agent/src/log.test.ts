import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log';

describe('createLogger', () => {
  it('writes JSON lines and censors token, secret and key fields', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger(sink);
    logger.info({ token: 'abcdef.0123456789abcdef', request: { secrets: { joinToken: 'x1' }, keyPem: 'KEY' }, host: 'cp1' }, 'hello');
    const line = JSON.parse(lines.join('')) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'hello', host: 'cp1', name: 'kumi-agent', token: '***', request: { secrets: '***', keyPem: '***' } });
    expect(lines.join('')).not.toMatch(/0123456789abcdef|x1|KEY/);
  });
});
