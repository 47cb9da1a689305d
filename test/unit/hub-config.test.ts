import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { HUBS_DIR, loadHubs, parseHubFile } from '../../hubs/load.ts';

const run = promisify(execFile);
const umea = () => JSON.parse(readFileSync(join(HUBS_DIR, 'umea.json'), 'utf8'));

function expectProblem(config: unknown, file: string, fieldAndMessage: RegExp) {
  let error: Error | undefined;
  try {
    parseHubFile(file, JSON.stringify(config));
  } catch (e) {
    error = e as Error;
  }
  expect(error, 'the config should have been rejected').toBeDefined();
  expect(error!.message).toContain(file);
  expect(error!.message).toMatch(fieldAndMessage);
}

describe('the shipped hub files', () => {
  it('are the six hubs of the seed, all valid', () => {
    const hubs = loadHubs();
    expect(hubs.map((h) => h.id).sort()).toEqual(['boden', 'lulea', 'ostersund', 'skelleftea', 'stockholm', 'umea']);
    expect(hubs.filter((h) => h.phase === 'operation').map((h) => h.id).sort()).toEqual(['ostersund', 'stockholm']);
    for (const h of hubs) {
      expect(h.timezone).toBe('Europe/Stockholm');
      expect(h.estimates, `${h.id} says its resource counts are estimates`).toMatch(/estimates/);
    }
  });

  it('name the host venues the seed names', () => {
    const venues = Object.fromEntries(loadHubs().map((h) => [h.id, h.hostVenue.name]));
    expect(venues.umea).toMatch(/Great Hub/);
    expect(venues.skelleftea).toMatch(/House Be/);
    expect(venues.lulea).toMatch(/T22/);
    expect(venues.boden).toMatch(/Boden Business Park/);
  });
});

describe('hub config validation names the file and the field', () => {
  it.each<[string, (c: any) => void, RegExp]>([
    ['a missing name', (c) => delete c.name, /name: /],
    ['an unknown phase', (c) => (c.phase = 'running'), /phase: /],
    ['another timezone', (c) => (c.timezone = 'Europe/Oslo'), /timezone: /],
    ['a bad opening time', (c) => (c.openingHours.monday.opens = '8.00'), /openingHours\.monday\.opens: /],
    ['closing before opening', (c) => (c.openingHours.tuesday = { opens: '17:00', closes: '08:00' }), /openingHours\.tuesday\.closes: /],
    ['a room without capacity', (c) => (c.resources[2] = { id: 'r', type: 'room', name: 'R' }), /resources\[2\]\.capacity: /],
    ['a desk pool without count', (c) => (c.resources[0] = { id: 'p', type: 'desk-pool', name: 'P' }), /resources\[0\]\.count: /],
    ['an unknown resource type', (c) => (c.resources[1].type = 'sofa'), /resources\[1\]\.type: /],
    ['duplicate resource ids', (c) => (c.resources[1].id = c.resources[0].id), /resources\[1\]\.id: Duplicate/],
    ['an unknown field', (c) => (c.colour = 'blue'), /colour|Unrecognized/],
    ['a bad AWS account', (c) => (c.aws = { account: '123', region: 'eu-north-1' }), /aws\.account: /],
    ['a bad closed day', (c) => (c.closedDays = ['24/12']), /closedDays\[0\]: /],
    ['no consortium member', (c) => (c.operator = { consortium: 'X', partners: [] }), /operator: /],
  ])('rejects %s', (_what, mutate, expected) => {
    const config = umea();
    mutate(config);
    expectProblem(config, 'hubs/umea.json', expected);
  });

  it('rejects an id that does not match the file name', () => {
    expectProblem(umea(), 'hubs/lulea.json', /id: "umea" must match the file name "lulea\.json"/);
  });

  it('rejects text that is not JSON', () => {
    expect(() => parseHubFile('hubs/x.json', '{ nope')).toThrow(/hubs\/x\.json: invalid hub configuration[\s\S]*not valid JSON/);
  });

  it('reports every bad file at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hubs-'));
    cpSync(join(HUBS_DIR, 'umea.json'), join(dir, 'umea.json'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ ...umea(), id: 'a', phase: 'x' }));
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ ...umea(), id: 'b', resources: [] }));
    expect(() => loadHubs(dir)).toThrow(/a\.json[\s\S]*phase[\s\S]*b\.json[\s\S]*resources/);
  });
});

describe('the hub commands', () => {
  const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');

  it('hub:new writes a valid new hub file that hubs:check accepts and the CDK app turns into a stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hubs-'));
    cpSync(HUBS_DIR, dir, { recursive: true, filter: (src) => !src.includes('/cli') && !src.endsWith('.ts') });
    const out = await run(tsx, ['hubs/cli/new-hub.ts', '--id', 'pitea', '--name', 'Samverkanshubb Piteå', '--city', 'Piteå', '--county', 'Norrbottens län', '--desks', '14', '--room', 'Pite älv:8', '--event-space', 'Salen:40', '--partner', 'Piteå Science Park', '--dir', dir]);
    expect(out.stdout).toContain('pitea.json');
    const hub = parseHubFile(join(dir, 'pitea.json'), readFileSync(join(dir, 'pitea.json'), 'utf8'));
    expect(hub).toMatchObject({ id: 'pitea', city: 'Piteå', phase: 'preparation', operator: { partners: ['Piteå Science Park'] } });
    expect(hub.resources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'desk-pool', count: 14 }),
        expect.objectContaining({ type: 'room', name: 'Pite älv', capacity: 8 }),
        expect.objectContaining({ type: 'event-space', capacity: 40 }),
      ]),
    );
    const check = await run(tsx, ['hubs/cli/check-hubs.ts', dir]);
    expect(check.stdout).toMatch(/7 hub files valid/);
    const { buildApp } = await import('../../infra/app.ts');
    const { hubStacks } = buildApp({ hubsDir: dir, bundle: false });
    expect(hubStacks.map((s) => s.stackName)).toContain('samverkan-hub-pitea');
  });

  it('hub:new refuses invalid input and an existing file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hubs-'));
    await expect(run(tsx, ['hubs/cli/new-hub.ts', '--id', 'Bad Id', '--name', 'X Hub', '--city', 'X', '--county', 'Y län', '--dir', dir])).rejects.toMatchObject({ stderr: expect.stringMatching(/id: /) });
    await run(tsx, ['hubs/cli/new-hub.ts', '--id', 'kalix', '--name', 'Kalix', '--city', 'Kalix', '--county', 'Norrbottens län', '--dir', dir]);
    await expect(run(tsx, ['hubs/cli/new-hub.ts', '--id', 'kalix', '--name', 'Kalix', '--city', 'Kalix', '--county', 'Norrbottens län', '--dir', dir])).rejects.toMatchObject({ stderr: expect.stringMatching(/already exists/) });
  });

  it('hubs:check exits 1 naming the bad file and field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hubs-'));
    writeFileSync(join(dir, 'x.json'), JSON.stringify({ ...umea(), id: 'x', phase: 'later' }));
    await expect(run(tsx, ['hubs/cli/check-hubs.ts', dir])).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/x\.json[\s\S]*phase: /) });
  });

  it('hubs:check rejects a hub in its own account in a region cdk.json does not allow (data residency)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hubs-'));
    writeFileSync(join(dir, 'umea.json'), JSON.stringify({ ...umea(), aws: { account: '222233334444', region: 'us-east-1' } }));
    await expect(run(tsx, ['hubs/cli/check-hubs.ts', dir])).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/Region "us-east-1" of .*umea\.json \(aws\.region\) is not allowed: data stays in eu-north-1/) });
    writeFileSync(join(dir, 'umea.json'), JSON.stringify({ ...umea(), aws: { account: '222233334444', region: 'eu-north-1' } }));
    expect((await run(tsx, ['hubs/cli/check-hubs.ts', dir])).stdout).toMatch(/1 hub files valid/);
  });
});
