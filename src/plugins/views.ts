import { Eta } from 'eta';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { prefixPage, type BasePath } from '../base-path.js';
import { APP_VERSION, VIEWS_DIR } from '../paths.js';
import { timeViewHelpers } from '../time-format.js';
import { assetUrl } from './static.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** A page as HTML, for answers made outside a route (router errors), where `reply.page` is not there. */
    renderPage(template: string, data?: Record<string, unknown>): string;
  }
  interface FastifyReply {
    /** Render a page in the layout, with the helpers every template may use. */
    page(template: string, data?: Record<string, unknown>): FastifyReply;
    /**
     * A page whose content depends only on `source` (and the visitor's CSRF token): rendered once
     * per `source` object and template, then sent with this visitor's token filled in.
     */
    cachedPage(source: object, template: string, data: Record<string, unknown>): FastifyReply;
  }
  interface Session {
    /** A one-time message for the next admin page ("Saved."), set before a redirect. */
    flash?: {
      message: string;
      tone?: 'success' | 'warning' | 'danger' | 'info';
      /** The id of the page section the message belongs in (settings: "limits"); none: top of the page. */
      section?: string;
    };
  }
}

export interface ViewsOptions {
  /** Re-read templates on every render (development only). */
  reloadTemplates?: boolean;
  /** BASE_PATH: put before every site path in a page (base-path.ts). */
  basePath?: BasePath;
}

/**
 * Eta templates (auto-escaped) under src/views, compiled once and cached. Eta is called directly:
 * @fastify/view re-configured Eta and re-resolved paths on every render, which cost the public
 * page a measurable share of its throughput (see bench/README.md).
 */
export const viewsPlugin = fp(async (app: FastifyInstance, opts: ViewsOptions) => {
  const eta = new Eta({ views: VIEWS_DIR, autoEscape: true, cache: !opts.reloadTemplates });
  const base = opts.basePath ?? '';

  // Keyed by the source object (the settings snapshot): a new snapshot renders anew, and the old
  // entries go with the old snapshot.
  const rendered = new WeakMap<object, Map<string, string[]>>();
  const TOKEN_SLOT = `csrf-${Math.random().toString(36).slice(2)}-slot`;

  app.decorateReply('cachedPage', function cachedPage(this: FastifyReply, source: object, template: string, data: Record<string, unknown>) {
    let pages = rendered.get(source);
    if (!pages) rendered.set(source, (pages = new Map()));
    // Kept split around the token's places: joining the parts is cheaper than searching the page.
    let parts = pages.get(template);
    if (parts === undefined) {
      parts = prefixPage(base, eta.render(template, { asset: assetUrl, csrfToken: () => TOKEN_SLOT, version: APP_VERSION, ...timeViewHelpers(undefined), ...data })).split(TOKEN_SLOT);
      pages.set(template, parts);
    }
    return this.type('text/html; charset=utf-8').send(parts.length === 1 ? parts[0] : parts.join(this.csrfToken()));
  });

  app.decorate('renderPage', (template: string, data: Record<string, unknown> = {}) =>
    prefixPage(base, eta.render(template, { asset: assetUrl, csrfToken: () => '', version: APP_VERSION, ...timeViewHelpers(undefined), ...data })),
  );

  app.decorateReply('page', function page(this: FastifyReply, template: string, data: Record<string, unknown> = {}) {
    const session = this.request.admin ? this.request.session : undefined;
    const flash = session?.flash;
    if (flash) session.flash = undefined;
    const html = eta.render(template, {
      asset: assetUrl,
      csrfToken: () => this.csrfToken(),
      version: APP_VERSION,
      admin: this.request.admin,
      flash,
      // The setup wizard's pages hide the admin menu.
      inSetup: this.request.url.startsWith('/admin/setup'),
      // Set on admin pages while Plex refuses Helpr's token (modules/plex/token-banner.ts).
      plexTokenRefused: this.request.plexTokenRefused,
      // it.localTime / it.timeTag in the owner's zone (modules/settings/owner-time-zone.ts).
      ...timeViewHelpers(this.request.ownerTimeZone),
      ...data,
    });
    return this.type('text/html; charset=utf-8').send(prefixPage(base, html));
  });
});
