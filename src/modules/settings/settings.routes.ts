import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../../deps.js';
import { isAppError } from '../../errors.js';
import { actorOf } from '../auth/auth.guard.js';
import { JOIN_MODE_CHOICES } from './join-mode.js';
import { JOIN_WAYS_CHOICES } from './join-settings.js';
import { renderMarkdown } from '../../markdown.js';
import { publicAddressView } from '../public-address/public-address.service.js';
import { TIME_ZONES } from '../../time-zone.js';
import { formValues, NUMBER_RULES, SETTINGS_SECTIONS, submittedValues, type FormBody, type SettingsFormValues } from './settings-input.js';

/** How the confirmation names each section: "Limits saved." */
const SECTION_NAMES: Record<string, string> = { site: 'Site', invites: 'Invites', join: 'Joining', guide: 'Guide', limits: 'Limits', time: 'Time zone' };

/** The sections with Markdown the owner can preview before saving. */
const PREVIEW_SECTIONS = ['join', 'guide'] as const;

/** A form that came back with mistakes: its section, what was typed (never passwords), the messages. */
export interface RefusedForm {
  section: string;
  values?: Partial<SettingsFormValues> & { name?: string; publicAddress?: string };
  errors: Record<string, string>;
  /** Not refused: the owner asked to preview the Markdown as typed (nothing saved, status 200). */
  preview?: boolean;
}

/** The whole settings page; a refused form is shown with status 400, its values and messages. */
export async function renderSettings(reply: FastifyReply, deps: Deps, refused?: RefusedForm): Promise<FastifyReply> {
  const overview = await deps.services.settingsAdmin.overview();
  if (refused && !refused.preview) reply.code(400);
  const values = { ...formValues(overview.settings), ...refused?.values };
  return reply.page('pages/admin/settings', {
    title: 'Settings',
    section: '/admin/settings',
    ...overview,
    values,
    // What friends will see, rendered as their pages render it (the same Markdown rules).
    previews: { guide: renderMarkdown(values.guide), rules: renderMarkdown(values.rules) },
    previewSection: refused?.preview ? refused.section : undefined,
    joinWaysChoices: JOIN_WAYS_CHOICES,
    errors: refused?.errors ?? {},
    refusedSection: refused?.section,
    rules: NUMBER_RULES,
    timeZones: TIME_ZONES,
    scripts: ['/static/js/time-zone.js'],
    joinModeChoices: JOIN_MODE_CHOICES,
    address: await publicAddressView(reply.request, deps.config, deps.services.settings),
    sessions: await deps.services.sessions.list(reply.request.admin!.id, reply.request.session.sessionId),
  });
}

/** Re-renders the page for a refused form, or lets any other error through. */
export function renderRefused(reply: FastifyReply, deps: Deps, error: unknown, form: Omit<RefusedForm, 'errors'>): Promise<FastifyReply> {
  if (isAppError(error) && error.fields) return renderSettings(reply, deps, { ...form, errors: error.fields });
  throw error;
}

interface PasswordBody {
  current?: string;
  next?: string;
  repeat?: string;
}

/** /admin/settings: one page, one form per section, each saved on its own (Post/Redirect/Get). */
export async function settingsRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;

  app.get('/admin/settings', (_request, reply) => renderSettings(reply, deps));

  for (const section of SETTINGS_SECTIONS) {
    app.post<{ Body: FormBody }>(`/admin/settings/${section}`, async (request, reply) => {
      try {
        const changed = await deps.services.settingsAdmin.save(section, request.body, actorOf(request));
        // Shown inside the section just saved (the page opens scrolled to it), naming it.
        const name = SECTION_NAMES[section] ?? section;
        request.session.flash = changed.length > 0 ? { message: `${name} saved.`, tone: 'success', section } : { message: `Nothing changed in ${name}.`, tone: 'info', section };
        return reply.redirect(`/admin/settings#${section}`, 303);
      } catch (error) {
        return renderRefused(reply, deps, error, { section, values: submittedValues(section, request.body) });
      }
    });
  }

  // The Preview button: the page again with the text as typed, rendered; nothing is saved.
  for (const section of PREVIEW_SECTIONS) {
    app.post<{ Body: FormBody }>(`/admin/settings/${section}/preview`, (request, reply) =>
      renderSettings(reply, deps, { section, values: submittedValues(section, request.body), errors: {}, preview: true }),
    );
  }

  app.post<{ Body: PasswordBody }>('/admin/settings/password', async (request, reply) => {
    const field = (name: keyof PasswordBody) => String(request.body?.[name] ?? '');
    try {
      await deps.services.auth.changePassword({
        adminId: request.admin!.id,
        current: field('current'),
        next: field('next'),
        repeat: field('repeat'),
        sessionId: request.session.sessionId,
        ip: request.ip,
      });
      request.session.flash = { message: 'Password changed. Every other signed-in session has ended.', tone: 'success', section: 'password' };
      return reply.redirect('/admin/settings#password', 303);
    } catch (error) {
      return renderRefused(reply, deps, error, { section: 'password' });
    }
  });
}
