// The sign-in module the app shares with the earlier one-page view (web/auth.ts), re-exported for the pages.
export { Auth, SessionExpired } from '../auth.ts';
