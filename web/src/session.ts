// What every page shares: the API client, the chosen hub, whether the person is its staff, and the message line.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api, Output } from './api.ts';

export type Hub = Output<'listHubs'>['hubs'][number];

export interface Session {
  api: Api;
  hub: Hub;
  /** Staff of this hub: the desk work (check-in, members) is theirs; the API refuses it to anyone else. */
  isStaff: boolean;
  say: (message: string, kind?: 'ok' | 'error') => void;
  /** Reports a failed call: the message line names it (a field error is also shown by its field). */
  fail: (err: unknown) => void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}
