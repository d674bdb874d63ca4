import type { Generated } from 'kysely';

/** Where notifications go (migration 0010): `events` a JSON list of event types, `config` JSON without secrets. */
export interface NotificationChannelsTable {
  id: string;
  type: string;
  name: string;
  events: string;
  config: string;
  /** The channel's secret (password, token, signing key), sealed like the Plex token. */
  secret: string | null;
  enabled: Generated<number>;
  /** 1: one message a day with the events since the last (migration 0010). */
  digest: Generated<number>;
  last_digest_at: Generated<string | null>;
  created_at: string;
  updated_at: string;
}

/** The outbox: one row per event, written with the change that caused it; fanned out by the worker. */
export interface NotificationEventsTable {
  id: string;
  type: string;
  occurred_at: string;
  data: string;
  fanned_out: Generated<number>;
}

/** held: waiting for its channel's daily digest. */
export type DeliveryStatus = 'pending' | 'held' | 'delivered' | 'dead';

/** One event for one channel: delivered once, with a lease, retried for 24 hours, then dead. */
export interface NotificationDeliveriesTable {
  id: string;
  event_id: string;
  channel_id: string;
  /** 'owner', or 'friend': the email to the friend the event is about. */
  recipient: Generated<'owner' | 'friend'>;
  status: DeliveryStatus;
  attempts: Generated<number>;
  next_attempt_at: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}
