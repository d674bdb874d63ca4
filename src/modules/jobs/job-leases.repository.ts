import type { Db } from '../../db/database.js';

export interface LeaseClaim {
  name: string;
  owner: string;
  nowIso: string;
  untilIso: string;
  /** Only when the last run started before this instant (a scheduled run skips a job another instance just ran). */
  startedBeforeIso?: string;
}

/**
 * Leases for jobs that must run on one instance at a time (the users sync): one row per job, taken
 * with one conditional statement whose row count says who got it, never read-then-write.
 */
export function createJobLeasesRepository(db: Db) {
  return {
    /** True when this owner now holds the lease (it was free, ran out, or is already this owner's). */
    async claim(claim: LeaseClaim): Promise<boolean> {
      // The row is made once; a concurrent insert of the same name is ignored, the update below decides.
      await db.insertInto('job_leases').values({ name: claim.name, owner: null, lease_until: null, last_started_at: null, last_finished_at: null }).onConflict((oc) => oc.column('name').doNothing()).execute();
      let update = db
        .updateTable('job_leases')
        .set({ owner: claim.owner, lease_until: claim.untilIso, last_started_at: claim.nowIso })
        .where('name', '=', claim.name)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', claim.nowIso), eb('owner', '=', claim.owner)]));
      if (claim.startedBeforeIso !== undefined) {
        const before = claim.startedBeforeIso;
        update = update.where((eb) => eb.or([eb('last_started_at', 'is', null), eb('last_started_at', '<', before)]));
      }
      const result = await update.executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Ends this owner's lease and records when the run finished; false when the lease was lost meanwhile. */
    async release(name: string, owner: string, nowIso: string): Promise<boolean> {
      const result = await db
        .updateTable('job_leases')
        .set({ owner: null, lease_until: null, last_finished_at: nowIso })
        .where('name', '=', name)
        .where('owner', '=', owner)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Ends the lease whoever holds it, when it was taken before `takenBeforeIso`; true for the one
     * caller that ended a lease still running.
     */
    async endAny(name: string, nowIso: string, takenBeforeIso: string): Promise<boolean> {
      const result = await db
        .updateTable('job_leases')
        .set({ owner: null, lease_until: null, last_finished_at: nowIso })
        .where('name', '=', name)
        .where('lease_until', '>', nowIso)
        .where('last_started_at', '<', takenBeforeIso)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Whether someone holds the lease at this instant. */
    async isHeld(name: string, nowIso: string): Promise<boolean> {
      const row = await db.selectFrom('job_leases').select(['lease_until']).where('name', '=', name).executeTakeFirst();
      return row?.lease_until != null && row.lease_until > nowIso;
    },
  };
}

export type JobLeasesRepository = ReturnType<typeof createJobLeasesRepository>;
