// The staff app's entry: reads /config.json, finishes a sign-in redirect or picks up the tab's session, renders.
import { render } from 'preact';
import { Auth } from '../auth.ts';
import { App } from './app.tsx';

async function start() {
  let auth: Auth | undefined;
  let startError: string | undefined;
  try {
    auth = await Auth.load();
    await auth.start();
  } catch (e) {
    startError = e instanceof Error ? e.message : String(e);
  }
  const root = document.getElementById('app');
  if (root) render(<App auth={auth} startError={startError} />, root);
}

void start();
