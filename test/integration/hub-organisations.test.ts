import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backfillOrganisationList } from '../../functions/adapters/dynamo-hub-store.ts';
import { organisationId } from '../../functions/domain/identity.ts';
import type { LocalNetwork } from '../../local/network.ts';
import { api, startTestNetwork } from '../support/network.ts';

let network: LocalNetwork;
let call: ReturnType<typeof api>;
let staff: string;
let staffBoden: string;
let national: string;

beforeAll(async () => {
  network = await startTestNetwork();
  call = api(network);
  staff = await network.token('staff', 'lulea');
  staffBoden = await network.token('staff', 'boden');
  national = await network.token('national');
});

afterAll(async () => {
  await network?.stop();
});

describe('GET /api/hubs/{hubId}/organisations', () => {
  it("lists the hub's organisations by name, each once, and none of another hub's", async () => {
    for (const body of [
      { name: 'Trafikverket', type: 'state-agency' },
      { name: 'Arbetsförmedlingen', type: 'state-agency', orgNumber: '202100-2114' },
      { name: 'Öhmans Bygg AB', type: 'business' },
      { name: 'trafikverket', type: 'state-agency' }, // the same organisation again (ids by name): 200, not a second entry
    ]) {
      const res = await call('POST', '/api/hubs/lulea/organisations', { token: staff, body });
      expect([200, 201], res.text).toContain(res.status);
    }
    const boden = await call('POST', '/api/hubs/boden/organisations', { token: staffBoden, body: { name: 'Bodens Energi AB', type: 'public-company' } });
    expect(boden.status, boden.text).toBe(201);

    const res = await call('GET', '/api/hubs/lulea/organisations', { token: staff });
    expect(res.status, res.text).toBe(200);
    const names = res.json.organisations.map((o: { name: string }) => o.name);
    expect(names).toEqual(['Arbetsförmedlingen', 'Trafikverket', 'Öhmans Bygg AB']);
    expect(res.json.organisations[0]).toMatchObject({ hubId: 'lulea', type: 'state-agency', orgNumber: '202100-2114' });
    expect(res.json.organisations[0]).not.toHaveProperty('gsi1pk');
    expect(res.json.organisations[0]).not.toHaveProperty('pk');

    // National administrators may read any hub's list.
    const asNational = await call('GET', '/api/hubs/lulea/organisations', { token: national });
    expect(asNational.status, asNational.text).toBe(200);
    expect(asNational.json.organisations).toHaveLength(3);
  });

  it('lists an organisation stored before the list existed once it is registered again', async () => {
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: network.dynamoEndpoint, region: 'eu-north-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
    const table = network.tables.get([...network.tables.keys()].find((k) => k.startsWith('samverkan-hub-lulea/'))!)!;
    // As createOrganisation wrote it before the index keys: no gsi1pk/gsi1sk.
    const old = { id: organisationId({ name: 'Gamla Bruket' }), hubId: 'lulea', name: 'Gamla Bruket', type: 'business', createdAt: new Date(Date.now() - 90 * 86_400_000).toISOString() };
    await db.send(new PutCommand({ TableName: table, Item: { pk: `ORG#${old.id}`, sk: 'ORG', entity: 'organisation', ...old } }));
    const names = async () => (await call('GET', '/api/hubs/lulea/organisations', { token: staff })).json.organisations.map((o: { name: string }) => o.name);
    expect(await names()).not.toContain('Gamla Bruket');

    // Registered again (by name: the id is the one derived from it), it is there; the stored item is unchanged but for the index keys.
    const again = await call('POST', '/api/hubs/lulea/organisations', { token: staff, body: { name: 'Gamla Bruket', type: 'business' } });
    expect(again.status, again.text).toBe(200);
    expect(again.json.id).toBe(old.id);
    expect(await names()).toContain('Gamla Bruket');
    const item = (await db.send(new GetCommand({ TableName: table, Key: { pk: `ORG#${old.id}`, sk: 'ORG' } }))).Item;
    expect(item).toMatchObject({ ...old, gsi1pk: 'ORGS', gsi1sk: `gamla bruket#${old.id}` });

    // The local runtime's start on a kept data directory lists every such organisation at once (and nothing twice).
    const older = { id: organisationId({ name: 'Äldre Kooperativet' }), hubId: 'lulea', name: 'Äldre Kooperativet', type: 'association', createdAt: new Date(Date.now() - 200 * 86_400_000).toISOString() };
    await db.send(new PutCommand({ TableName: table, Item: { pk: `ORG#${older.id}`, sk: 'ORG', entity: 'organisation', ...older } }));
    expect(await names()).not.toContain('Äldre Kooperativet');
    expect(await backfillOrganisationList(db, table)).toBe(1);
    expect(await names()).toContain('Äldre Kooperativet');
    expect(await backfillOrganisationList(db, table)).toBe(0);
    db.destroy();
  });

  it('refuses staff of another hub (403), a missing token (401), and a hubId that is no hub (404: no hub serves that path)', async () => {
    const wrongHub = await call('GET', '/api/hubs/lulea/organisations', { token: staffBoden });
    expect(wrongHub.status, wrongHub.text).toBe(403);
    expect(wrongHub.json.error.message).toBe('Only staff of hub "lulea" and national administrators may do this');
    expect((await call('GET', '/api/hubs/lulea/organisations')).status).toBe(401);
    // Each hub's API serves its own path (one stack per hub, as on API Gateway): a malformed or unknown
    // hubId reaches no hub function, and the answer names the path. (GET /api/hubs/{hubId} answers 400 for a malformed one.)
    for (const hubId of [encodeURIComponent('LULEÅ!'), 'kiruna']) {
      const bad = await call('GET', `/api/hubs/${hubId}/organisations`, { token: staff });
      expect(bad.status, bad.text).toBe(404);
      expect(bad.json.error.message).toBe(`No route for GET /api/hubs/${hubId}/organisations`);
    }
  });
});
