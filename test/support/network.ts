import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { CfnTemplate } from '../../local/cfn.ts';
import { startNetwork, type LocalNetwork, type NetworkOptions } from '../../local/network.ts';
import { synthTemplates } from '../../local/synth.ts';

/**
 * Starts a local network on the shared test emulator, with its own table names and in-memory state.
 * With `studiesDir`, the templates are synthesized for those studies (their delivery streams).
 */
export function startTestNetwork(options: Partial<NetworkOptions> = {}): Promise<LocalNetwork> {
  const templates = options.studiesDir ? synthTemplates({ studiesDir: options.studiesDir }) : (JSON.parse(readFileSync(inject('templatesFile'), 'utf8')) as Record<string, CfnTemplate>);
  return startNetwork({
    templates,
    dynamoEndpoint: inject('dynamoEndpoint'),
    namePrefix: `t${randomUUID().slice(0, 8)}-`,
    dataDir: join(inject('dataDir'), 'data'),
    inMemory: true,
    port: 0,
    logLevel: 'SILENT',
    timing: { baseDelayMs: 20, maxDelayMs: 200 },
    pollMs: 25,
    schedules: false,
    log: () => {},
    ...options,
  });
}

/** A small HTTP client for the local API. */
export function api(network: LocalNetwork) {
  return async function call(method: string, path: string, options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${network.url}${path}`, { method, headers, body });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, headers: res.headers };
  };
}

/** Polls until `check` returns a value (not undefined/false) or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
