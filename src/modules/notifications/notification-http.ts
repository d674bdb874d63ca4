import { request, type Dispatcher } from 'undici';
import type { OutgoingRequest } from './channel-requests.js';

/** A webhook or chat service that does not answer within this is given up on for this try. */
export const NOTIFY_TIMEOUT_MS = 10_000;
const MAX_REDIRECTS = 3;

/**
 * A delivery that did not go through, in words the owner can act on ("DNS: hooks.example.com was not
 * found"). `permanent`: trying again cannot help (the service refused the request itself: a deleted
 * webhook, a wrong token), so the message goes to the dead letters at once.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** Owner-configured, but still only http(s), and never with the secret parts shown back. */
export function checkChannelUrl(raw: string): URL | undefined {
  try {
    const url = new URL(raw.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The address without what may be secret (credentials, path, query): the host the owner recognises. */
export const safeHost = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return 'the address';
  }
};

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS|SSL|ALTNAME/;

/** The failure of the connection itself, by its Node error code. */
function networkWords(error: unknown, host: string, timeoutMs: number): DeliveryError {
  const code = String((error as { code?: unknown })?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code ?? '');
  const name = (error as { name?: string })?.name ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new DeliveryError(`DNS: ${host} was not found; check the address.`);
  if (code === 'ECONNREFUSED') return new DeliveryError(`${host} refused the connection; is the service running there?`);
  if (TLS_CODES.test(code)) return new DeliveryError(`TLS error with ${host} (${code}): its certificate is not trusted.`);
  if (name === 'TimeoutError' || name === 'AbortError' || code.startsWith('UND_ERR_') && code.includes('TIMEOUT')) {
    return new DeliveryError(`${host} did not answer within ${timeoutMs / 1000} s.`);
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return new DeliveryError(`${host} closed the connection.`);
  return new DeliveryError(`Could not reach ${host}${code ? ` (${code})` : ''}.`);
}

async function statusWords(response: Dispatcher.ResponseData, host: string): Promise<DeliveryError> {
  const text = (await response.body.text().catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 200);
  const status = response.statusCode;
  const hint = status === 401 || status === 403 ? ' (check the token or the address)' : status === 404 || status === 410 ? ' (the webhook or topic does not exist any more?)' : '';
  // Honoured up to an hour: a service cannot push a message past the day it is tried for.
  const retryAfter = Math.min(Number(response.headers['retry-after']), 3600);
  // The service refused this request as such: only a change of the channel helps (429 and 408 are "later").
  const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
  return new DeliveryError(`${host} answered ${status}${hint}${text ? `: ${text}` : ''}`, permanent, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
}

/**
 * POSTs one request, within NOTIFY_TIMEOUT_MS overall; follows a redirect only on the same host
 * (a webhook moved to another host is not followed: its body may carry what the owner meant for the
 * first one). Resolves on 2xx; throws a DeliveryError otherwise.
 */
export async function postRequest(outgoing: OutgoingRequest, options: { dispatcher?: Dispatcher; timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? NOTIFY_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  let url = outgoing.url;
  const origin = new URL(url).origin;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
    const host = safeHost(url);
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, { method: 'POST', headers: { 'user-agent': 'Helpr', ...outgoing.headers }, body: outgoing.body, signal, dispatcher: options.dispatcher });
    } catch (error) {
      throw networkWords(signal.aborted ? signal.reason : error, host, timeoutMs);
    }
    const status = response.statusCode;
    if (status >= 200 && status < 300) {
      await response.body.dump();
      return;
    }
    const location = response.headers.location;
    if (status >= 300 && status < 400 && typeof location === 'string') {
      await response.body.dump();
      const next = new URL(location, url);
      if (next.origin !== origin) throw new DeliveryError(`${host} redirected to another host (${next.host}); Helpr does not follow that. Use the new address.`, true);
      url = next.toString();
      continue;
    }
    throw await statusWords(response, host);
  }
  throw new DeliveryError(`${safeHost(outgoing.url)} redirected more than ${MAX_REDIRECTS} times.`, true);
}
