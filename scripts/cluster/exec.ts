import { spawn } from 'node:child_process';
import { UsageError } from '../../src/errors';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Each output line as it arrives (progress); the whole output is returned either way. */
  onLine?: (line: string) => void;
  /**
   * Own session and process group: daemons it leaves behind (the postmaster) must not get the Ctrl-C or the
   * SIGTERM meant for this script.
   */
  detached?: boolean;
}

/** Runs a command to completion; a non-zero exit throws with the command and the last lines of its output. */
export async function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const { code, output, error } = await runRaw(cmd, args, opts);
  if (error) throw new UsageError(`无法运行 ${cmd}: ${error.message}`, { cause: error });
  if (code !== 0) throw new UsageError(`命令失败(退出码 ${code}): ${cmd} ${args.join(' ')}\n${tail(output, 20)}`);
  return output;
}

/** Like run, but a failure is a result, for commands whose exit code is the answer (pg_isready). */
export function runRaw(
  cmd: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<{ code: number | null; output: string; error?: Error }> {
  return new Promise((resolve) => {
    const chunks: string[] = [];
    let partial = '';
    const child = spawn(cmd, args, { env: opts.env ?? process.env, detached: opts.detached ?? false, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (buf: Buffer): void => {
      const text = buf.toString('utf8');
      chunks.push(text);
      if (!opts.onLine) return;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) opts.onLine(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error) => resolve({ code: null, output: chunks.join(''), error }));
    child.once('close', (code) => {
      if (partial && opts.onLine) opts.onLine(partial);
      resolve({ code, output: chunks.join('') });
    });
  });
}

export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
