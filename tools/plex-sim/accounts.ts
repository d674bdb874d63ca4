import { randomBytes } from 'node:crypto';
import type { SeedAccount } from './seed.js';

export interface Account {
  id: number;
  uuid: string;
  username: string;
  email: string;
  title: string;
  plexPass: boolean;
  /** plex.tv's `confirmed`: the email address was confirmed. */
  confirmed: boolean;
}

export type AuthResult =
  | { kind: 'ok'; account: Account; token: string }
  | { kind: 'revoked' }
  | { kind: 'missing' | 'unknown' };

const TOKEN_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789';

/** Real plex.tv tokens are 20 characters of mixed-case letters and digits. */
export function randomToken(length = 20): string {
  return [...randomBytes(length)].map((byte) => TOKEN_ALPHABET[byte % TOKEN_ALPHABET.length]).join('');
}

/** Accounts and their tokens. A revoked token stays known so it can answer 422 instead of 401. */
export class AccountStore {
  private readonly accounts = new Map<number, Account>();
  private readonly tokenOwners = new Map<string, number>();
  private readonly revoked = new Set<string>();

  add(seed: SeedAccount): Account {
    if (this.accounts.has(seed.id)) throw new Error(`account id ${seed.id} already exists`);
    if (this.findByUsername(seed.username) || this.findByEmail(seed.email)) {
      throw new Error(`account ${seed.username} <${seed.email}> already exists`);
    }
    const account: Account = {
      id: seed.id,
      uuid: seed.uuid,
      username: seed.username,
      email: seed.email,
      title: seed.title ?? seed.username,
      plexPass: seed.plexPass ?? false,
      confirmed: seed.confirmed ?? true,
    };
    this.accounts.set(account.id, account);
    this.addToken(account.id, seed.token);
    return account;
  }

  nextId(): number {
    return Math.max(0, ...this.accounts.keys()) + 1;
  }

  addToken(accountId: number, token: string): void {
    if (this.tokenOwners.has(token)) throw new Error('token already in use');
    this.tokenOwners.set(token, accountId);
  }

  issueToken(accountId: number): string {
    const token = randomToken();
    this.addToken(accountId, token);
    return token;
  }

  authenticate(token: string | undefined): AuthResult {
    if (!token) return { kind: 'missing' };
    const accountId = this.tokenOwners.get(token);
    const account = accountId === undefined ? undefined : this.accounts.get(accountId);
    if (!account) return { kind: 'unknown' };
    if (this.revoked.has(token)) return { kind: 'revoked' };
    return { kind: 'ok', account, token };
  }

  /** Returns false for a token nobody owns, so a typo in a test fails loudly. */
  revoke(token: string): boolean {
    if (!this.tokenOwners.has(token)) return false;
    this.revoked.add(token);
    return true;
  }

  restore(token: string): boolean {
    return this.revoked.delete(token);
  }

  /**
   * The token is signed out (its device removed from "Authorized Devices", or it expired): plex.tv
   * no longer knows it, so every call answers 401 like an unknown token. False for an unknown token.
   */
  expire(token: string): boolean {
    this.revoked.delete(token);
    return this.tokenOwners.delete(token);
  }

  findById(id: number): Account | undefined {
    return this.accounts.get(id);
  }

  findByEmail(email: string): Account | undefined {
    const wanted = email.toLowerCase();
    return this.all().find((account) => account.email.toLowerCase() === wanted);
  }

  findByUsername(username: string): Account | undefined {
    const wanted = username.toLowerCase();
    return this.all().find((account) => account.username.toLowerCase() === wanted);
  }

  all(): Account[] {
    return [...this.accounts.values()];
  }
}
