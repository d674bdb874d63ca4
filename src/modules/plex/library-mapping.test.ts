import { describe, expect, it } from 'vitest';
import { useSimulator } from '../../../test/helpers/plex-sim.js';
import type { PlexLibrary } from '../../plex/plex-tv.client.js';
import { createLibraryMapping } from './library-mapping.js';

const SHARING = { allowSync: true, allowCameraUpload: false, allowChannels: false };

describe('library mapping cache against the simulator', () => {
  const ctx = useSimulator();

  const setup = () => {
    const client = ctx.client();
    const mapping = createLibraryMapping(() => client.tv.getServerLibraries(ctx.sim.ownerToken, ctx.sim.machineIdentifier));
    const invite = async (invitee: string, keys: string[]) => {
      const { libraries, missing } = await mapping.resolve(keys);
      expect(missing).toEqual([]);
      return client.sharing.inviteFriend(ctx.sim.ownerToken, {
        machineIdentifier: ctx.sim.machineIdentifier,
        invitee,
        librarySectionIds: libraries.map((l) => l.globalId),
        sharing: SHARING,
      });
    };
    return { client, mapping, invite };
  };

  it('once warm, an invite costs exactly one request to plex.tv and carries the global ids', async () => {
    const { mapping, invite } = setup();
    await mapping.libraries();
    ctx.sim.control.clearLog();

    expect(await invite('friend@example.com', ['1', '3'])).toMatchObject({ outcome: 'sent' });
    expect(await invite('alice', ['TV Shows'])).toMatchObject({ outcome: 'sent' });

    const log = ctx.sim.control.requestLog({ target: 'plex-tv' });
    expect(log).toHaveLength(2);
    expect(log.every((entry) => entry.method === 'POST')).toBe(true);
    expect(JSON.stringify(log[0]!.body)).toContain('"library_section_ids":[35723967,35723970]');
    expect(JSON.stringify(log[1]!.body)).toContain('"library_section_ids":[35723968]');
  });

  it('loads once for concurrent callers', async () => {
    const { mapping } = setup();
    ctx.sim.control.clearLog();
    await Promise.all([mapping.resolve(['1']), mapping.resolve(['2']), mapping.libraries()]);
    expect(ctx.sim.control.requestLog({ target: 'plex-tv' })).toHaveLength(1);
  });

  it('reports a library that disappeared instead of dropping it or sending a wrong id', async () => {
    const { client, mapping } = setup();
    await mapping.libraries();
    ctx.sim.control.removeLibrary(35723970);
    const send = (invitee: string) =>
      mapping.useLibraries(['1', '3'], (libraries) =>
        client.sharing.inviteFriend(ctx.sim.ownerToken, {
          machineIdentifier: ctx.sim.machineIdentifier,
          invitee,
          librarySectionIds: libraries.map((l) => l.globalId),
          sharing: SHARING,
        }),
      );
    // The warm cache still knows library 3; Plex refuses its id, the cache is re-read, and the
    // missing library is reported. Nothing was shared.
    await expect(send('friend@example.com')).rejects.toMatchObject({ code: 'plex.library_missing', missing: ['3'] });
    expect(ctx.sim.control.state().pending).toHaveLength(0);
    // Now cold and correct: refused before any invite is sent.
    ctx.sim.control.clearLog();
    await expect(send('alice')).rejects.toMatchObject({ missing: ['3'] });
    expect(ctx.sim.control.requestLog({ target: 'plex-tv', method: 'POST' })).toHaveLength(0);
    expect((await mapping.resolve(['1', '3'])).missing).toEqual(['3']);
  });

  it('recovers when a library was re-created under a new id', async () => {
    const { client, mapping } = setup();
    await mapping.libraries();
    ctx.sim.control.removeLibrary(35723970);
    ctx.sim.control.addLibrary({ id: 35724001, key: 3, title: 'Music', type: 'artist' });
    const result = await mapping.useLibraries(['3'], (libraries) =>
      client.sharing.inviteFriend(ctx.sim.ownerToken, {
        machineIdentifier: ctx.sim.machineIdentifier,
        invitee: 'bob',
        librarySectionIds: libraries.map((l) => l.globalId),
        sharing: SHARING,
      }),
    );
    expect(result).toMatchObject({ outcome: 'sent' });
    const posts = ctx.sim.control.requestLog({ target: 'plex-tv', method: 'POST' });
    expect(JSON.stringify(posts.at(-1)!.body)).toContain('"library_section_ids":[35724001]');
  });

  it('picks up a new library after a refresh on demand', async () => {
    const { mapping } = setup();
    await mapping.libraries();
    ctx.sim.control.addLibrary({ id: 35723999, key: 9, title: 'Photos', type: 'photo' });
    // A key it does not know yet makes it read again once.
    expect((await mapping.resolve(['9'])).libraries[0]?.globalId).toBe(35723999);
    ctx.sim.control.clearLog();
    mapping.invalidate();
    expect(mapping.warm).toBe(false);
    await mapping.libraries();
    expect(ctx.sim.control.requestLog({ target: 'plex-tv' })).toHaveLength(1);
  });
});

describe('library mapping cache and invalidate()', () => {
  const library = (title: string): PlexLibrary => ({ globalId: 1, key: '1', title, type: 'movie' });

  it('does not keep a read begun before invalidate(): the token or server it used may be the old one', async () => {
    const answers: Array<(libraries: PlexLibrary[]) => void> = [];
    const mapping = createLibraryMapping(() => new Promise<PlexLibrary[]>((resolve) => answers.push(resolve)));
    const before = mapping.libraries(); // e.g. a page still waiting on the old server
    mapping.invalidate(); // the admin chose another server
    const after = mapping.libraries();
    expect(answers).toHaveLength(2); // a read of its own, not the old one joined
    answers[1]!([library('new server')]);
    await after;
    answers[0]!([library('old server')]); // the old read ends last
    expect(await before).toEqual([library('old server')]);
    expect(await mapping.libraries()).toEqual([library('new server')]);
    expect(answers).toHaveLength(2);
  });
});
