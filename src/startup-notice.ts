import type { Logger } from 'pino';
import type { Config } from './config.js';

/** The local address a person can open: a wildcard bind is reachable as localhost. */
export function localUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::') return `http://localhost:${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * What a person starting Helpr needs to read first, as plain sentences: where it listens, where
 * to finish the setup, and what to configure. Logged at info/warn (so logs keep them too).
 */
export function startupNotice(
  config: Pick<Config, 'host' | 'baseUrl'> & Partial<Pick<Config, 'basePath'>>,
  port: number,
  setupPending: boolean,
  /** The public address saved in Settings: links use it when BASE_URL is empty. */
  publicAddress: string | null = null,
): Array<{ level: 'info' | 'warn'; message: string }> {
  // Under BASE_PATH (served at /helpr) that path is where a person opens Helpr.
  const url = `${localUrl(config.host, port)}${config.basePath ?? ''}`;
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  const lines: Array<{ level: 'info' | 'warn'; message: string }> = [
    { level: 'info', message: `Helpr is listening on ${url}${wildcard ? ' (and on every other address of this machine)' : ''}` },
  ];
  if (setupPending) lines.push({ level: 'info', message: `Setup is not finished: open ${config.baseUrl ?? url}/admin to finish setup` });
  if (!config.baseUrl && publicAddress) {
    lines.push({ level: 'info', message: `Invite links use the public address set in Settings: ${publicAddress}` });
  } else if (!config.baseUrl) {
    lines.push({
      level: 'warn',
      message: "No public address is set: invite links use the address each request reached (or the name a trusted proxy forwarded). Set it in Settings > Public address, or set BASE_URL (https://invite.example.com).",
    });
  }
  return lines;
}

export function logStartupNotice(logger: Logger, notice: ReturnType<typeof startupNotice>): void {
  for (const line of notice) logger[line.level](line.message);
}

/** The notice as a person reads it: plain lines, warnings marked as such. */
export function plainNotice(notice: ReturnType<typeof startupNotice>): string {
  return notice.map((line) => `${line.level === 'warn' ? 'Warning: ' : ''}${line.message}\n`).join('');
}

/**
 * Logs the notice (JSON lines on stdout, for machines) and writes it as plain lines to `out`
 * (stderr): whoever reads the output, in a terminal, `docker logs` or the journal, sees the address
 * in plain words, and stdout stays JSON only.
 */
export function announceStartup(logger: Logger, notice: ReturnType<typeof startupNotice>, out: { write(text: string): unknown } | undefined): void {
  logStartupNotice(logger, notice);
  out?.write(plainNotice(notice));
}
