import { randomInt } from 'node:crypto';
import type { SimClock } from './clock.js';

export interface Pin {
  id: number;
  code: string;
  strong: boolean;
  product: string | null;
  clientIdentifier: string;
  createdAt: Date;
  expiresAt: Date;
  authToken: string | null;
  accountId: number | null;
}

const SHORT_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const STRONG_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

const randomCode = (alphabet: string, length: number): string =>
  Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');

/** OAuth PINs. Expiry is judged against the injected clock on every lookup, never by a timer. */
export class PinStore {
  private readonly pins = new Map<number, Pin>();
  private nextId = 308667304;

  constructor(
    private readonly clock: SimClock,
    private readonly ttlSeconds: number,
  ) {}

  create(input: { clientIdentifier: string; product: string | null; strong: boolean }): Pin {
    const createdAt = this.clock.now();
    let code: string;
    do {
      code = input.strong ? randomCode(STRONG_ALPHABET, 25) : randomCode(SHORT_ALPHABET, 4);
    } while (this.findByCode(code));
    const pin: Pin = {
      ...input,
      id: this.nextId++,
      code,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + this.ttlSeconds * 1000),
      authToken: null,
      accountId: null,
    };
    this.pins.set(pin.id, pin);
    return pin;
  }

  isLive(pin: Pin): boolean {
    return this.clock.now().getTime() < pin.expiresAt.getTime();
  }

  /** Polling needs the identifier that created the PIN; anything else looks like an unknown PIN. */
  findForClient(id: number, clientIdentifier: string): Pin | undefined {
    const pin = this.findLive(id);
    return pin?.clientIdentifier === clientIdentifier ? pin : undefined;
  }

  findLive(id: number): Pin | undefined {
    const pin = this.pins.get(id);
    return pin && this.isLive(pin) ? pin : undefined;
  }

  findByCode(code: string): Pin | undefined {
    const wanted = code.toLowerCase();
    return this.all().find((pin) => pin.code.toLowerCase() === wanted && this.isLive(pin));
  }

  approve(pin: Pin, accountId: number, authToken: string): void {
    pin.accountId = accountId;
    pin.authToken = authToken;
  }

  all(): Pin[] {
    return [...this.pins.values()];
  }
}
