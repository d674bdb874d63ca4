/**
 * Bounds of the numbers in lists' addresses. Far past any real list, and small enough that the row
 * offset they make stays an exact integer both SQLite and PostgreSQL take: without them
 * `page=1e309` or `offset=99999999999999999999` reached the database and failed there (500).
 */
export const MAX_PAGE = 100_000;
export const MAX_OFFSET = 10_000_000;

/**
 * The schema of an integer query parameter with bounds (API routes: a number out of bounds is a 400
 * naming it). Ajv, coercing a query string, turns "1e309" into Infinity and then skips minimum and
 * maximum, which only test finite numbers; the `allOf` checks the type again after coercion, and
 * Infinity is not an integer.
 */
export function integerParameter(minimum: number, maximum: number, extra: { default?: number; description?: string } = {}) {
  return { type: 'integer', minimum, maximum, ...extra, allOf: [{ type: 'integer' }] } as const;
}

/**
 * A page number from a page's address, forgiving, for HTML pages: what is not a number (text, a
 * repeated key) is page 1, a number past MAX_PAGE ("1e309") is MAX_PAGE, then loadNearestPage
 * brings it back to the last page.
 */
export function pageFromQuery(raw: unknown): number {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (Number.isNaN(value) || value < 1) return 1;
  return Math.min(Math.floor(value), MAX_PAGE);
}

/** How many pages `total` rows make, `perPage` a page: at least 1, an empty list is one empty page. */
export const pageCount = (total: number, perPage: number): number => Math.max(1, Math.ceil(total / perPage));

/**
 * Loads `page`, or the last page when `page` is past it (an old link, a hand-typed number): the
 * nearest page that exists rather than an empty one. A second read happens only in that case.
 */
export async function loadNearestPage<T extends { total: number }>(
  page: number,
  perPage: number,
  load: (page: number) => Promise<T>,
): Promise<{ page: number; result: T }> {
  const result = await load(page);
  const last = pageCount(result.total, perPage);
  return page <= last ? { page, result } : { page: last, result: await load(last) };
}
