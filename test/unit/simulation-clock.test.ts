import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clock, SIMULATED_NOW_HOOK } from '../../functions/shared/clock.ts';
import { SIMULATED_NOW_HEADER, simulatedNow } from '../../local/http-server.ts';

const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith('.ts') ? [join(dir, f)] : []));

describe('the simulation clock cannot exist on AWS', () => {
  it('no deployed code reads the header or installs the hook: only the local runtime does', () => {
    const deployed = files('functions');
    expect(deployed.filter((f) => readFileSync(f, 'utf8').includes(SIMULATED_NOW_HEADER))).toEqual([]);
    expect(deployed.filter((f) => readFileSync(f, 'utf8').includes('SIMULATED_NOW_HOOK'))).toEqual(['functions/shared/clock.ts']);
    expect(files('local').filter((f) => /SIMULATED_NOW_HOOK\]\s*=/.test(readFileSync(f, 'utf8')))).toEqual(['local/lambda-worker.ts']);
  });

  it('no handler reads the system time past the one clock, except where real time is meant (auth, TTLs, file names)', () => {
    const allowed = ['functions/shared/clock.ts', 'functions/shared/auth.ts', 'functions/shared/mail.ts', 'functions/adapters/outbox.ts', 'functions/adapters/dynamo-booking-store.ts', 'functions/reporting/store.ts', 'functions/reporting/view.ts', 'functions/research/dynamo-state.ts', 'functions/research/retention.ts', 'functions/research/export-cli.ts'];
    const reading = files('functions').filter((f) => /new Date\(\)|Date\.now\(\)/.test(readFileSync(f, 'utf8')));
    expect(reading.filter((f) => !allowed.includes(f))).toEqual([]);
  });

  it('is the system clock when nothing installed the hook', () => {
    expect((globalThis as Record<symbol, unknown>)[SIMULATED_NOW_HOOK]).toBeUndefined();
    expect(Math.abs(clock().getTime() - Date.now())).toBeLessThan(1000);
  });

  it('takes an ISO 8601 instant with a zone, nothing else', () => {
    expect(simulatedNow(undefined)).toBeUndefined();
    expect(simulatedNow('2026-09-01T08:30:00Z')).toEqual(new Date('2026-09-01T08:30:00Z'));
    expect(simulatedNow('2026-09-01T10:30:00+02:00')).toEqual(new Date('2026-09-01T08:30:00Z'));
    for (const bad of ['2026-09-01', '2026-09-01T08:30', 'yesterday', '2026-13-01T08:30:00Z', '']) expect(typeof simulatedNow(bad)).toBe('string');
  });
});
