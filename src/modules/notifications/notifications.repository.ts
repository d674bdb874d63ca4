import crypto from 'node:crypto';
import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { DeliveryStatus, NotificationChannelsTable, NotificationDeliveriesTable, NotificationEventsTable } from '../../db/schema.js';

export type ChannelRow = Selectable<NotificationChannelsTable>;
export type NewChannelRow = Insertable<NotificationChannelsTable>;
export type EventRow = Selectable<NotificationEventsTable>;
export type DeliveryRow = Selectable<NotificationDeliveriesTable>;

/** A delivery with what sending it needs: its event and its channel. */
export interface DueDelivery {
  delivery: DeliveryRow;
  event: EventRow;
  channel: ChannelRow;
}

/**
 * Channels, the outbox and its deliveries. Create it with a transaction
 * (`createNotificationsRepository(trx).addEvent(...)`) to write an event with the change that caused it.
 */
export function createNotificationsRepository(db: Db) {
  return {
    async addEvent(row: Omit<Insertable<NotificationEventsTable>, 'fanned_out'>): Promise<void> {
      await db.insertInto('notification_events').values(row).execute();
    },

    /** An event that must be told once whoever writes it: a second write of the same id is ignored. */
    async addEventOnce(row: Omit<Insertable<NotificationEventsTable>, 'fanned_out'>): Promise<void> {
      await db.insertInto('notification_events').values(row).onConflict((oc) => oc.column('id').doNothing()).execute();
    },

    listChannels(): Promise<ChannelRow[]> {
      return db.selectFrom('notification_channels').selectAll().orderBy('created_at').orderBy('id').execute();
    },

    findChannel(id: string): Promise<ChannelRow | undefined> {
      return db.selectFrom('notification_channels').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async insertChannel(row: NewChannelRow): Promise<void> {
      await db.insertInto('notification_channels').values(row).execute();
    },

    async updateChannel(id: string, set: Partial<NewChannelRow>): Promise<boolean> {
      const result = await db.updateTable('notification_channels').set(set).where('id', '=', id).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async deleteChannel(id: string): Promise<boolean> {
      const result = await db.deleteFrom('notification_channels').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },

    /**
     * One delivery per enabled channel that wants each event not fanned out yet, then the events
     * marked: a second instance doing the same at once adds nothing (unique per event and channel).
     * Answers how many events it fanned out.
     */
    async fanOut(nowIso: string, limit: number, friends?: { channelId: string; types: ReadonlySet<string> }): Promise<number> {
      const events = await db.selectFrom('notification_events').selectAll().where('fanned_out', '=', 0).orderBy('occurred_at').limit(limit).execute();
      if (events.length === 0) return 0;
      const channels = await db.selectFrom('notification_channels').select(['id', 'events', 'digest']).where('enabled', '=', 1).execute();
      const wanted = channels.map((channel) => ({ id: channel.id, events: new Set(JSON.parse(channel.events) as string[]), digest: channel.digest === 1 }));
      // A digest channel's messages wait for its daily digest (held); the friend's emails never do.
      const row = (eventId: string, channelId: string, recipient: 'owner' | 'friend', held = false) => ({
        id: crypto.randomUUID(),
        event_id: eventId,
        channel_id: channelId,
        recipient,
        status: held ? ('held' as const) : ('pending' as const),
        next_attempt_at: held ? null : nowIso,
        created_at: nowIso,
        updated_at: nowIso,
      });
      // The friend's email where the owner turned it on and the event names their address.
      // Only through a channel still there and on (the owner may have removed the one they chose).
      const friendChannel = friends && channels.some((channel) => channel.id === friends.channelId) ? friends : undefined;
      const forFriend = (event: EventRow) => friendChannel !== undefined && friendChannel.types.has(event.type) && typeof (JSON.parse(event.data) as { email?: unknown }).email === 'string';
      const rows = events.flatMap((event) => [
        ...wanted.filter((channel) => channel.events.has(event.type)).map((channel) => row(event.id, channel.id, 'owner', channel.digest)),
        ...(forFriend(event) ? [row(event.id, friendChannel!.channelId, 'friend')] : []),
      ]);
      await db.transaction().execute(async (trx) => {
        if (rows.length > 0) await trx.insertInto('notification_deliveries').values(rows).onConflict((oc) => oc.columns(['event_id', 'channel_id', 'recipient']).doNothing()).execute();
        await trx.updateTable('notification_events').set({ fanned_out: 1 }).where('id', 'in', events.map((event) => event.id)).execute();
      });
      return events.length;
    },

    /** Deliveries due now whose lease is free, oldest first. */
    async findDue(nowIso: string, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('notification_deliveries')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', nowIso)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', nowIso)]))
        // A channel turned off gets nothing, not even what was queued for it before (kept until it is on again).
        .where((eb) => eb.exists(eb.selectFrom('notification_channels').select('id').whereRef('notification_channels.id', '=', 'notification_deliveries.channel_id').where('enabled', '=', 1)))
        .orderBy('next_attempt_at')
        .limit(limit)
        .execute();
      return rows.map((row) => row.id);
    },

    /** Takes the delivery for one attempt (a lease) if it is still pending and free; with its event and channel. */
    async claim(id: string, owner: string, untilIso: string, nowIso: string): Promise<DueDelivery | undefined> {
      const result = await db
        .updateTable('notification_deliveries')
        .set({ lease_owner: owner, lease_until: untilIso, updated_at: nowIso })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', nowIso)]))
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return undefined;
      const delivery = await db.selectFrom('notification_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      const [event, channel] = await Promise.all([
        db.selectFrom('notification_events').selectAll().where('id', '=', delivery.event_id).executeTakeFirstOrThrow(),
        db.selectFrom('notification_channels').selectAll().where('id', '=', delivery.channel_id).executeTakeFirstOrThrow(),
      ]);
      return { delivery, event, channel };
    },

    /**
     * Records an attempt by the lease holder: delivered, dead, or pending again at `nextIso`.
     * False when the lease was lost (another instance took the delivery over).
     */
    async record(id: string, owner: string, outcome: { status: DeliveryStatus; error: string | null; nextIso: string | null; nowIso: string }): Promise<boolean> {
      const result = await db
        .updateTable('notification_deliveries')
        .set((eb) => ({
          status: outcome.status,
          last_error: outcome.error,
          next_attempt_at: outcome.nextIso,
          lease_owner: null,
          lease_until: null,
          updated_at: outcome.nowIso,
          delivered_at: outcome.status === 'delivered' ? outcome.nowIso : null,
          attempts: eb('attempts', '+', 1),
        }))
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** The digest channels (on) with messages held for them. */
    digestChannels(): Promise<ChannelRow[]> {
      return db
        .selectFrom('notification_channels')
        .selectAll()
        .where('enabled', '=', 1)
        .where('digest', '=', 1)
        .where((eb) => eb.exists(eb.selectFrom('notification_deliveries').select('id').whereRef('notification_deliveries.channel_id', '=', 'notification_channels.id').where('status', '=', 'held')))
        .execute();
    },

    /** Takes the digest due since `slotIso` for this instance; false when it went out already (here or elsewhere). */
    async claimDigest(channelId: string, slotIso: string, nowIso: string): Promise<boolean> {
      const result = await db
        .updateTable('notification_channels')
        .set({ last_digest_at: nowIso })
        .where('id', '=', channelId)
        .where((eb) => eb.or([eb('last_digest_at', 'is', null), eb('last_digest_at', '<', slotIso)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** A channel's digest turned off: what it held goes out now, one message each. */
    async releaseHeld(channelId: string, nowIso: string): Promise<void> {
      await db.updateTable('notification_deliveries').set({ status: 'pending', next_attempt_at: nowIso, updated_at: nowIso }).where('channel_id', '=', channelId).where('status', '=', 'held').execute();
    },

    /** The messages held for a channel's digest, oldest first, with their events. */
    held(channelId: string) {
      return db
        .selectFrom('notification_deliveries as d')
        .innerJoin('notification_events as e', 'e.id', 'd.event_id')
        .select(['d.id', 'e.id as event_id', 'e.type', 'e.occurred_at', 'e.data'])
        .where('d.channel_id', '=', channelId)
        .where('d.status', '=', 'held')
        .orderBy('e.occurred_at')
        .execute();
    },

    /** The digest went out (delivered) or not (the reason kept; they go in the next one). */
    async finishDigest(ids: string[], outcome: { delivered: boolean; error: string | null; nowIso: string }): Promise<void> {
      if (ids.length === 0) return;
      await db
        .updateTable('notification_deliveries')
        .set((eb) => ({ status: outcome.delivered ? 'delivered' : 'held', delivered_at: outcome.delivered ? outcome.nowIso : null, last_error: outcome.error, updated_at: outcome.nowIso, attempts: eb('attempts', '+', 1) }))
        .where('id', 'in', ids)
        .where('status', '=', 'held')
        .execute();
    },

    /** A dead delivery queued again by the owner (Resend); false when it was not dead. */
    async resend(id: string, nowIso: string): Promise<boolean> {
      const result = await db
        .updateTable('notification_deliveries')
        .set({ status: 'pending', next_attempt_at: nowIso, attempts: 0, created_at: nowIso, updated_at: nowIso })
        .where('id', '=', id)
        .where('status', '=', 'dead')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** The latest deliveries, newest first, with what they were about and where they went. */
    listDeliveries(filter: { status?: DeliveryStatus; limit: number; offset: number }) {
      let query = db
        .selectFrom('notification_deliveries as d')
        .innerJoin('notification_events as e', 'e.id', 'd.event_id')
        .innerJoin('notification_channels as c', 'c.id', 'd.channel_id')
        .select(['d.id', 'd.recipient', 'd.status', 'd.attempts', 'd.next_attempt_at', 'd.last_error', 'd.created_at', 'd.delivered_at', 'e.type', 'e.occurred_at', 'e.data', 'c.id as channel_id', 'c.name as channel_name', 'c.type as channel_type']);
      if (filter.status) query = query.where('d.status', '=', filter.status);
      return query.orderBy('d.created_at', 'desc').orderBy('d.id', 'desc').limit(filter.limit).offset(filter.offset).execute();
    },
  };
}

export type NotificationsRepository = ReturnType<typeof createNotificationsRepository>;
