// Kiosk mode: a tablet at the entrance where members check themselves in and out. A signed-in staff
// member starts it; it is remembered in localStorage (a reload, a new tab or a browser restart stays in
// it), and it ends only after a staff member signs in again at the provider (docs/architecture.md § Kiosk).
import type { Auth } from '../auth.ts';

const KIOSK = 'samverkan.kiosk';
const EXIT = 'samverkan.kiosk.exit';

/** The hub whose kiosk this browser is, if it is one. */
export const kioskHub = (): string | undefined => localStorage.getItem(KIOSK) ?? undefined;

/** Turns this browser into the hub's kiosk (full screen where the browser allows it). */
export function startKiosk(hubId: string): void {
  localStorage.setItem(KIOSK, hubId);
  document.documentElement.requestFullscreen?.().catch(() => undefined);
}

/** Leaving the kiosk: off to the provider, which must ask for a password again (prompt=login, max_age=0). */
export async function askToLeaveKiosk(auth: Auth): Promise<void> {
  sessionStorage.setItem(EXIT, JSON.stringify({ askedAt: Date.now(), before: auth.authTime() ?? 0 }));
  await auth.reauthenticate();
}

/**
 * After a page load: ends kiosk mode when a leave was asked for and this load finished a sign-in in
 * which staff of the kiosk's hub (or a national administrator) entered their password after the
 * request. Anything else (back from the login page, a reload, a sign-in by someone else) stays in
 * the kiosk. True when kiosk mode ended.
 */
export function settleKioskExit(auth: Auth): boolean {
  const saved = sessionStorage.getItem(EXIT);
  const hub = kioskHub();
  if (!saved || !hub || !auth.returnedFromSignIn) return false;
  sessionStorage.removeItem(EXIT);
  const { askedAt, before } = JSON.parse(saved) as { askedAt: number; before: number };
  const authTime = auth.authTime() ?? 0;
  const groups = auth.groups();
  const staff = groups.includes(`staff-${hub}`) || groups.includes('national');
  // auth_time is in whole seconds on the provider's clock: a few minutes' leeway for the tablet's clock,
  // and it must be later than the sign-in the kiosk ran on.
  const fresh = authTime > before && authTime >= askedAt - 300_000;
  if (!staff || !fresh) return false;
  localStorage.removeItem(KIOSK);
  if (document.fullscreenElement) document.exitFullscreen().catch(() => undefined);
  return true;
}
