import type { Deps } from '../../deps.js';
import { loadNearestPage, pageCount } from '../../paging.js';
import { ACCESS_STARTS, describePermissions, describeTerms, PERMISSION_KEYS, PERMISSION_LABELS, type AccessTerms, type Permissions } from '../access/access-terms.js';
import { codeTerms, type InviteCodeView } from './invite-codes.models.js';
import { EXPIRY_CHOICES, type CodeFormValues } from './invite-codes.form.js';
import { withLink, type InviteCodeWithLink, type LinkBase } from './invite-codes.links.js';

export const CODES_PER_PAGE = 50;

export interface CodesPageOptions {
  base: LinkBase;
  page: number;
  values: CodeFormValues;
  errors?: Record<string, string>;
  /** The code just created, shown at the top with its link and QR code. */
  createdId?: string;
}

/** Local keys (or titles) as the names the admin knows; unknown ones stay as stored. */
function libraryNames(wanted: string[] | null, libraries: Array<{ key: string; title: string }>): string[] | null {
  if (wanted === null) return null;
  return wanted.map((entry) => libraries.find((library) => library.key === entry || library.title.toLowerCase() === entry.toLowerCase())?.title ?? entry);
}

export const ACCESS_START_LABELS: Record<(typeof ACCESS_STARTS)[number], string> = { accepted: 'when the friend accepts', sent: 'when the invite is sent' };

/** What a code gives beyond libraries, in words: its access terms and permissions, or the settings' ("as in Settings"). */
function termsText(code: InviteCodeView, defaults: { access: AccessTerms; sharing: Permissions }) {
  const terms = codeTerms(code);
  return {
    accessText: terms ? describeTerms(terms) : `As in Settings (${describeTerms(defaults.access).toLowerCase()})`,
    permissionsText: code.permissions ? describePermissions(code.permissions) : `As in Settings (${describePermissions(defaults.sharing).toLowerCase()})`,
  };
}

/** Everything the codes page shows: one page of codes, the total, and the server's libraries for the form. */
export async function codesPageModel(services: Deps['services'], options: CodesPageOptions) {
  const load = async (page: number) => {
    const [codes, total, libraries] = await Promise.all([
      services.codes.listCodes({ limit: CODES_PER_PAGE, offset: (page - 1) * CODES_PER_PAGE }),
      services.codes.countCodes(),
      services.libraries.state(),
    ]);
    return { codes, total, libraries };
  };
  const [{ page, result }, settings] = await Promise.all([loadNearestPage(options.page, CODES_PER_PAGE, load), services.settings.get()]);
  const { codes, total, libraries } = result;
  const rows: Array<InviteCodeWithLink & { libraryNames: string[] | null; accessText: string; permissionsText: string }> = codes.map((code) => ({
    ...withLink(code, options.base.url),
    libraryNames: libraryNames(code.libraries, libraries.libraries),
    ...termsText(code, settings),
  }));
  return {
    title: 'Invite codes',
    section: '/admin/codes',
    scripts: ['/static/js/copy-link.js', '/static/js/time-zone.js'],
    codes: rows,
    // Stryker disable next-line ConditionalExpression: without a createdId no code has the id undefined, so the find answers undefined too
    created: options.createdId ? rows.find((code) => code.id === options.createdId) : undefined,
    guessedBase: options.base.guessed ? options.base.url : undefined,
    linkBase: options.base,
    page,
    pages: pageCount(total, CODES_PER_PAGE),
    total,
    libraries,
    values: options.values,
    errors: options.errors ?? {},
    expiryChoices: EXPIRY_CHOICES,
    accessDefault: describeTerms(settings.access),
    permissionsDefault: describePermissions(settings.sharing),
    accessStarts: ACCESS_STARTS.map((value) => [value, ACCESS_START_LABELS[value]] as const),
    permissionChoices: PERMISSION_KEYS.map((key) => [key, PERMISSION_LABELS[key]] as const),
    // Anyone may ask without a code right now: a code's uses and expiry hold nobody back.
    codesOptional: settings.joinMode === 'open',
  };
}

/** One code with its link, for the page that shows its QR code large. */
export async function codeDetailModel(services: Deps['services'], id: string, base: LinkBase) {
  const [code, libraries, settings] = await Promise.all([services.codes.getCode(id), services.libraries.state(), services.settings.get()]);
  return {
    title: `Invite code ${code.code}`,
    section: '/admin/codes',
    scripts: ['/static/js/copy-link.js'],
    code: { ...withLink(code, base.url), libraryNames: libraryNames(code.libraries, libraries.libraries), ...termsText(code, settings) },
    guessedBase: base.guessed ? base.url : undefined,
    linkBase: base,
  };
}
