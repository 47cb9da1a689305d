/**
 * `npm run bench` — measures the local network in one run and reports ratios (these machines are
 * noisy: compare ratios, not absolute times):
 *  - check-ins: 40 one after another vs 40 at once (throughput ratio);
 *  - bookings: 50 requests for 50 different room slots vs 50 racing for one slot (cost of contention).
 */
import { startNetwork } from '../local/network.ts';

const network = await startNetwork({ inMemory: true, port: 0, logLevel: 'SILENT', log: () => {}, schedules: false });
const token = await network.token('staff', 'lulea');
const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${network.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  // biome-ignore lint/suspicious/noExplicitAny: the bench reads a few fields of untyped JSON answers
  return { status: res.status, json: (await res.json()) as any };
};
const time = async (fn: () => Promise<unknown>) => {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
};

try {
  const org = (await call('POST', '/api/hubs/lulea/organisations', { name: 'Bench AB', type: 'business' })).json;
  const members: string[] = [];
  for (let i = 0; i < 220; i++) members.push((await call('POST', '/api/hubs/lulea/members', { name: `Bench ${i}`, email: `bench${i}@bench.se`, organisationId: org.id, membership: 'guest' })).json.id);
  await call('POST', '/api/hubs/lulea/check-ins', { memberId: members[219] }); // warm the function

  const sequential = await time(async () => {
    for (const m of members.slice(0, 40)) await call('POST', '/api/hubs/lulea/check-ins', { memberId: m });
  });
  const concurrent = await time(() => Promise.all(members.slice(40, 80).map((m) => call('POST', '/api/hubs/lulea/check-ins', { memberId: m }))));

  let day = '';
  for (let i = 2; i < 20 && !day; i++) {
    const d = new Date(Date.now() + i * 86_400_000).toISOString().slice(0, 10);
    if ((await call('GET', `/api/hubs/lulea/availability?date=${d}&resourceType=event-space`)).json.open) day = d;
  }
  // 50 different (resource, slot) pairs: no two requests compete.
  const free = (await call('GET', `/api/hubs/lulea/availability?date=${day}`)).json.resources
    .filter((r: { id: string; type: string }) => r.type === 'event-space' || r.id === 'rum-hamnen')
    .flatMap((r: { id: string; slots: Array<{ start: string; end: string }> }) => r.slots.map((s) => ({ resourceId: r.id, start: s.start, end: s.end })))
    .slice(0, 50);
  let spreadWon = 0;
  const spread = await time(async () => {
    const results = await Promise.all(members.slice(80, 130).map((m, i) => call('POST', '/api/hubs/lulea/bookings', { ...free[i], memberId: m })));
    spreadWon = results.filter((r) => r.status === 201).length;
  });
  const slots2 = (await call('GET', `/api/hubs/lulea/availability?date=${day}&resourceType=room`)).json.resources[0].slots;
  let won = 0;
  const racing = await time(async () => {
    const results = await Promise.all(members.slice(130, 180).map((m) => call('POST', '/api/hubs/lulea/bookings', { resourceId: 'rum-lulealven', memberId: m, start: slots2[0].start, end: slots2[0].end })));
    won = results.filter((r) => r.status === 201).length;
  });

  console.log(`check-ins: 40 sequential ${sequential.toFixed(0)} ms, 40 concurrent ${concurrent.toFixed(0)} ms → concurrency speed-up ×${(sequential / concurrent).toFixed(2)}`);
  console.log(`bookings: 50 spread ${spread.toFixed(0)} ms (${spreadWon} booked), 50 racing for one slot ${racing.toFixed(0)} ms (${won} won) → contention cost ×${(racing / spread).toFixed(2)}`);
} finally {
  await network.stop();
}
