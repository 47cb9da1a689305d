/**
 * `npm run hub:new -- --id pitea --name "Samverkanshubb Piteå" --city Piteå --county "Norrbottens län" …`
 * writes a valid `hubs/<id>.json` with sensible defaults that the operator then edits.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HUBS_DIR, parseHubFile } from '../load.ts';
import type { HubConfigInput } from '../schema.ts';

const usage = `Usage: npm run hub:new -- --id <id> --name <name> --city <city> --county <county> [options]
  --municipality <name>   municipality (default: the city)
  --consortium <text>     operator consortium (default: "<municipality> kommun")
  --operator-municipality, --operator-region, --operator-county-board <name>
  --partner <name>        a consortium partner (repeatable)
  --phase preparation|start-up|operation   (default: preparation)
  --venue <name>          host venue (default: "<name>")
  --desks <n>             desks in the open pooled zone (default: 10)
  --room <name:capacity>  a meeting room (repeatable; default: one room of 6)
  --event-space <name:capacity>  an event space (repeatable)
  --account <12 digits> --region <aws region>   the operator's own AWS account
  --dir <folder>          where to write (default: hubs/)
  --force                 overwrite an existing file`;

const { values } = parseArgs({
  options: {
    id: { type: 'string' },
    name: { type: 'string' },
    city: { type: 'string' },
    county: { type: 'string' },
    municipality: { type: 'string' },
    consortium: { type: 'string' },
    'operator-municipality': { type: 'string' },
    'operator-region': { type: 'string' },
    'operator-county-board': { type: 'string' },
    partner: { type: 'string', multiple: true },
    phase: { type: 'string' },
    venue: { type: 'string' },
    desks: { type: 'string' },
    room: { type: 'string', multiple: true },
    'event-space': { type: 'string', multiple: true },
    account: { type: 'string' },
    region: { type: 'string' },
    dir: { type: 'string' },
    force: { type: 'boolean' },
    help: { type: 'boolean' },
  },
});

if (values.help || !values.id || !values.name || !values.city || !values.county) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}

const slug = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);

function spaces(specs: string[] | undefined, type: 'room' | 'event-space') {
  return (specs ?? []).map((spec) => {
    const [name = '', cap = ''] = spec.split(':');
    return { id: `${type === 'room' ? 'rum' : 'sal'}-${slug(name)}`, type, name, capacity: Number(cap), equipment: [] as string[] };
  });
}

const municipality = values.municipality ?? values.city;
const rooms = values.room?.length ? spaces(values.room, 'room') : [{ id: 'rum-1', type: 'room' as const, name: 'Mötesrum 1', capacity: 6, equipment: [] }];
const open = { opens: '08:00', closes: '17:00' };
const hub: HubConfigInput = {
  id: values.id,
  name: values.name,
  city: values.city,
  municipality,
  county: values.county,
  operator: {
    consortium: values.consortium ?? `${municipality} kommun`,
    municipality: values['operator-municipality'] ?? `${municipality} kommun`,
    ...(values['operator-region'] ? { region: values['operator-region'] } : {}),
    ...(values['operator-county-board'] ? { countyBoard: values['operator-county-board'] } : {}),
    partners: values.partner ?? [],
  },
  phase: (values.phase ?? 'preparation') as HubConfigInput['phase'],
  timezone: 'Europe/Stockholm',
  openingHours: { monday: open, tuesday: open, wednesday: open, thursday: open, friday: { opens: '08:00', closes: '16:00' }, saturday: null, sunday: null },
  closedDays: [],
  hostVenue: { name: values.venue ?? values.name },
  resources: [{ id: 'oppna-ytan', type: 'desk-pool', name: 'Öppna ytan', count: Number(values.desks ?? 10) }, ...rooms, ...spaces(values['event-space'], 'event-space')],
  estimates: 'Skapad med hub:new; resurserna är utgångsvärden att justera. / Created by hub:new; resources are defaults to adjust.',
  sources: [],
  ...(values.account || values.region ? { aws: { account: values.account ?? '', region: values.region ?? '' } } : {}),
};

const dir = values.dir ?? HUBS_DIR;
const file = join(dir, `${values.id}.json`);
if (existsSync(file) && !values.force) {
  console.error(`${file} already exists (use --force to overwrite)`);
  process.exit(1);
}
const text = `${JSON.stringify(hub, null, 2)}\n`;
try {
  parseHubFile(file, text);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
writeFileSync(file, text);
console.log(`Wrote ${file}. Deploy it with: npm run deploy -- samverkan-hub-${values.id}`);
