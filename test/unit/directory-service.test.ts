import { describe, expect, it } from 'vitest';
import { DIRECTORY_CONSENT, DirectoryRecordChanged, type DirectoryIndex, type DirectoryProfile, type DirectoryRecord, type DirectoryRecords, DirectoryService } from '../../functions/directory/directory.ts';
import type { OutgoingEvent } from '../../functions/domain/events.ts';

const hub = { id: 'umea', name: 'Umeå' };
const members = {
  getMember: async (id: string) => (id === 'mem_1' ? { id, name: 'Anna Berg', organisationId: 'org_1' } : undefined),
  getOrganisation: async (id: string) => ({ id, name: 'Region Västerbotten', type: 'region' as const }),
};

/** In-memory hub records; `afterPut` can change what a later read sees (a concurrent request). */
function fakeRecords(afterPut?: (r: DirectoryRecord) => DirectoryRecord) {
  const store = new Map<string, DirectoryRecord>();
  const events: OutgoingEvent[] = [];
  const records: DirectoryRecords = {
    get: async (id) => store.get(id),
    put: async (r, e) => {
      store.set(r.memberId, afterPut ? afterPut(r) : r);
      events.push(...e);
    },
    delete: async (id, e) => {
      store.delete(id);
      events.push(...e);
    },
  };
  return { records, store, events };
}

function fakeIndex() {
  const profiles = new Map<string, DirectoryProfile>();
  const calls: string[] = [];
  const index: DirectoryIndex = {
    put: async (p) => {
      calls.push('put');
      profiles.set(p.memberId, p);
    },
    remove: async (_h, id) => {
      calls.push('remove');
      profiles.delete(id);
    },
    search: async () => ({ hits: [...profiles.values()] }),
  };
  return { index, profiles, calls };
}

const now = () => new Date('2026-11-27T10:00:00Z');

describe('the directory service', () => {
  it('records the consent and the event before the network copy, and withdraws the copy first', async () => {
    const { records, store, events } = fakeRecords();
    const { index, profiles, calls } = fakeIndex();
    const service = new DirectoryService(hub, records, index, members, now);
    await service.publish('mem_1', { role: 'Strateg', consentVersion: DIRECTORY_CONSENT.version }, 'c1');
    expect(store.get('mem_1')?.consents).toEqual([{ textVersion: DIRECTORY_CONSENT.version, givenAt: '2026-11-27T10:00:00.000Z' }]);
    expect(profiles.get('mem_1')).toMatchObject({ name: 'Anna Berg', organisationName: 'Region Västerbotten', role: 'Strateg', hubId: 'umea' });
    expect(events.map((e) => e.detailType)).toEqual(['DirectoryProfilePublished']);

    await service.withdraw('mem_1', 'c2');
    expect(calls).toEqual(['put', 'remove']);
    expect(profiles.size).toBe(0);
    expect(store.get('mem_1')).toEqual({ memberId: 'mem_1', hubId: 'umea', rev: 2, consents: [{ textVersion: DIRECTORY_CONSENT.version, givenAt: '2026-11-27T10:00:00.000Z', withdrawnAt: '2026-11-27T10:00:00.000Z' }] });
    expect(events.map((e) => e.detailType)).toEqual(['DirectoryProfilePublished', 'DirectoryProfileWithdrawn']);
  });

  it('removes the network copy again when a withdrawal ran between its two writes', async () => {
    // The hub record loses its profile right after the publication wrote it: a concurrent opt-out.
    const { records } = fakeRecords(({ profile: _p, ...r }) => r);
    const { index, profiles, calls } = fakeIndex();
    await new DirectoryService(hub, records, index, members, now).publish('mem_1', { consentVersion: DIRECTORY_CONSENT.version }, 'c');
    expect(calls).toEqual(['put', 'remove']);
    expect(profiles.size).toBe(0);
  });

  it('reads again when the record changed between its read and its write, and copies the revision it wrote', async () => {
    const { records, store } = fakeRecords();
    const put = records.put;
    let conflicts = 1;
    records.put = async (r, e, prev) => {
      if (conflicts-- > 0) throw new DirectoryRecordChanged('raced');
      return put(r, e, prev);
    };
    const revs: number[] = [];
    const { index } = fakeIndex();
    const copy = index.put;
    index.put = async (p, t, rev) => {
      revs.push(rev);
      return copy(p, t, rev);
    };
    await new DirectoryService(hub, records, index, members, now).publish('mem_1', { consentVersion: DIRECTORY_CONSENT.version }, 'c');
    expect(store.get('mem_1')?.rev).toBe(1);
    expect(revs).toEqual([1]);
  });

  it('withdraws again when a publication changed the record meanwhile', async () => {
    const { records, store } = fakeRecords();
    const { index, profiles, calls } = fakeIndex();
    const service = new DirectoryService(hub, records, index, members, now);
    await service.publish('mem_1', { consentVersion: DIRECTORY_CONSENT.version }, 'c');
    const put = records.put;
    let conflicts = 1;
    records.put = async (r, e, prev) => {
      if (conflicts-- > 0) throw new DirectoryRecordChanged('raced');
      return put(r, e, prev);
    };
    await service.withdraw('mem_1', 'c');
    expect(store.get('mem_1')?.profile).toBeUndefined();
    expect(store.get('mem_1')?.consents[0]?.withdrawnAt).toBeDefined();
    expect(calls).toEqual(['put', 'remove', 'remove']);
    expect(profiles.size).toBe(0);
  });

  it('refuses a consent to another text, and an unknown member, changing nothing', async () => {
    const { records, store } = fakeRecords();
    const { index, calls } = fakeIndex();
    const service = new DirectoryService(hub, records, index, members, now);
    await expect(service.publish('mem_1', { consentVersion: 'directory-2020-01' }, 'c')).rejects.toMatchObject({ status: 400, issues: [{ path: 'body.consentVersion' }] });
    await expect(service.publish('mem_2', { consentVersion: DIRECTORY_CONSENT.version }, 'c')).rejects.toMatchObject({ status: 404 });
    expect(store.size).toBe(0);
    expect(calls).toEqual([]);
  });
});
