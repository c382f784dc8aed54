import { run } from '../../src/cli/main';

export interface CliResult {
  code: number;
  out: string;
  err: string;
  /** Thrown out of the CLI instead of turned into an exit code: a crash. */
  thrown?: string;
}

/**
 * Runs the real `duty` command in this process with `env` set, capturing what it prints. Input reaches the engine
 * through the same path an administrator's does, error formatting included.
 */
export async function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  let out = '';
  let err = '';
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => ((out += chunk.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((err += chunk.toString()), true)) as typeof process.stderr.write;
  try {
    return { code: await run(args), out, err };
  } catch (e) {
    return { code: -1, out, err, thrown: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
