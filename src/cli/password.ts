import { UsageError } from '../errors';

/** `--password-stdin`: everything on standard input, less one trailing newline, so `echo pw |` and files both work. */
export async function passwordFromStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Asks twice on the terminal without echo; refuses when there is no terminal rather than read a piped secret silently. */
export async function promptNewPassword(): Promise<string> {
  if (!process.stdin.isTTY) throw new UsageError('没有可输入密码的终端,请用 --password-stdin 从标准输入传入密码');
  const first = await readHidden('新密码: ');
  const second = await readHidden('再输入一次: ');
  if (first !== second) throw new UsageError('两次输入的密码不一致');
  return first;
}

function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return finish(), resolve(value);
        if (ch === '\u0003') return finish(), reject(new UsageError('已取消'));
        value = ch === '\u007f' || ch === '\b' ? [...value].slice(0, -1).join('') : value + ch;
      }
    };
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
