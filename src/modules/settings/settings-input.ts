import { AppError } from '../../errors.js';
import { isAccessStart, MAX_ACCESS_DAYS } from '../access/access-terms.js';
import { isJoinMode } from './join-mode.js';
import { joinFormValues, parseJoinForm, submittedJoinValues, type JoinFormValues } from './join-settings-input.js';
import type { AppSettings, InviteLimits } from './settings.service.js';
import { canonicalTimeZone } from '../../time-zone.js';

/** The settings page's forms that change stored settings (password and API keys have their own). */
export const SETTINGS_SECTIONS = ['site', 'invites', 'join', 'guide', 'limits', 'time'] as const;
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];

/** Every field as the forms show it: text as typed, checkboxes ticked or not. */
export interface SettingsFormValues extends JoinFormValues {
  siteTitle: string;
  welcomeMessage: string;
  /** As sent: one of JOIN_MODES when valid. */
  joinMode: string;
  allowSync: boolean;
  allowCameraUpload: boolean;
  allowChannels: boolean;
  /** Days of access for new friends; '' = no end. */
  accessDays: string;
  accessStartsOn: string;
  duplicateWindowMinutes: string;
  invitesPerWindow: string;
  inviteWindowMinutes: string;
  wrongCodesPerWindow: string;
  wrongCodeWindowMinutes: string;
  /** The owner's IANA zone; '' while none is chosen. */
  timeZone: string;
}

/** A checked form: the settings to store and the limits to change. */
export interface SettingsChange {
  settings: Partial<Pick<AppSettings, 'siteTitle' | 'welcomeMessage' | 'joinMode' | 'sharing' | 'access' | 'timeZone' | 'joinWays' | 'rulesRequired' | 'rules' | 'guide'>>;
  limits: Partial<InviteLimits>;
}

export type FormBody = Record<string, unknown> | null | undefined;

export const SITE_TITLE_MAX = 100;
export const WELCOME_MESSAGE_MAX = 1000;

// Sane bounds: a week is the longest window worth counting, and nobody needs more than 1000 tries.
export const NUMBER_RULES: Record<keyof InviteLimits, { min: number; max: number; label: string }> = {
  invitesPerWindow: { min: 1, max: 1000, label: 'Invite requests per address' },
  inviteWindowMinutes: { min: 1, max: 10_080, label: 'Invite request window' },
  wrongCodesPerWindow: { min: 1, max: 1000, label: 'Wrong invite codes per address' },
  wrongCodeWindowMinutes: { min: 1, max: 10_080, label: 'Wrong-code window' },
  duplicateWindowMinutes: { min: 0, max: 1440, label: 'Duplicate window' },
};

const SECTION_LIMITS: Record<SettingsSection, Array<keyof InviteLimits>> = {
  site: [],
  invites: ['duplicateWindowMinutes'],
  join: [],
  guide: [],
  limits: ['invitesPerWindow', 'inviteWindowMinutes', 'wrongCodesPerWindow', 'wrongCodeWindowMinutes'],
  time: [],
};

const text = (body: FormBody, name: string): string => {
  const value = body?.[name];
  return typeof value === 'string' ? value : '';
};
// An unticked checkbox sends nothing; a ticked one sends "on" (or its value).
const ticked = (body: FormBody, name: string): boolean => body?.[name] !== undefined && body?.[name] !== '';

export function formValues(settings: AppSettings): SettingsFormValues {
  const { limits, sharing } = settings;
  return {
    siteTitle: settings.siteTitle,
    welcomeMessage: settings.welcomeMessage,
    joinMode: settings.joinMode,
    allowSync: sharing.allowSync,
    allowCameraUpload: sharing.allowCameraUpload,
    allowChannels: sharing.allowChannels,
    accessDays: settings.access.days === null ? '' : String(settings.access.days),
    accessStartsOn: settings.access.startsOn,
    duplicateWindowMinutes: String(limits.duplicateWindowMinutes),
    invitesPerWindow: String(limits.invitesPerWindow),
    inviteWindowMinutes: String(limits.inviteWindowMinutes),
    wrongCodesPerWindow: String(limits.wrongCodesPerWindow),
    wrongCodeWindowMinutes: String(limits.wrongCodeWindowMinutes),
    timeZone: settings.timeZone ?? '',
    ...joinFormValues(settings),
  };
}

/** What one section's form sent, to show again beside its errors. */
export function submittedValues(section: SettingsSection, body: FormBody): Partial<SettingsFormValues> {
  const numbers = Object.fromEntries(SECTION_LIMITS[section].map((key) => [key, text(body, key).slice(0, 20)]));
  if (section === 'site') return { siteTitle: text(body, 'siteTitle').slice(0, 2000), welcomeMessage: text(body, 'welcomeMessage').slice(0, 20_000) };
  if (section === 'invites') {
    return {
      ...numbers,
      joinMode: text(body, 'joinMode').slice(0, 20),
      allowSync: ticked(body, 'allowSync'),
      allowCameraUpload: ticked(body, 'allowCameraUpload'),
      allowChannels: ticked(body, 'allowChannels'),
      accessDays: text(body, 'accessDays').slice(0, 20),
      accessStartsOn: text(body, 'accessStartsOn').slice(0, 20),
    };
  }
  if (section === 'time') return { timeZone: text(body, 'timeZone').slice(0, 100) };
  if (section === 'join' || section === 'guide') return submittedJoinValues(section, body);
  return numbers;
}

function wholeNumber(raw: string, key: keyof InviteLimits, errors: Record<string, string>): number | undefined {
  const { min, max } = NUMBER_RULES[key];
  const trimmed = raw.trim();
  const value = /^\d{1,9}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (Number.isInteger(value) && value >= min && value <= max) return value;
  errors[key] = `Enter a whole number from ${min} to ${max}.`;
  return undefined;
}

/**
 * Checks one section's form and returns the change, or throws an AppError naming every field at
 * fault. Fields the environment decides (`sources`, by dotted path) are ignored: their inputs are
 * disabled, and what the environment says wins anyway.
 */
export function parseSettingsForm(section: SettingsSection, body: FormBody, sources: Record<string, string>): SettingsChange {
  const errors: Record<string, string> = {};
  const change: SettingsChange = { settings: {}, limits: {} };
  if (section === 'site') {
    const siteTitle = text(body, 'siteTitle').trim();
    const welcomeMessage = text(body, 'welcomeMessage').trim();
    if (siteTitle.length < 1 || siteTitle.length > SITE_TITLE_MAX) errors.siteTitle = `Enter a title of 1 to ${SITE_TITLE_MAX} characters.`;
    if (welcomeMessage.length > WELCOME_MESSAGE_MAX) errors.welcomeMessage = `Keep the message to ${WELCOME_MESSAGE_MAX} characters or fewer.`;
    change.settings = { siteTitle, welcomeMessage };
  }
  if (section === 'invites') {
    const joinMode = text(body, 'joinMode');
    if (!isJoinMode(joinMode)) errors.joinMode = 'Choose how friends get in.';
    const days = text(body, 'accessDays').trim();
    const dayCount = /^\d{1,6}$/.test(days) ? Number(days) : Number.NaN;
    if (days !== '' && !(dayCount >= 1 && dayCount <= MAX_ACCESS_DAYS)) errors.accessDays = `Enter a whole number of days from 1 to ${MAX_ACCESS_DAYS}, or leave it empty for no end.`;
    const startsOn = text(body, 'accessStartsOn') || 'accepted';
    if (!isAccessStart(startsOn)) errors.accessStartsOn = 'Choose when the days start.';
    change.settings = {
      ...(isJoinMode(joinMode) ? { joinMode } : {}),
      sharing: { allowSync: ticked(body, 'allowSync'), allowCameraUpload: ticked(body, 'allowCameraUpload'), allowChannels: ticked(body, 'allowChannels') },
      ...(isAccessStart(startsOn) ? { access: { days: days === '' ? null : dayCount, startsOn } } : {}),
    };
  }
  if (section === 'join' || section === 'guide') change.settings = parseJoinForm(section, body, errors);
  if (section === 'time') {
    const timeZone = canonicalTimeZone(text(body, 'timeZone'));
    if (timeZone) change.settings = { timeZone };
    else errors.timeZone = 'Choose a time zone from the list.';
  }
  for (const key of SECTION_LIMITS[section]) {
    if (sources[`limits.${key}`]) continue;
    const value = wholeNumber(text(body, key), key, errors);
    if (value !== undefined) change.limits[key] = value;
  }
  if (Object.keys(errors).length > 0) {
    throw new AppError('settings.invalid', 'Nothing was saved: check the fields marked below.', { status: 400, fields: errors });
  }
  return change;
}

/** Dotted names of the settings that differ ("sharing.allowSync"), for the audit log: names, never values. */
export function changedFields(before: AppSettings, after: AppSettings): string[] {
  const changed: string[] = [];
  for (const key of ['siteTitle', 'welcomeMessage', 'joinMode', 'timeZone', 'joinWays', 'rulesRequired', 'rules', 'guide'] as const) if (before[key] !== after[key]) changed.push(key);
  for (const key of Object.keys(after.sharing) as Array<keyof AppSettings['sharing']>) {
    if (before.sharing[key] !== after.sharing[key]) changed.push(`sharing.${key}`);
  }
  for (const key of ['days', 'startsOn'] as const) if (before.access[key] !== after.access[key]) changed.push(`access.${key}`);
  for (const key of Object.keys(after.limits) as Array<keyof InviteLimits>) {
    if (before.limits[key] !== after.limits[key]) changed.push(`limits.${key}`);
  }
  return changed;
}
