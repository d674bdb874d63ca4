import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { keepServingOnUnhandledRejection } from './unhandled-rejections.js';

describe('keepServingOnUnhandledRejection', () => {
  it('logs a rejection nobody handled, with its error, instead of letting Node end the process', () => {
    const processLike = new EventEmitter();
    const logged: Array<{ fields: unknown; message: string }> = [];
    keepServingOnUnhandledRejection(processLike, { error: (fields: unknown, message: string) => void logged.push({ fields, message }) } as never);
    // With a listener, Node's default (exit on an unhandled rejection) no longer applies.
    expect(processLike.listenerCount('unhandledRejection')).toBe(1);
    const reason = new Error('a bug in one request');
    processLike.emit('unhandledRejection', reason, Promise.resolve());
    expect(logged).toEqual([{ fields: { err: reason }, message: 'unhandled promise rejection (Helpr keeps running)' }]);
  });
});
