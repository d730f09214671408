import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main, type MainIo } from '../src/main.js';
import { Output, type OutputStream } from '../src/output.js';

/** Runs `main` in-process with captured output. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  let stderr = '';
  const io: MainIo = { stdout, stderr: { write: (t: string) => (stderr += t) }, stdoutIsTTY: false };
  const code = await main(argv, io);
  return { code, stdout: Buffer.concat(chunks).toString('utf8'), stderr };
}

const ERROR_LINE = /^deltakit: ([A-Z_]+): [^\n]+\n$/;

describe('dispatcher', () => {
  it('prints the command list for --help and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const name of ['cat', 'describe', 'history', 'files']) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('prints each command help for --help, before validating anything else', async () => {
    for (const name of ['cat', 'describe', 'history', 'files']) {
      const r = await run([name, '--help', '--format', 'bogus']);
      expect(r.code).toBe(0);
      expect(r.stdout.startsWith(`Usage: deltakit ${name} <table>`)).toBe(true);
    }
  });

  it.each([
    [[], 'Missing a command'],
    [['frobnicate'], "Unknown command 'frobnicate'"],
    [['cat'], 'Missing the <table> argument'],
    [['cat', 'a', 'b'], 'Expected one <table> argument'],
    [['cat', 't', '--bogus'], "Unknown option '--bogus'"],
    [['cat', 't', '--limit', '-3'], '--limit'],
    [['cat', 't', '--limit', '1.5'], '--limit must be a non-negative integer'],
    [['cat', 't', '--format', 'xml'], '--format must be one of jsonl, csv, table'],
    [['cat', 't', '--version', '1', '--timestamp', '2020-01-01'], 'give only one'],
    [['cat', 't', '--session-time-zone', 'Mars/Olympus_Mons'], 'is not a time zone'],
    [['describe', 't', '--version', '99999999999999999999'], 'beyond the largest supported integer'],
    [['history', 't', '--format', 'yaml'], '--format must be one of json, text'],
  ])('rejects %j as a usage error (exit 2, one INVALID_ARGUMENT line)', async (argv, fragment) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(ERROR_LINE);
    expect(ERROR_LINE.exec(r.stderr)?.[1]).toBe('INVALID_ARGUMENT');
    expect(r.stderr).toContain(fragment);
  });
});

describe('error lines', () => {
  it('drop the caret of a parse error (the line names the column) and keep the excerpt', async () => {
    const r = await run(['sql', 'DELETE FROM delta.`/nowhere` WHERE id = = 1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(ERROR_LINE);
    expect(r.stderr).toBe("deltakit: PARSE_ERROR: expected a column name, literal or (, found '=' at column 41: DELETE FROM delta.`/nowhere` WHERE id = = 1\n");
  });
});

/** A stream whose reader went away: every write fails with EPIPE, reported asynchronously. */
class ClosedPipe implements OutputStream {
  private errorListeners: Array<(e: Error & { code?: string }) => void> = [];
  writes = 0;
  write(): boolean {
    this.writes++;
    const e = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
    queueMicrotask(() => this.errorListeners.forEach((l) => l(e)));
    return false;
  }
  once(event: string, listener: (...args: unknown[]) => void): this {
    if (event === 'error') this.errorListeners.push(listener);
    return this;
  }
  on(_event: 'error', listener: (e: Error & { code?: string }) => void): this {
    this.errorListeners.push(listener);
    return this;
  }
  removeListener(_event: string, listener: (...args: unknown[]) => void): this {
    this.errorListeners = this.errorListeners.filter((l) => l !== listener);
    return this;
  }
}

describe('Output', () => {
  it('treats EPIPE as the reader going away: no throw, later writes dropped, onClosed fires', async () => {
    const pipe = new ClosedPipe();
    let closedCalls = 0;
    const out = new Output(pipe, () => closedCalls++);
    await out.write('first\n');
    expect(out.closed).toBe(true);
    expect(out.failed).toBe(false);
    await out.write('second\n');
    expect(pipe.writes).toBe(1);
    expect(closedCalls).toBeGreaterThan(0);
  });

  it('reports other write failures as STORAGE_ERROR', async () => {
    const stream = new PassThrough();
    const out = new Output(stream);
    stream.emit('error', Object.assign(new Error('disk full'), { code: 'ENOSPC' }));
    await expect(out.write('x')).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
  });

  it('waits for drain when the stream buffer is full', async () => {
    const stream = new PassThrough({ highWaterMark: 4 });
    const out = new Output(stream);
    let done = false;
    const pending = out.write('0123456789').then(() => (done = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(done).toBe(false);
    stream.read();
    await pending;
    expect(done).toBe(true);
  });

  it('ends a command quietly with exit 0 when stdout closes (help text into a closed pipe)', async () => {
    let stderr = '';
    const code = await main(['--help'], { stdout: new ClosedPipe(), stderr: { write: (t: string) => (stderr += t) }, stdoutIsTTY: false });
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });
});
