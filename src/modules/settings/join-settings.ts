/**
 * How friends join (issue 12): which ways the public page offers, the owner's house rules, and the
 * guide a friend sees once they are in. Kept apart from settings.service.ts so that file stays
 * about storage.
 */

/** both: "Continue with Plex" above the email form; plex or email: only that one. */
export const JOIN_WAYS = ['both', 'plex', 'email'] as const;
export type JoinWays = (typeof JOIN_WAYS)[number];
/** One way to join, as a request names it. */
export type JoinWay = 'plex' | 'email';

export const isJoinWays = (value: unknown): value is JoinWays => typeof value === 'string' && (JOIN_WAYS as readonly string[]).includes(value);

export const joinWayOffered = (ways: JoinWays, way: JoinWay): boolean => ways === 'both' || ways === way;

export const JOIN_WAYS_CHOICES: ReadonlyArray<{ value: JoinWays; label: string; hint: string }> = [
  { value: 'both', label: 'Continue with Plex, or type an email or username', hint: 'Friends sign in with Plex and are in at once; those who prefer can still type their Plex email or username and accept the invite from Plex.' },
  { value: 'plex', label: 'Only Continue with Plex', hint: 'No typing, no typos: Helpr shares with the account the friend signed in with and accepts the invite for them.' },
  { value: 'email', label: 'Only an email or username', hint: 'As before: Plex sends the friend an invite they accept themselves.' },
];

export const GUIDE_MAX = 10_000;
export const RULES_MAX = 5_000;

export const DEFAULT_GUIDE = `## Start watching

1. **Get Plex** where you want to watch:
   - **TV or streaming box**: install the Plex app from your TV's app store (Samsung, LG, Android TV, Apple TV, Roku, Fire TV and more). All apps: [plex.tv/apps](https://www.plex.tv/media-server-downloads/#plex-app)
   - **Phone or tablet**: [App Store](https://apps.apple.com/app/plex-watch-live-tv-and-movies/id383457673) or [Google Play](https://play.google.com/store/apps/details?id=com.plexapp.android)
   - **Computer**: open [app.plex.tv](https://app.plex.tv) in your browser, or install the desktop app from [plex.tv](https://www.plex.tv/media-server-downloads/#plex-app)
2. **Sign in** with the Plex account you joined with.
3. **Find the libraries**: they are listed under this server's name in the side menu (in the phone and TV apps, under **More** or in the menu of libraries). It can take a minute before they show up; restart the app if they do not.

## House rules

- Keep your Plex account to yourself.
- Tell the owner when something does not play.
`;

export const DEFAULT_RULES = `- Keep your Plex account to yourself: do not share it.
- Be patient when the server is busy or under maintenance.
`;

export interface JoinSettings {
  joinWays: JoinWays;
  /** Markdown shown on the "You're in" page. */
  guide: string;
  /** When on, both ways show the rules and a required "I accept the house rules" checkbox. */
  rulesRequired: boolean;
  /** Markdown. */
  rules: string;
}

export const DEFAULT_JOIN_SETTINGS: JoinSettings = { joinWays: 'both', guide: DEFAULT_GUIDE, rulesRequired: false, rules: DEFAULT_RULES };

/** The stored values, each replaced by its default when missing or of the wrong type. */
export function storedJoinSettings(stored: Partial<Record<keyof JoinSettings, unknown>>): JoinSettings {
  return {
    joinWays: isJoinWays(stored.joinWays) ? stored.joinWays : DEFAULT_JOIN_SETTINGS.joinWays,
    guide: typeof stored.guide === 'string' ? stored.guide : DEFAULT_JOIN_SETTINGS.guide,
    rulesRequired: typeof stored.rulesRequired === 'boolean' ? stored.rulesRequired : DEFAULT_JOIN_SETTINGS.rulesRequired,
    rules: typeof stored.rules === 'string' ? stored.rules : DEFAULT_JOIN_SETTINGS.rules,
  };
}
