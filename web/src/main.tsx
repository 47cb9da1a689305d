// The staff app's entry: reads /config.json, finishes a sign-in redirect or picks up the tab's session, renders.
import { render } from 'preact';
import { Auth } from '../auth.ts';
import { App } from './app.tsx';
import { settleKioskExit } from './kiosk.ts';

async function start() {
  let auth: Auth | undefined;
  let startError: string | undefined;
  try {
    auth = await Auth.load();
    await auth.start();
    // Back from a sign-in that an expired session forced: to the page where the typing was (its forms get it back).
    const page = auth.user ? auth.draftPage() : undefined;
    if (page && page !== location.hash) history.replaceState(null, '', `${location.pathname}${page}`);
    // Back from the sign-in that leaving the kiosk asks for: out of kiosk mode, to Incheckning.
    if (settleKioskExit(auth)) history.replaceState(null, '', `${location.pathname}#/incheckning`);
  } catch (e) {
    startError = e instanceof Error ? e.message : String(e);
  }
  const root = document.getElementById('app');
  if (root) render(<App auth={auth} startError={startError} />, root);
}

void start();
