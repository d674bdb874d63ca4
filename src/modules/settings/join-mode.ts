/**
 * Who may ask for access on the public page. `open`: anyone with the address; `code`: only with an
 * invite code; `approval`: anyone may ask, and nothing is sent until the owner approves.
 */
export const JOIN_MODES = ['open', 'code', 'approval'] as const;
export type JoinMode = (typeof JOIN_MODES)[number];

/** What the owner chooses from, with what each choice means for them (setup, settings, API docs). */
export const JOIN_MODE_CHOICES: ReadonlyArray<{ value: JoinMode; label: string; consequence: string; short: string }> = [
  {
    value: 'code',
    label: 'Only with an invite code (suggested)',
    consequence: 'Friends need a code or an invite link from you. You decide how many times each code works and until when.',
    short: 'Only with an invite code',
  },
  {
    value: 'approval',
    label: 'You approve each request',
    consequence: 'Anyone with the address can ask. Nothing is shared until you approve the request on the dashboard; you can decline it instead.',
    short: 'You approve each request',
  },
  {
    value: 'open',
    label: 'Anyone with the address',
    consequence: 'Anyone who finds this address gets your libraries at once, without asking you. Invite codes are optional.',
    short: 'Anyone with the address',
  },
];

/** The choice the setup preselects. */
export const SUGGESTED_JOIN_MODE: JoinMode = 'code';

export const isJoinMode = (value: unknown): value is JoinMode => typeof value === 'string' && (JOIN_MODES as readonly string[]).includes(value);

export const joinModeChoice = (mode: JoinMode) => JOIN_MODE_CHOICES.find((choice) => choice.value === mode)!;

/**
 * The stored join mode, or what an older Helpr stored instead: `requireCode: true` was the code
 * mode and `false` the open one, so existing installations keep behaving as before.
 */
export function storedJoinMode(stored: { joinMode?: unknown; requireCode?: unknown }, fallback: JoinMode): JoinMode {
  if (isJoinMode(stored.joinMode)) return stored.joinMode;
  if (stored.requireCode === true) return 'code';
  if (stored.requireCode === false) return 'open';
  return fallback;
}
