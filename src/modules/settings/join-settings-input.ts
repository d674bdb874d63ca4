import { GUIDE_MAX, isJoinWays, RULES_MAX, type JoinSettings } from './join-settings.js';

type FormBody = Record<string, unknown> | null | undefined;

/** The join and guide forms' fields as typed (text areas with their line breaks as sent). */
export interface JoinFormValues {
  joinWays: string;
  rulesRequired: boolean;
  rules: string;
  guide: string;
}

const text = (body: FormBody, name: string): string => {
  const value = body?.[name];
  return typeof value === 'string' ? value : '';
};
const ticked = (body: FormBody, name: string): boolean => body?.[name] !== undefined && body?.[name] !== '';
// Browsers send CRLF from a textarea; stored with plain line ends, so a save without change is no change.
const multiline = (body: FormBody, name: string, max: number): string => text(body, name).replace(/\r\n?/g, '\n').slice(0, max * 2);

export function joinFormValues(settings: JoinSettings): JoinFormValues {
  return { joinWays: settings.joinWays, rulesRequired: settings.rulesRequired, rules: settings.rules, guide: settings.guide };
}

export function submittedJoinValues(section: 'join' | 'guide', body: FormBody): Partial<JoinFormValues> {
  if (section === 'guide') return { guide: multiline(body, 'guide', GUIDE_MAX) };
  return { joinWays: text(body, 'joinWays').slice(0, 20), rulesRequired: ticked(body, 'rulesRequired'), rules: multiline(body, 'rules', RULES_MAX) };
}

/** Checks the join or guide form; field errors go into `errors`, the values to store are returned. */
export function parseJoinForm(section: 'join' | 'guide', body: FormBody, errors: Record<string, string>): Partial<JoinSettings> {
  const values = submittedJoinValues(section, body);
  if (section === 'guide') {
    const guide = values.guide!.trim();
    if (guide.length > GUIDE_MAX) errors.guide = `Keep the guide to ${GUIDE_MAX} characters or fewer.`;
    return { guide };
  }
  const rules = values.rules!.trim();
  const change: Partial<JoinSettings> = { rulesRequired: values.rulesRequired, rules };
  if (isJoinWays(values.joinWays)) change.joinWays = values.joinWays;
  else errors.joinWays = 'Choose how friends may join.';
  if (rules.length > RULES_MAX) errors.rules = `Keep the rules to ${RULES_MAX} characters or fewer.`;
  // Friends would have to accept rules they cannot read.
  if (values.rulesRequired && rules === '') errors.rules = 'Write the house rules, or stop asking friends to accept them.';
  return change;
}
