import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { OrganisationType } from '../events/catalog.ts';
import { HubConfigError, formatPath } from './load.ts';

/** The starter list of organisations the network knows by name (`hubs/_organisations.json`). */
export const StarterOrganisations = z
  .object({
    description: z.string().optional(),
    organisations: z
      .array(
        z
          .object({
            name: z.string().min(2),
            type: OrganisationType,
            orgNumber: z.string().regex(/^\d{6}-\d{4}$/, 'NNNNNN-NNNN').optional(),
            homeMunicipality: z.string().optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
export type StarterOrganisation = z.infer<typeof StarterOrganisations>['organisations'][number];

/** The file name of the starter list inside a hubs folder. */
export const STARTER_FILE = '_organisations.json';

/** Loads and validates the starter list of a hubs folder. */
export function loadStarterOrganisations(dir: string): StarterOrganisation[] {
  const file = join(dir, STARTER_FILE);
  const result = StarterOrganisations.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!result.success) throw new HubConfigError(file, result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`));
  return result.data.organisations;
}
