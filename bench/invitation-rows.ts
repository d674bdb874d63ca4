import type { Db } from '../src/db/database.js';
import type { InvitationStatus } from '../src/db/schema.js';
import type { InvitationRow } from '../src/modules/invitations/invitations.repository.js';
import { invitationRow as fixtureRow } from '../test/helpers/invitation-rows.js';

/** A row as the flow leaves it in each status (the shared test fixture, with status-specific fields). */
export function invitationRow(id: string, status: InvitationStatus, createdAt: string, identifier = `friend-${id}@example.com`): InvitationRow {
  return fixtureRow({
    id,
    identifier,
    status,
    created_at: createdAt,
    attempts: status === 'pending' ? 0 : 1,
    last_error: status === 'failed' ? 'Plex said no.' : null,
    error_kind: status === 'failed' ? 'upstream' : null,
    plex_share_id: status === 'sent' ? `share-${id}` : null,
    next_attempt_at: status === 'pending' ? createdAt : null,
    user_agent: 'seed',
  });
}

/**
 * Many rows fast: multi-row INSERTs inside one transaction. 20 columns x 500 rows stays under
 * SQLite's and PostgreSQL's bound-parameter limits.
 */
export async function insertInBatches(db: Db, rows: Iterable<InvitationRow>, batchSize = 500): Promise<number> {
  let count = 0;
  await db.transaction().execute(async (trx) => {
    let batch: InvitationRow[] = [];
    const flush = async () => {
      if (batch.length) await trx.insertInto('invitations').values(batch).execute();
      count += batch.length;
      batch = [];
    };
    for (const row of rows) {
      batch.push(row);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  });
  return count;
}
