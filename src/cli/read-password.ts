import { CliError, EXIT, type CliIo } from './cli-io.js';

async function readAll(stream: CliIo['stdin']): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** One line typed at the terminal without echoing it. */
function promptHidden(io: CliIo, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const { stdin, stdout } = io;
    let value = '';
    stdout.write(question);
    stdin.setRawMode?.(true);
    stdin.resume();
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new CliError('Cancelled.', EXIT.failure));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      stdout.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    stdin.on('data', onData);
  });
}

/**
 * The new password: the whole of stdin with --password-stdin (one trailing newline removed), or
 * typed twice at an interactive prompt.
 */
export async function readNewPassword(io: CliIo, fromStdin: boolean): Promise<string> {
  if (fromStdin) return (await readAll(io.stdin)).replace(/\r?\n$/, '');
  if (!io.stdin.isTTY) {
    throw new CliError('No terminal to ask for the password: pipe it in with --password-stdin.', EXIT.usage);
  }
  const first = await promptHidden(io, 'Password (at least 12 characters): ');
  const second = await promptHidden(io, 'Repeat the password: ');
  if (first !== second) throw new CliError('The two passwords differ; nothing was changed.', EXIT.invalid);
  return first;
}
