/** `npm run emulator:install` — unpacks DynamoDB Local from the npm registry (done on demand by start and tests too). */
import { ensureEmulator } from './emulator.ts';

console.log(ensureEmulator((l) => console.log(l)));
