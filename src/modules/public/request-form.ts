import type { FastifyReply } from 'fastify';
import type { Deps } from '../../deps.js';
import { renderMarkdown } from '../../markdown.js';
import { HELMET_OPTIONS, helmetHeaders } from '../../plugins/security.js';
import { joinWayOffered } from '../settings/join-settings.js';
import type { AppSettings } from '../settings/settings.service.js';

/** What one of the page's two forms sent back, to show again with its messages. */
export interface FormState {
  email?: string;
  code?: string;
  rulesAccepted?: boolean;
}

export interface RequestPageState {
  /** The email form (and the code the page was opened with, /join/CODE). */
  values: FormState;
  errors?: Record<string, string>;
  /** The Continue with Plex form, when it came back refused (no JavaScript). */
  plexValues?: FormState;
  plexErrors?: Record<string, string>;
  status?: number;
}

/** Built once per app.plex.tv origin (one per process, but tests point several apps at simulators). */
const formHeadersByOrigin = new Map<string, Record<string, string>>();

/**
 * The page with "Continue with Plex" differs from the others in two headers:
 * - the form posts to Helpr, which answers (without JavaScript) with a redirect to app.plex.tv, and
 *   browsers hold that redirect to the page's form-action, so app.plex.tv is allowed there;
 * - the sign-in popup must stay in reach to tell when it is closed: a same-origin opener policy
 *   would cut it off as soon as it reaches Plex, so popups keep their opener.
 */
export function plexFormHeaders(plexAppUrl: string): Record<string, string> {
  // PLEX_APP_URL: app.plex.tv, or the simulator's stand-in (its sign-in page must be reachable too).
  const origin = new URL(plexAppUrl).origin;
  let headers = formHeadersByOrigin.get(origin);
  if (headers) return headers;
  const directives = (HELMET_OPTIONS.contentSecurityPolicy as { directives: Record<string, string[]> }).directives;
  headers = {
    'content-security-policy': helmetHeaders({ ...HELMET_OPTIONS, contentSecurityPolicy: { useDefaults: false, directives: { ...directives, formAction: ["'self'", origin] } } })['content-security-policy']!,
    'cross-origin-opener-policy': 'same-origin-allow-popups',
  };
  formHeadersByOrigin.set(origin, headers);
  return headers;
}

// The rules are the same for everyone until the settings change: rendered once per snapshot.
const renderedRules = new WeakMap<AppSettings, string>();
function rulesHtml(settings: AppSettings): string | undefined {
  if (!settings.rulesRequired) return undefined;
  let html = renderedRules.get(settings);
  if (html === undefined) renderedRules.set(settings, (html = renderMarkdown(settings.rules)));
  return html;
}

/**
 * The request page (/ and /join/CODE): "Continue with Plex" above the email form, each as the
 * owner's join ways allow, the house rules when friends must accept them, and either form's
 * messages when it came back refused.
 */
export async function showRequestPage(reply: FastifyReply, services: Deps['services'], state: RequestPageState): Promise<FastifyReply> {
  if (!(await services.setup.isReady())) return reply.page('pages/home/not-set-up', { title: 'Helpr is not set up yet' });
  const settings = await services.settings.get();
  const ways = { plex: joinWayOffered(settings.joinWays, 'plex'), email: joinWayOffered(settings.joinWays, 'email') };
  const scripts = ['/static/js/request-submit.js'];
  if (ways.plex) {
    scripts.push('/static/js/join-with-plex.js');
    reply.headers(plexFormHeaders(services.plexAppUrl));
  }
  const data = {
    title: settings.siteTitle,
    siteTitle: settings.siteTitle,
    settings,
    ways,
    rulesHtml: rulesHtml(settings),
    values: state.values,
    errors: state.errors ?? {},
    plexValues: state.plexValues ?? { code: state.values.code },
    plexErrors: state.plexErrors ?? {},
    scripts,
    headingIsSiteTitle: true,
  };
  const status = state.status ?? 200;
  // The empty form is the busiest page: it is the same for everyone until the settings change.
  if (status === 200 && !state.values.email && !state.values.code && !state.plexValues) return reply.cachedPage(settings, 'pages/public/request', data);
  return reply.code(status).page('pages/public/request', data);
}
