/**
 * The Plex connection pages run in two places: inside the first-run wizard and from the Plex
 * page / settings (sign in again, change server). A flow says where each page lives and leads.
 */
export interface ConnectFlow {
  name: 'setup' | 'settings';
  /** Base path of the sign-in pages (start, /pin, /wait, /token). */
  signIn: string;
  server: string;
  /** Where saving the server leads. */
  afterServer: string;
  /** The wizard's step numbers; absent outside the wizard. */
  steps?: { plex: number; server: number; total: number };
  /** The admin nav entry to highlight. */
  section?: string;
}

export const SETUP_FLOW: ConnectFlow = {
  name: 'setup',
  signIn: '/admin/setup/plex',
  server: '/admin/setup/server',
  afterServer: '/admin/setup/libraries',
  steps: { plex: 2, server: 3, total: 5 },
};

export const SETTINGS_FLOW: ConnectFlow = {
  name: 'settings',
  signIn: '/admin/plex/connect',
  server: '/admin/plex/server',
  afterServer: '/admin/plex',
  section: '/admin/plex',
};

export const flowNamed = (name: ConnectFlow['name'] | undefined): ConnectFlow => (name === 'setup' ? SETUP_FLOW : SETTINGS_FLOW);

declare module 'fastify' {
  interface Session {
    /** The PIN of a "Sign in with Plex" in progress (plex.tv answers only to our client id). */
    plexPin?: { id: number; code: string; startedAt: number; flow: ConnectFlow['name'] };
  }
}
