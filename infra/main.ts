/** The CDK app entry (`cdk.json` → `tsx infra/main.ts`). */
import { buildApp } from './app.ts';

buildApp().app.synth();
