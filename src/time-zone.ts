/**
 * Time zones by IANA name ("Europe/Berlin"), with nothing but Intl: times are stored as UTC
 * instants, and an owner's wall-clock time is turned into one here (and back, in time-format.ts).
 */

export const UTC = 'UTC';
const DAY_MS = 86_400_000;

/**
 * Zones renamed by the IANA database whose old name Node 20's ICU still lists and resolves to
 * (it gives "Asia/Calcutta" for "Asia/Kolkata"): the owner sees and keeps the current name. Intl
 * accepts both spellings, so times are the same either way.
 */
const CURRENT_NAMES: Record<string, string> = {
  'Asia/Calcutta': 'Asia/Kolkata',
  'Europe/Kiev': 'Europe/Kyiv',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'America/Godthab': 'America/Nuuk',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};
const currentName = (zone: string): string => CURRENT_NAMES[zone] ?? zone;

/** Every zone the runtime knows by its current name, UTC first; Intl's list leaves UTC out. */
export const TIME_ZONES: readonly string[] = [UTC, ...[...new Set(Intl.supportedValuesOf('timeZone').map(currentName))].filter((zone) => zone !== UTC).sort()];

const known = new Set(TIME_ZONES);
// Letters, digits and _ + - between slashes: no offsets like "+01:00", which newer runtimes accept.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;

/**
 * The runtime's own name for a zone ("europe/berlin" and "Europe/Berlin" give "Europe/Berlin",
 * "Asia/Kolkata" gives the name in TIME_ZONES), or undefined when it is not one. Browsers may
 * report an alias the server's list spells differently, so aliases are accepted and renamed.
 */
export function canonicalTimeZone(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 64 || !ZONE_NAME.test(trimmed)) return undefined;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone;
    return known.has(currentName(resolved)) ? currentName(resolved) : undefined;
  } catch {
    return undefined;
  }
}

const partsFormats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(zone: string): Intl.DateTimeFormat {
  let format = partsFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormats.set(zone, format);
  }
  return format;
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** What a clock on the wall in `zone` shows at `instantMs`. */
export function wallTimeAt(instantMs: number, zone: string): WallTime {
  const wall: Record<string, number> = {};
  for (const part of partsFormat(zone).formatToParts(instantMs)) {
    if (part.type !== 'literal') wall[part.type] = Number(part.value);
  }
  return { year: wall.year!, month: wall.month!, day: wall.day!, hour: wall.hour!, minute: wall.minute!, second: wall.second! };
}

/** How far `zone`'s clocks are ahead of UTC at `instantMs` (negative west of Greenwich). */
export function zoneOffsetMs(instantMs: number, zone: string): number {
  const wall = wallTimeAt(instantMs, zone);
  const asIfUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  // The formatted wall time has whole seconds: compare with the instant's whole second.
  return asIfUtc - (instantMs - (((instantMs % 1000) + 1000) % 1000));
}

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

/**
 * The UTC instant of a wall-clock time in `zone` ("2027-03-28T02:30", as a datetime-local field
 * sends it), or undefined when the text is not a real date and time.
 *
 * Around a clock change it does what browsers do with local times (and Temporal's "compatible"):
 * a time the clocks skipped (02:30 when they jump from 02:00 to 03:00) counts as that many minutes
 * after the jump (03:30); a time that happens twice (when they go back) is the first of the two.
 */
export function localToUtc(local: string, zone: string): Date | undefined {
  const match = LOCAL_TIME.exec(local);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second = '0', fraction = '0'] = match.slice(1).map((part) => part ?? '0') as string[];
  const wall = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), Number(fraction.padEnd(3, '0')));
  // Date.UTC rolls 02-31 over to March, 24:00 to the next day and year 50 to 1950: a time that does
  // not round-trip is not one.
  const asTyped = `${year}-${month}-${day}T${hour}:${minute}:${second.padStart(2, '0')}`;
  if (Number.isNaN(wall) || new Date(wall).toISOString().slice(0, 19) !== asTyped) return undefined;

  // A day either side is past any clock change near this time (zones change at most once a day).
  const before = zoneOffsetMs(wall - DAY_MS, zone);
  const after = zoneOffsetMs(wall + DAY_MS, zone);
  const fits = [wall - before, wall - after].filter((instant) => instant + zoneOffsetMs(instant, zone) === wall);
  if (fits.length > 0) return new Date(Math.min(...fits));
  // Skipped by the clocks: the offset from before the jump carries the time past it.
  return new Date(wall - before);
}

/** The UTC instant a day ("2026-11-24") begins in `zone`, or undefined when it is not a real day. */
export function dayStartIn(day: string, zone: string): Date | undefined {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? localToUtc(`${day}T00:00`, zone) : undefined;
}

/** The day that follows `day` ("2026-12-31" gives "2027-01-01"). */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + DAY_MS).toISOString().slice(0, 10);
}
